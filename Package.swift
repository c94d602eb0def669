// swift-tools-version:6.0
// SegAD in Swift: supervised anomaly detection for complex industrial images.
//
// Layers (one-way): C modules → SegADNative (thin Swift wrappers over HDF5,
// XGBoost, libpng, libjpeg-turbo, libtiff, OpenBLAS, plus .npy) and SegADKernels
// (numerical kernels and pure image operations, no dependency) → two siblings:
// SegADCore (manifest, artifacts, file I/O) and SegADDetectors (backbones and
// pixel detectors), neither importing the other; SegADFigures (raster figures)
// on SegADNative alone → SegADMethod (maps, the detector-state artifact,
// segmentation, features, BRF, scores, report tables) → SegADDeploy (saved
// pipelines) and SegADDatasets (benchmark builders, classifier) → the umbrella
// SegAD → four thin executables (sharing the option types of SegADCLI, which
// depends on ArgumentParser only).
// See docs/architecture.md.
import PackageDescription

let cModules: [Target] = [
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                   providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(name: "CXGBoost", pkgConfig: "xgboost",
                   providers: [.apt(["libxgboost-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                   providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4",
                   providers: [.apt(["libtiff-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                   providers: [.apt(["libjpeg62-turbo-dev"])]),
    .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    // SHA-256 for the artifacts' input hashes (EVP digests; OpenSSL picks
    // the CPU's SHA extensions at run time).
    .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                   providers: [.apt(["libssl-dev"])]),
]

// Release builds keep Swift's overflow and bounds checks (plain -O) in every
// target that reads files or indexes with sizes read from them: SegADNative's
// npy, pickle, zip, safetensors, PNG/TIFF/JPEG and HDF5 readers, the manifest
// and artifact loaders, the kernels, the executables (docs/reliability.md,
// section 6, class 9). Only the detectors (backbone convolutions, PatchCore,
// PaDiM on validated arrays) build with -Ounchecked, where a rough
// measurement suggested a gain.
let swiftSettings: [SwiftSetting] = []
let uncheckedSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

func executable(_ name: String, _ path: String, _ modules: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: modules + ["SegADCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: "Sources/\(path)",
        swiftSettings: swiftSettings)
}

let package = Package(
    name: "segad",
    // Built and tested on Linux (Debian) only; the line states what a macOS
    // build would need at the least: SpinTeam's Mutex and Atomic (the
    // Synchronization module) need macOS 15. A macOS build is untested.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SegAD", targets: ["SegAD"]),
        .executable(name: "extract-maps", targets: ["ExtractMaps"]),
        .executable(name: "segment-stats", targets: ["SegmentStats"]),
        .executable(name: "train-brf", targets: ["TrainBRF"]),
        .executable(name: "evaluate", targets: ["Evaluate"]),
        .executable(name: "build-dataset", targets: ["BuildDataset"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // evaluate serve: the HTTP server, its log and the inspection record (SQLite).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: cModules + [
        // OpenBLAS pinned to the Haswell kernels and a fixed thread count
        // before main, in every executable and the test runner: the same
        // bits on any AVX2 or AVX-512 CPU (docs/determinism.md).
        .target(name: "CBLASPin", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("openblas")]),
        .target(name: "SegADNative",
                dependencies: ["CHDF5", "CXGBoost", "CPNG", "CTIFF", "CJPEG", "COpenBLAS", "CCrypto", "CBLASPin"],
                swiftSettings: swiftSettings),
        // The backbone's C kernels (depthwise convolution, im2col, a spin-wait
        // hint): one source compiled for AVX-512, AVX2 and plain x86-64, the
        // loader picking the best (target_clones). Optimized in debug builds
        // too (the tests run the backbone); no contraction into fused
        // multiply-adds, so every clone gives the same bits. -Wno-psabi: the
        // compiler notes that passing the 16-float vector type by value has
        // another ABI with and without AVX-512; every function that does so
        // is `static inline` always_inline (vector.h, depthwise.c, im2col.c),
        // so no call crosses a translation unit or a clone and the note can
        // never apply.
        .target(name: "CConvKernels",
                cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off", "-Wno-psabi"])]),
        .target(name: "SegADKernels",
                swiftSettings: swiftSettings),
        .target(name: "SegADDetectors", dependencies: ["SegADNative", "SegADKernels", "CConvKernels", "CBLASPin"],
                swiftSettings: uncheckedSettings),
        .target(name: "SegADCore", dependencies: ["SegADNative", "SegADKernels"],
                swiftSettings: swiftSettings),
        .target(name: "SegADFigures", dependencies: ["SegADNative"],
                swiftSettings: swiftSettings),
        .target(name: "SegADMethod",
                dependencies: ["SegADNative", "SegADKernels", "SegADDetectors", "SegADCore", "SegADFigures"],
                swiftSettings: swiftSettings),
        .target(name: "SegADDeploy",
                dependencies: ["SegADNative", "SegADKernels", "SegADDetectors", "SegADCore", "SegADFigures", "SegADMethod"],
                swiftSettings: swiftSettings),
        // evaluate serve: one image per request scored by SegADDeploy's code
        // path, the inspection record, the review page (docs/serving.md).
        .target(name: "SegADServe",
                dependencies: ["SegADNative", "SegADCore", "SegADDetectors", "SegADDeploy",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: swiftSettings),
        .target(name: "SegADDatasets",
                dependencies: ["SegADNative", "SegADKernels", "SegADDetectors", "SegADCore", "SegADFigures", "SegADMethod"],
                swiftSettings: swiftSettings),
        .target(name: "SegAD",
                dependencies: ["SegADCore", "SegADFigures", "SegADMethod", "SegADDeploy", "SegADDatasets"],
                swiftSettings: swiftSettings),
        // Command-line option types the four executables share (--manifest, ImageSize, Seeds, Bounded).
        .target(name: "SegADCLI", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        // extract-maps: maps (import, fit, apply), derived segmentation, working size.
        executable("ExtractMaps", "ExtractMaps", ["SegAD"]),
        // build-dataset: the data-set builders (manifests, VAD layout, synthetic defects, classifier).
        executable("BuildDataset", "BuildDataset", ["SegAD"]),
        executable("SegmentStats", "SegmentStats", ["SegADCore", "SegADMethod"]),
        executable("TrainBRF", "TrainBRF", ["SegADCore", "SegADMethod"]),
        executable("Evaluate", "Evaluate", ["SegADCore", "SegADMethod", "SegADDeploy", "SegADServe"]),
        .executableTarget(name: "segad-bench", dependencies: ["SegAD", "SegADDetectors", "SegADNative", "COpenBLAS", "CConvKernels", "CBLASPin"], path: "Benchmarks/segad-bench",
                          swiftSettings: swiftSettings),
        // Shared test helpers (SplitMix64, ToolRunner); not a test target itself.
        .target(name: "_TestSupport", dependencies: ["SegADKernels"], path: "Tests/_TestSupport"),
        .testTarget(name: "SegADNativeTests", dependencies: ["SegADNative", "_TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SegADKernelsTests", dependencies: ["SegADKernels"], exclude: ["Fixtures", "Golden"]),
        .testTarget(name: "SegADDetectorsTests", dependencies: ["SegADDetectors", "SegADKernels", "CBLASPin"]),
        .testTarget(name: "SegADCoreTests", dependencies: ["SegADCore", "SegADNative", "_TestSupport"]),
        .testTarget(name: "SegADFiguresTests", dependencies: ["SegADFigures", "SegADNative"]),
        .testTarget(name: "SegADMethodTests",
                    dependencies: ["SegADMethod", "SegADDetectors", "SegADCore", "SegADNative", "SegADKernels", "_TestSupport"]),
        .testTarget(name: "SegADDeployTests",
                    dependencies: ["_TestSupport", "SegAD", "SegADDeploy", "SegADDatasets", "SegADMethod", "SegADFigures", "SegADCore",
                                   "SegADNative", "SegADDetectors"]),
        .testTarget(name: "SegADDatasetsTests",
                    dependencies: ["SegADDatasets", "SegADMethod", "SegADCore", "SegADNative", "SegADKernels"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SegADCLITests", dependencies: ["SegADCLI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SegAD", "SegADNative", "_TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
