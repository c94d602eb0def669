import Foundation
import XCTest
import _TestSupport

/// The detector registry is the one door for native detectors
/// (docs/architecture.md, "Adding a detector"): the CLI, Make and saved
/// pipelines learn the kinds from it.
final class DetectorRegistryTests: XCTestCase {
    /// pipelines/detectors.mk is what `extract-maps detectors --make` prints:
    /// Make's list of kinds (and of those needing weights) cannot drift from
    /// the registry. Regenerate with
    /// `.build/debug/extract-maps detectors --make > pipelines/detectors.mk`.
    func testMakeFactsMatchTheRegistry() throws {
        let generated = try ToolRunner.run("extract-maps", ["detectors", "--make"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let committed = try String(contentsOfFile: ToolRunner.repoRoot + "/pipelines/detectors.mk", encoding: .utf8)
        XCTAssertEqual(generated.stdout, committed, "pipelines/detectors.mk is stale: regenerate it with extract-maps detectors --make")
        XCTAssertTrue(committed.contains("DETECTOR_KINDS := patchcore padim golden-template dfm\n"))
        XCTAssertTrue(committed.contains("DETECTOR_KINDS_NEEDING_WEIGHTS := patchcore padim dfm\n"))
    }

    /// The listing names each kind once with its weights need and options.
    func testListing() throws {
        let r = try ToolRunner.run("extract-maps", ["detectors"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n"),
                       ["patchcore\tneeds-weights\t--coreset-ratio", "padim\tneeds-weights\t-", "golden-template\tno-weights\t-", "dfm\tneeds-weights\t-"])
    }

    /// An option a kind does not read is refused with one line, not ignored.
    func testFitOptionOfAnotherKindIsRefused() throws {
        let dir = try temporaryFolder()
        let manifest = dir + "/manifest.json"
        try #"{"items": [], "seeds": {}}"#.write(toFile: manifest, atomically: true, encoding: .utf8)
        let r = try ToolRunner.run("extract-maps", ["fit", "--manifest", manifest, "--kind", "golden-template", "--seed", "0",
                                                    "--size", "32x32", "--coreset-ratio", "0.1", "-o", dir + "/g.h5"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--coreset-ratio: golden-template takes no coreset ratio (only patchcore)"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/g.h5"))
    }
}
