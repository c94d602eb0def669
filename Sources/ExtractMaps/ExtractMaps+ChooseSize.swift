import ArgumentParser
import Foundation
import SegAD
import SegADCLI
import SegADNative
import SegADDetectors

// SIZE=auto (pipelines/size-auto.mk, docs/size-auto.md).
extension ExtractMaps {
    struct ChooseSize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "choose-size",
            abstract: "Chooses the working size HxW by k-fold out-of-fold SegAD AUROC on the seed's SegAD-training images (no test image read).",
            discussion: """
            Each candidate of the grid (short sides × shapes × coreset ratios) fits the detectors on the seed's \
            detector pool, applies them to the seed's segad-train images, derives the segmentation from the pool \
            and scores the forest out of fold. The candidate with the fewest pixels within --tolerance AUROC points \
            of the best is written to -o; WORK/choice.json, choice.md and choice.png record the grid. Candidates \
            are cached in WORK/candidates and reused. Too few bad or good training images for --folds: the fixed \
            rule, said in one line. See docs/size-auto.md.
            """)

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "The seed whose pool and segad-train images are used (the run's first seed).",
                parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "Short sides of the grid, comma separated (each 32…\(Bounds.maxSide)).", parse: ChooseSize.integers)
        var shortSides: [Int] = SizeChoice.defaultShortSides
        @Option(help: "Shapes, comma separated: aspect (the pool's first image's aspect), square.", parse: ChooseSize.shapes)
        var shapes: [SizeChoice.Shape] = SizeChoice.Shape.allCases
        @Option(help: "PatchCore coreset ratios, comma separated (only with patchcore; default: the detector's default).",
                parse: ChooseSize.ratios) var coresetRatios: [Float] = []
        @Option(help: "Detector kinds, comma separated: \(DetectorRegistry.names.joined(separator: ", ")).", parse: ChooseSize.detectors)
        var detectors: [String]
        @Option(help: "Backbone weights (EfficientNet-Lite0 .pth), for the kinds that need them.") var weights: String?
        @Option(help: "Folds k of the out-of-fold forest.", parse: Bounded.integer(2...100)) var folds = SizeChoice.defaultFolds
        @Option(help: "AUROC points: the smallest candidate this close to the best wins.",
                parse: Bounded.decimal(0...100)) var tolerance = SizeChoice.defaultTolerance
        @Option(help: "Segments L of the derived segmentation.", parse: Bounded.integer(1...Bounds.maxGray8Segments)) var segments = 1
        @Option(help: "Boosting rounds.", parse: Bounded.integer(1...Bounds.maxRounds)) var rounds = 10
        @Option(help: "Trees per round (num_parallel_tree).", parse: Bounded.integer(1...Bounds.maxParallelTrees))
        var numParallelTree = 200
        @Option(help: "max_depth.", parse: Bounded.integer(1...Bounds.maxDepth)) var maxDepth = 5
        @Option(help: "Folder for the cached candidates and the record (choice.json, choice.md, choice.png).") var work: String
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(name: .shortAndLong, help: "Write the chosen HxW to this file.") var output: String

        func validate() throws {
            if detectors.contains(where: { DetectorRegistry.kind(named: $0)?.needsBackbone ?? false }) && weights == nil {
                throw ValidationError("--weights is required for \(detectors.filter { DetectorRegistry.kind(named: $0)?.needsBackbone ?? false }.joined(separator: ", "))")
            }
        }

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("extract-maps choose-size") {
                try OutputPaths.check(outputs: [.init("-o", output), .init("--work", work, folder: true)],
                                      inputs: [("--manifest", manifest.path), ("--weights", weights ?? "")], manifests: [manifest.path])
                var o = SizeChoice.Options(manifestPath: manifest.path, seed: seed, detectors: detectors, weightsPath: weights,
                                           work: work, output: output)
                o.shortSides = shortSides; o.shapes = shapes; o.coresetRatios = coresetRatios
                o.folds = folds; o.tolerance = tolerance; o.segments = segments
                o.brf.rounds = rounds; o.brf.numParallelTree = numParallelTree; o.brf.maxDepth = maxDepth
                try SizeChoice.choose(o)
            }
        }

        static func list(_ text: String) -> [String] {
            text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        @Sendable static func integers(_ text: String) throws -> [Int] {
            let parse = Bounded.integer(1...Int(Int32.max))
            let xs = try list(text).map(parse)
            guard !xs.isEmpty else { throw ValidationError("give at least one short side") }
            return xs
        }
        @Sendable static func ratios(_ text: String) throws -> [Float] {
            let parse: @Sendable (String) throws -> Float = Bounded.decimal(0...1, excluding: .lower)
            return try list(text).map(parse)
        }
        @Sendable static func shapes(_ text: String) throws -> [SizeChoice.Shape] {
            let xs = try list(text).map { s -> SizeChoice.Shape in
                guard let shape = SizeChoice.Shape(rawValue: s) else { throw ValidationError("'\(s)' is not a shape (aspect, square)") }
                return shape
            }
            guard !xs.isEmpty else { throw ValidationError("give at least one shape") }
            return xs
        }
        @Sendable static func detectors(_ text: String) throws -> [String] {
            let xs = list(text)
            if let bad = xs.first(where: { DetectorRegistry.kind(named: $0) == nil }) {
                throw ValidationError("unknown detector kind '\(bad)' (known: \(DetectorRegistry.names.joined(separator: ", ")))")
            }
            guard !xs.isEmpty else { throw ValidationError("give at least one detector") }
            return xs
        }
    }
}
