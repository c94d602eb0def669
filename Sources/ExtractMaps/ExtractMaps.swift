import ArgumentParser
import SegAD
import SegADCLI
import SegADNative
import SegADDetectors
import SegADKernels

/// `--resize stretch|pad|crop` (ResizeMode): a value outside them is refused with the list.
func parseResizeMode(_ text: String) throws -> ResizeMode {
    guard let mode = ResizeMode(rawValue: text) else {
        throw ValidationError("expected one of \(ResizeMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
    }
    return mode
}

@main
struct ExtractMaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-maps",
        abstract: "Pixel anomaly maps for the items of a manifest: import precomputed maps, or fit and apply a native detector.",
        subcommands: [Import.self, Fit.self, Apply.self, Merge.self, DetectorsCommand.self, DeriveSegmentation.self]
                      + ExtractMaps.imagesSubcommands,
        defaultSubcommand: Import.self)
}

/// `--kind`: a native detector kind of the registry (help lists them; an
/// unknown name fails before `run()`).
struct DetectorKindArgument: ExpressibleByArgument {
    let name: String
    let type: any NativeDetector.Type
    init?(argument: String) {
        guard let type = DetectorRegistry.kind(named: argument) else { return nil }
        self.name = argument
        self.type = type
    }
    static var allValueStrings: [String] { DetectorRegistry.names }
}

extension ExtractMaps {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Imports precomputed maps named by items[].maps[DETECTOR] into a maps artifact (the default).",
            discussion: """
            Reads .npy (float16/32/64, either byte order, C or Fortran order), one-channel \
            float TIFF (32/16-bit), or 8/16-bit gray PNG divided by --png-scale, and writes \
            N×H×W float32 maps with ids, labels and each map's max.
            """)

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "Detector name: the key of items[].maps to import.") var detector: String
        @Option(name: .shortAndLong, help: "The maps artifact to write (.h5).") var output: String
        @Option(help: "Resize every map to HxW (or N for N×N) with bilinear interpolation.", parse: ImageSize.parse)
        var size: ImageSize?
        @Option(help: "Divisor for PNG maps (default 255 for 8-bit, 65535 for 16-bit).",
                parse: Bounded.decimal(0...Double.infinity, excluding: .lower)) var pngScale: Float?

        func run() throws {
            StageMain.run("extract-maps") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest.path)], manifests: [manifest.path])
                try MapImport.run(.init(manifestPath: manifest.path, detector: detector, output: output,
                                        size: size?.tuple, pngScale: pngScale))
            }
        }
    }

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fits a native detector on a seed's detector-train images into a detector-state artifact.")

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "Detector kind: \(DetectorRegistry.names.joined(separator: ", ")).")
        var kind: DetectorKindArgument
        @Option(help: "The detector's name in features and tables (default: the kind).") var name: String?
        @Option(help: "The seed whose detector-train images to fit on.", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "Working size HxW (or N), e.g. 256x640; images are resized bilinearly. Default: the first image's aspect, short side 256, sides multiples of 32.",
                parse: ImageSize.parse)
        var size: ImageSize?
        @Option(help: "Backbone weights (EfficientNet-Lite0 .pth), for the kinds that need them (\(DetectorRegistry.kinds.filter { $0.needsBackbone }.map { $0.kindName }.joined(separator: ", "))).") var weights: String?
        @Option(help: "PatchCore coreset ratio (default 0.1).", parse: Bounded.decimal(0...1, excluding: .lower))
        var coresetRatio: Float?
        @Option(help: "Fit on at most this many detector-train images.", parse: Bounded.integer(1...Int(Int32.max)))
        var limit: Int?
        @Option(help: "How an image of another aspect meets the working size: stretch (default), pad (aspect kept, black borders) or crop (the centre cut to the working aspect). Recorded in the state; apply and a saved pipeline do the same.",
                transform: parseResizeMode)
        var resize: ResizeMode = .stretch
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(name: .shortAndLong, help: "The detector-state artifact to write (.h5).") var output: String

        func validate() throws {
            if kind.type.needsBackbone && weights == nil { throw ValidationError("--weights is required for \(kind.name)") }
        }

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("extract-maps fit") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest.path), ("--weights", weights ?? "")], manifests: [manifest.path])
                var options = NativeDetectors.FitOptions(manifestPath: manifest.path, kind: kind.name, name: name ?? kind.name, seed: seed,
                                                         size: size?.tuple, weightsPath: weights, coresetRatio: coresetRatio,
                                                         output: output, limit: limit)
                options.resize = resize
                try NativeDetectors.fit(options)
            }
        }
    }

    struct DetectorsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detectors",
            abstract: "Lists the native detector kinds: name, whether it needs backbone weights, its fit options.",
            discussion: "With --make, prints the same facts as the Make variables of pipelines/detectors.mk.")

        @Flag(help: "Print pipelines/detectors.mk (Make variable assignments).") var make = false

        func run() throws {
            if make { print(DetectorRegistry.makeFacts, terminator: ""); return }
            for kind in DetectorRegistry.kinds {
                let options = kind.fitOptions.map { "--\($0.rawValue)" }.joined(separator: " ")
                print([kind.kindName, kind.needsBackbone ? "needs-weights" : "no-weights", options.isEmpty ? "-" : options]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applies a fitted detector state to a manifest's images into a maps artifact.")

        @Option(help: "The manifest whose images to map (any manifest).") var manifest: String
        @Option(help: "The detector-state artifact from `extract-maps fit`.") var state: String
        @Flag(help: "Skip images that are detector-train in every seed.") var skipDetectorTrain = false
        @Option(help: "Map only shard K of N (K = 1…N) of the items' sorted ids; join the shards with `extract-maps merge`.",
                parse: ShardOption.parse)
        var shard: ShardOption?
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(name: .shortAndLong, help: "The maps artifact to write (.h5).") var output: String

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("extract-maps apply") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest), ("--state", state)], manifests: [manifest])
                try NativeDetectors.apply(.init(manifestPath: manifest, statePath: state, output: output,
                                                skipDetectorTrain: skipDetectorTrain,
                                                shard: shard.map { Shard(index: $0.index, count: $0.count) }))
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Joins the maps artifacts of `apply --shard 1/N … N/N` into the artifact one unsharded apply writes.",
            discussion: """
            Byte for byte the unsharded artifact: the same config, the inputs hashed again, every map at its \
            position. Refused with one line, nothing written: a shard missing or given twice, a shard of another \
            detector, state, manifest or N, overlapping positions, an input file changed since (docs/cluster.md).
            """)

        @Argument(help: "The shards' maps artifacts.") var shards: [String] = []
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(name: .shortAndLong, help: "The maps artifact to write (.h5).") var output: String

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("extract-maps merge") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: shards.map { ("shard", $0) })
                try NativeDetectors.merge(shards: shards, output: output)
            }
        }
    }
}

extension ExtractMaps {
    struct DeriveSegmentation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derives a segmentation from good images, for SegAD without an annotated label map.",
            discussion: """
            Static (aligned parts): per-pixel descriptors of the seed's detector-train images \
            (intensity mean and std, Sobel edge strength of the mean image, and with --maps each \
            detector's map mean and std on the seed's detector-train images, never a test image) are standardized, clustered by \
            seeded k-means++ into --segments segments, cleaned of small islands and numbered by \
            ascending mean intensity. Writes the gray label PNG (-o), its provenance sidecar \
            (.h5) and NAME_overlay.png. Per-image (--per-image, parts that are not aligned): \
            Otsu foreground/background per item (optionally the foreground split in two by \
            intensity), one label PNG per item and a copy of the manifest (-o) with \
            items[].segmentation set. See docs/segmentation.md.
            """)

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "Static: the seed whose detector-train images define the segments.", parse: Bounded.integer(0...Bounds.maxSeed))
        var seed: Int?
        @Option(help: "Segments L (static: default \(StaticSegmentation.defaultSegments); per-image: 2 or 3, default 2).")
        var segments: Int?
        @Option(help: "Working size HxW (or N), e.g. 256x640; must match the maps segment-stats is given.", parse: ImageSize.parse)
        var size = ImageSize(256)!
        @Option(name: .customLong("maps"), parsing: .singleValue,
                help: "Static: a maps artifact holding the seed's detector-train images (apply without --skip-detector-train); repeat per detector.")
        var maps: [String] = []
        @Option(help: "Merge islands smaller than this many pixels (default H·W/400).",
                parse: Bounded.integer(1...Bounds.maxSide * Bounds.maxSide)) var minIslandArea: Int?
        @Option(help: "Static: use at most this many detector-train images.", parse: Bounded.integer(1...Int(Int32.max)))
        var limit: Int?
        @Flag(help: "Segment each item's image (foreground/background) instead of one static map.") var perImage = false
        @Option(help: "How an image of another aspect meets the working size: stretch (default), pad or crop — as the detectors were fitted (extract-maps fit --resize).",
                transform: parseResizeMode)
        var resize: ResizeMode = .stretch
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(help: "Per-image: folder for the label PNGs (default: OUTPUT without extension + _segmentation).")
        var labelFolder: String?
        @Option(name: .shortAndLong, help: "Static: the label PNG to write. Per-image: the manifest copy to write (.json).")
        var output: String

        func validate() throws {
            if perImage {
                if let s = segments, !(s == 2 || s == 3) { throw ValidationError("--per-image takes --segments 2 or 3") }
                if !maps.isEmpty || seed != nil || limit != nil {
                    throw ValidationError("--maps, --seed and --limit apply to the static derivation, not --per-image")
                }
                if !output.lowercased().hasSuffix(".json") { throw ValidationError("--per-image writes a manifest: -o must end in .json") }
            } else {
                if seed == nil { throw ValidationError("give --seed (its detector-train images define the segments)") }
                if let s = segments, !Bounds.gray8Segments.contains(s) {
                    throw ValidationError("--segments must be in 1…\(Bounds.maxGray8Segments) (\(Bounds.gray8SegmentsWhy))")
                }
                if !output.lowercased().hasSuffix(".png") { throw ValidationError("-o must be the label PNG to write (.png)") }
                if labelFolder != nil { throw ValidationError("--label-folder applies to --per-image") }
            }
        }

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("extract-maps derive-segmentation") {
                let outs: [OutputPaths.Output] = perImage
                    ? [.init("-o", output), .init("--label-folder", labelFolder ?? SegmentationDerivation.defaultLabelFolder(for: output), folder: true),
                       .init("-o (overlay)", SegmentationArtifact.overlayPath(for: output))]
                    : [.init("-o", output), .init("-o (sidecar)", SegmentationArtifact.sidecarPath(for: output)),
                       .init("-o (overlay)", SegmentationArtifact.overlayPath(for: output))]
                try OutputPaths.check(outputs: outs, inputs: [("--manifest", manifest.path)] + maps.map { ("--maps", $0) }, manifests: [manifest.path])
                if perImage {
                    var c = PerImageSegmentation.Config()
                    c.classes = segments ?? 2
                    c.minIslandArea = minIslandArea
                    var options = SegmentationDerivation.PerImageOptions(manifestPath: manifest.path, size: size.tuple,
                                                                         output: output, labelFolder: labelFolder, config: c)
                    options.resize = resize
                    try SegmentationDerivation.runPerImage(options)
                } else {
                    var c = StaticSegmentation.Config()
                    c.segments = segments ?? StaticSegmentation.defaultSegments
                    c.seed = UInt32(truncatingIfNeeded: seed!)
                    c.minIslandArea = minIslandArea
                    var options = SegmentationDerivation.StaticOptions(manifestPath: manifest.path, seed: seed!, size: size.tuple,
                                                                       mapsPaths: maps, output: output, config: c, limit: limit)
                    options.resize = resize
                    try SegmentationDerivation.runStatic(options)
                }
            }
        }
    }
}
