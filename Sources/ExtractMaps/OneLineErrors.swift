import Foundation
import SegADCLI

extension ExtractMaps {
    /// A refused option is one line and exit status 1 (SegADCLI/OneLineErrors.swift).
    /// A data-set builder asked of extract-maps (where it used to live) is
    /// named with the tool that has it, in one line.
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        if let first = arguments.first, movedToBuildDataset.contains(first) {
            FileHandle.standardError.write(Data(
                "extract-maps: error: '\(first)' is a data-set builder: run `build-dataset \(first) …` (docs/architecture.md, \"Stages and artifacts\")\n".utf8))
            Foundation.exit(1)
        }
        mainWithOneLineErrors(tool: "extract-maps")
    }

    /// The subcommands that moved to `build-dataset`.
    static let movedToBuildDataset: Set<String> = [
        "elpv-manifest", "segment-elpv", "overlay-segmentation", "elpv-score-inputs", "images-manifest",
        "visa-manifest", "vad-manifest", "vad-segmentation", "synthesize-defects", "vad-from-elpv",
        "classifier-fit", "classifier-apply",
    ]
}
