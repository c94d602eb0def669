// swift-tools-version:6.0
// SegAD in Swift: supervised anomaly detection for complex industrial images.
//
// Layers (one-way): C modules → SegADNative (thin Swift wrappers over HDF5,
// XGBoost, libpng, libtiff, OpenBLAS, plus .npy) → SegADKernels (numerical
// kernels, no I/O) → SegADDetectors (backbones and pixel detectors) →
// SegAD (maps, segments, features, models, metrics, protocols) → four thin
// executables. See docs/architecture.md.
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
    .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    // SHA-256 block function on the x86 SHA extensions (per-function target
    // attributes; no global flags). SegADNative.SHA256 picks it at run time.
    .target(name: "CSHA256"),
]

let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

func executable(_ name: String, _ path: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["SegAD", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: "Sources/\(path)",
        swiftSettings: swiftSettings)
}

let package = Package(
    name: "segad",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SegAD", targets: ["SegAD"]),
        .executable(name: "extract-maps", targets: ["ExtractMaps"]),
        .executable(name: "segment-stats", targets: ["SegmentStats"]),
        .executable(name: "train-brf", targets: ["TrainBRF"]),
        .executable(name: "evaluate", targets: ["Evaluate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: cModules + [
        .target(name: "SegADNative",
                dependencies: ["CHDF5", "CXGBoost", "CPNG", "CTIFF", "COpenBLAS", "CSHA256"],
                swiftSettings: swiftSettings),
        .target(name: "SegADKernels", dependencies: ["SegADNative"],
                swiftSettings: swiftSettings),
        .target(name: "SegADDetectors", dependencies: ["SegADNative", "SegADKernels"],
                swiftSettings: swiftSettings),
        .target(name: "SegAD", dependencies: ["SegADNative", "SegADKernels", "SegADDetectors"],
                swiftSettings: swiftSettings),
        executable("ExtractMaps", "ExtractMaps"),
        executable("SegmentStats", "SegmentStats"),
        executable("TrainBRF", "TrainBRF"),
        executable("Evaluate", "Evaluate"),
        .executableTarget(name: "segad-bench", dependencies: ["SegAD", "SegADDetectors", "SegADNative", "COpenBLAS"], path: "Benchmarks/segad-bench",
                          swiftSettings: swiftSettings),
        .testTarget(name: "SegADNativeTests", dependencies: ["SegADNative"], exclude: ["Fixtures"]),
        .testTarget(name: "SegADKernelsTests", dependencies: ["SegADKernels"], exclude: ["Fixtures", "Golden"]),
        .testTarget(name: "SegADDetectorsTests", dependencies: ["SegADDetectors"]),
        .testTarget(name: "SegADTests", dependencies: ["SegAD"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SegAD", "SegADNative"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
