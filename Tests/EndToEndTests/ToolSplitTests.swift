import Foundation
import XCTest
import _TestSupport

/// extract-maps keeps map extraction (import, fit, apply and merging sharded
/// applies, the detector registry, derived segmentation, working size); the data-set builders are
/// build-dataset's (docs/architecture.md, "Stages and artifacts"). A builder
/// asked of extract-maps, where it used to live, is refused in one line that
/// names the tool that has it.
final class ToolSplitTests: XCTestCase {
    /// The subcommand names of a tool's `--help`.
    func subcommands(_ tool: String) throws -> [String] {
        let r = try ToolRunner.run(tool, ["--help"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard let start = r.stdout.range(of: "SUBCOMMANDS:") else { return [] }
        return r.stdout[start.upperBound...].split(separator: "\n").compactMap { line in
            // Names are indented by two spaces; continuation lines by more.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  See ") else { return nil }
            return line.split(separator: " ").first.map { String($0) }
        }
    }

    func testExtractMapsKeepsMapExtractionAndBuildDatasetTheBuilders() throws {
        XCTAssertEqual(Set(try subcommands("extract-maps")),
                       ["import", "fit", "apply", "merge", "detectors", "derive-segmentation", "working-size", "choose-size"])
        XCTAssertEqual(Set(try subcommands("build-dataset")),
                       ["images-manifest", "images-pool", "images-synthetic", "elpv-manifest", "segment-elpv", "overlay-segmentation", "elpv-score-inputs",
                        "visa-manifest", "vad-manifest", "vad-segmentation", "synthesize-defects", "vad-from-elpv",
                        "classifier-fit", "classifier-apply"])
    }

    func testABuilderAskedOfExtractMapsNamesBuildDataset() throws {
        let r = try ToolRunner.run("extract-maps", ["images-manifest", "--images", "parts", "-o", "m.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "extract-maps: error: 'images-manifest' is a data-set builder: run `build-dataset images-manifest …` (docs/architecture.md, \"Stages and artifacts\")\n")
    }
}
