import ArgumentParser
import SegAD
import SegADCLI

// The VAD benchmark's data stages (pipelines/vad.mk, docs/vad.md).
extension BuildDataset {
    static let vadSubcommands: [ParsableCommand.Type] = [
        VADManifestCommand.self, VADSegmentationCommand.self, SynthesizeDefectsCommand.self,
        VADFromELPVCommand.self, ClassifierFitCommand.self, ClassifierApplyCommand.self,
    ]
}

extension VADManifest.Mode: ExpressibleByArgument {}

extension BuildDataset {
    struct VADManifestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vad-manifest",
            abstract: "Writes one seed's manifest of the VAD protocol (class \"vad\") from a VAD folder.",
            discussion: """
            Modes: detectors (the seed's detector-train half of train/good only), highshot \
            (SegAD training adds all train/bad), lowshot (the seed's names in low_shot_train.json), \
            oneclass (the seed's synthetic defects from `synthesize-defects`). Splits: docs/vad.md.
            """)

        @Option(help: "The VAD folder (train/good, train/bad, test/good, test/bad, test/bad_unseen_defects).") var root: String
        @Option(help: "detectors, highshot, lowshot or oneclass.") var mode: VADManifest.Mode
        @Option(help: "The seed.", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "All seeds of the run, in order (picks the low-shot key).", parse: Seeds.parse) var seeds = Seeds([0, 1, 2, 3, 4])!
        @Option(help: "One-class: the list.csv written by synthesize-defects.") var synthetic: String?
        @Option(name: .shortAndLong, help: "The manifest to write (.json).") var output: String

        func validate() throws {
            if !seeds.values.contains(seed) { throw ValidationError("--seed \(seed) is not in --seeds '\(seeds)'") }
            if mode == .oneclass && synthetic == nil { throw ValidationError("--mode oneclass needs --synthetic LIST.csv") }
        }

        func run() throws {
            StageMain.run("build-dataset vad-manifest") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--root", root), ("--synthetic", synthetic ?? "")])
                try VADManifest.build(.init(root: root, mode: mode, seed: seed, seeds: seeds.values,
                                            synthetic: synthetic, output: output))
            }
        }
    }

    struct VADSegmentationCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vad-segmentation",
            abstract: "Turns a drawn label PNG (gray levels or colors, any size) into a gray label map at the working size.",
            discussion: "A gray PNG with values 0…L-1 keeps them; otherwise distinct colors become labels in ascending order. Nearest-neighbour resize.")

        @Option(help: "The drawn label PNG (VAD_SEGMENTATION).") var input: String
        @Option(help: "Number of segments L.", parse: Bounded.integer(Bounds.gray8Segments, why: Bounds.gray8SegmentsWhy))
        var segments: Int
        @Option(help: "Working size HxW or N.", parse: ImageSize.parse) var size = ImageSize(256)!
        @Flag(help: "Write a one-segment map (all 0) of the working size instead (the Table 6 ablation).") var oneSegment = false
        @Option(name: .shortAndLong, help: "The label PNG to write.") var output: String

        func run() throws {
            StageMain.run("build-dataset vad-segmentation") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--input", input)])
                var o = VADSegmentation.Options(input: input, segments: segments, size: size.tuple, output: output)
                o.oneSegment = oneSegment
                try VADSegmentation.run(o)
            }
        }
    }

    struct SynthesizeDefectsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synthesize-defects",
            abstract: "One-class VAD: seeded synthetic defects (blur or a thin gray rectangle in a segment) on a seed's SegAD-training good images.")

        @Option(help: "The VAD folder.") var root: String
        @Option(help: "The seed (its SegAD-training half of train/good).", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "The label PNG (gray values are labels; any size).") var segmentation: String
        @Option(help: "Number of segments L.", parse: Bounded.integer(Bounds.gray8Segments, why: Bounds.gray8SegmentsWhy))
        var segments: Int
        @Option(help: "At most this many defects (default: one per SegAD-training good image).", parse: Bounded.integer(1...1_000_000))
        var count: Int?
        @Option(name: .shortAndLong, help: "Folder for the defect PNGs and list.csv.") var output: String

        func run() throws {
            StageMain.run("build-dataset synthesize-defects") {
                try OutputPaths.check(outputs: [.init("-o", output, folder: true)], inputs: [("--root", root), ("--segmentation", segmentation)])
                try SyntheticDefects.run(.init(root: root, seed: seed, segmentation: segmentation, segments: segments,
                                               count: count, outputDirectory: output))
            }
        }
    }

    struct VADFromELPVCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vad-from-elpv",
            abstract: "Lays out the ELPV mono cells as a VAD-layout tree (symbolic links, low_shot_train.json, segmentation.png).")

        @Option(help: "The ELPV folder (labels.csv, images/).") var elpv = ".cache/elpv"
        @Option(help: "Train/bad names per low-shot key.", parse: Bounded.integer(1...1_000_000)) var lowShot = 20
        @Option(name: .shortAndLong, help: "The tree to write (replaced).") var output: String

        func run() throws {
            StageMain.run("build-dataset vad-from-elpv") {
                try OutputPaths.check(outputs: [.init("-o", output, folder: true)], inputs: [("--elpv", elpv)])
                var o = VADFromELPV.Options(elpv: elpv, output: output)
                o.lowShot = lowShot
                try VADFromELPV.run(o)
            }
        }
    }
}

extension BuildDataset {
    struct ClassifierFitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "classifier-fit",
            abstract: "Fits the supervised classifier g(I) (logistic regression on pooled EfficientNet-Lite0 features) on a seed's classifier-train rows.")

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "The seed whose classifier-train rows to fit.", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "Backbone weights (EfficientNet-Lite0 .pth).") var weights: String
        @Option(help: "Working size HxW or N.", parse: ImageSize.parse) var size = ImageSize(256)!
        @Option(help: "Cross-fitting folds over the seed's segad-train rows (stratified, seeded by --seed).", parse: Bounded.integer(2...100))
        var folds = 5
        @Option(help: "L2 strength C, or auto: chosen per model from 0.01, 0.1, 1, 10 by inner cross-validation on its own training rows.",
                parse: L2Strength.parse) var c = L2Strength.c(1)
        @Option(name: .shortAndLong, help: "The classifier state artifact to write (.h5).") var output: String

        func run() throws {
            StageMain.run("build-dataset classifier-fit") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest.path), ("--weights", weights)], manifests: [manifest.path])
                var o = SupervisedClassifier.FitOptions(manifestPath: manifest.path, seed: seed, weightsPath: weights,
                                                        size: size.tuple, output: output)
                o.folds = folds
                o.c = c.value
                try SupervisedClassifier.fit(o)
            }
        }
    }

    struct ClassifierApplyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "classifier-apply",
            abstract: "Scores every image of a manifest with a fitted classifier into a CSV (id,score); segad-train rows out of fold.")

        @Option(help: "The manifest whose images to score.") var manifest: String
        @Option(help: "The state from classifier-fit.") var state: String
        @Option(name: .shortAndLong, help: "The CSV to write.") var output: String

        func run() throws {
            StageMain.run("build-dataset classifier-apply") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest), ("--state", state)], manifests: [manifest])
                try SupervisedClassifier.apply(manifestPath: manifest, statePath: state, output: output)
            }
        }
    }
}

/// classifier-fit's `--c`: an L2 strength in (0, ∞), or `auto` (chosen per
/// model by inner cross-validation).
enum L2Strength: CustomStringConvertible, Sendable {
    case auto
    case c(Double)

    static let parse: @Sendable (String) throws -> L2Strength = { text in
        if text == "auto" { return .auto }
        do {
            return .c(try Bounded.decimal(0...Double.infinity, excluding: .lower)(text))
        } catch let e as ValidationError {
            throw ValidationError(e.message + ", or auto")
        }
    }

    /// The strength, nil for auto.
    var value: Double? {
        if case .c(let c) = self { return c }
        return nil
    }

    var description: String { value.map { "\($0)" } ?? "auto" }
}
