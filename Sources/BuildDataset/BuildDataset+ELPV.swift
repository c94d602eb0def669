import Foundation
import ArgumentParser
import SegAD
import SegADCLI

extension BuildDataset {
    struct ELPVManifestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "elpv-manifest",
            abstract: "Builds the manifest of one ELPV cell type from elpv-dataset's labels.csv.",
            discussion: """
            Probability 0 → good, 1 → bad, 1/3 and 2/3 → uncertain (test only). 40% of the \
            good cells (RandomState(0) permutation) are detector-train for every seed; per \
            seed the other good cells and the bad cells are halved into segad-train and test \
            by RandomState(seed) permutations. See docs/elpv.md.
            """)

        @Option(help: "elpv-dataset's labels.csv (image, defect probability, type per line).") var labels: String
        @Option(help: "Cell type: mono or poly.") var type: ELPVManifest.CellType
        @Option(help: "Seeds, comma- or space-separated.", parse: Seeds.parse) var seeds = Seeds([0, 1, 2, 3, 4])!
        @Option(help: "Name DIR/ID.png as every item's segmentation (written by segment-elpv).")
        var segmentationDir: String?
        @Option(name: .shortAndLong, help: "The manifest to write (.json).") var output: String

        func run() throws {
            StageMain.run("build-dataset elpv-manifest") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--labels", labels)])
                try ELPVManifest.write(.init(labelsPath: labels, type: type, seeds: seeds.values, output: output,
                                             segmentationDirectory: segmentationDir))
            }
        }
    }
}

extension BuildDataset {
    struct SegmentELPV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "segment-elpv",
            abstract: "Per-image label maps for ELPV cells (0 background, 1 border, 2 busbars, 3 cell area).",
            discussion: """
            Finds the cell's bounds on the row and column profiles and the busbars as dips of the \
            detrended row profile (docs/elpv.md), and writes each item's label PNG at --size to the \
            path its items[].segmentation names; all of them must lie in the -o folder. The \
            manifest must be built with elpv-manifest --segmentation-dir.
            """)

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "Label map size HxW (or N): the maps' working size.", parse: ImageSize.parse) var size = ImageSize(256)!
        @Option(name: .shortAndLong, help: "The folder the label PNGs go to (replaced as a whole).") var output: String

        func run() throws {
            StageMain.run("build-dataset segment-elpv") {
                // The manifest names this folder's label PNGs as items' segmentations: outputs here, not inputs.
                try OutputPaths.check(outputs: [.init("-o", output, folder: true)], inputs: [("--manifest", manifest.path)])
                try ELPVSegmentationStage.run(.init(manifestPath: manifest.path, output: output, size: size.tuple))
            }
        }
    }

    struct OverlaySegmentation: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overlay-segmentation",
            abstract: "A PNG figure of a label map blended over one item's image.")

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "A static label map (gray PNG); default: the item's own segmentation.") var segmentation: String?
        @Option(help: "The item to show (default: the first good test item of the first seed).") var item: String?
        @Option(help: "Working size HxW (or N) of the label map.", parse: ImageSize.parse) var size = ImageSize(256)!
        @Option(help: "Comma-separated label names, label 0 first.") var names = ELPVSegmenter.labelNames.joined(separator: ",")
        @Option(help: "Title drawn above the images.") var title = "Segmentation"
        @Option(name: .shortAndLong, help: "The PNG to write.") var output: String

        func run() throws {
            StageMain.run("build-dataset overlay-segmentation") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest.path), ("--segmentation", segmentation ?? "")], manifests: [manifest.path])
                try SegmentationFigure.write(.init(manifestPath: manifest.path, staticSegmentation: segmentation, item: item,
                                                   size: size.tuple,
                                                   names: names.split(separator: ",").map(String.init),
                                                   title: title, output: output))
            }
        }
    }
}

extension BuildDataset {
    struct ELPVScoreInputsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "elpv-score-inputs",
            abstract: "Inputs of make score-elpv: a small ELPV mono manifest, held-out new cells, a 3-segment label map.",
            discussion: """
            In labels.csv order (probability 0 good, 1 bad): the first --detector-train good cells are \
            detector-train; the next --good good and the first --bad bad cells segad-train (seed 0); the \
            next --test of each test; the next --new cells (half good, half bad, interleaved) go to \
            OUT/new/ as symlinks, their labels to OUT/new-labels.csv. OUT/segmentation.png: SIZE×SIZE \
            labels 0 cell, 1 busbars, 2 border (docs/scoring.md). OUT/new/ is made to hold exactly these cells.
            """)

        @Option(help: "elpv-dataset's labels.csv.") var labels: String
        @Option(help: "Side of the square label map (the working size).") var size: Int
        @Option(help: "Good cells that fit the detectors.") var detectorTrain = 40
        @Option(help: "Good cells that train the forest.") var good = 80
        @Option(help: "Bad cells that train the forest.") var bad = 40
        @Option(help: "Good and bad cells each in a labeled test role (0: none).") var test = 0
        @Option(help: "Held-out cells in OUT/new/.") var new = 40
        @Option(name: .shortAndLong, help: "The folder to write.") var output: String

        func validate() throws {
            if !(8...4096).contains(size) { throw ValidationError("--size must be in 8…4096") }
            for (name, n) in [("--detector-train", detectorTrain), ("--good", good), ("--bad", bad)] where n < 1 {
                throw ValidationError("\(name) must be at least 1")
            }
            if test < 0 || new < 0 { throw ValidationError("--test and --new must be at least 0") }
        }

        func run() throws {
            StageMain.run("build-dataset elpv-score-inputs") {
                try OutputPaths.check(outputs: [.init("-o", output, folder: true)], inputs: [("--labels", labels)])
                var o = ELPVScoreInputs.Options(labelsPath: labels, output: output, size: size)
                (o.detectorTrain, o.good, o.bad, o.test, o.new) = (detectorTrain, good, bad, test, new)
                try ELPVScoreInputs.write(o)
            }
        }
    }
}
