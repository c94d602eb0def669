import Foundation
import XCTest
import _TestSupport

/// Killed runs (docs/reliability.md, section 1), small: scripts/reliability/kill_stages.py on
/// a 60-item fixture of 32×32 maps with the built (debug) executables. Each of
/// extract-maps, segment-stats, train-brf, evaluate score and evaluate report
/// is SIGKILLed once at a seeded random moment (with the outputs first removed
/// or left in place); the script checks that whatever is under a final name
/// opens and equals the unkilled run, and that the rerun completes with the
/// unkilled run's bytes and leaves no temporary file.
/// scripts/reliability/kill_stages.sh runs the real-sized version (500 maps of
/// 256×256, 25 kills, release build); its figures are in docs/reliability.md.
final class KillTests: XCTestCase {
    func testKilledStagesLeaveNothingPartialAndRerunsEqualTheUnkilledRun() throws {
        let tmp = try temporaryFolder()
        let result = try ToolRunner.run("python3", [
            ToolRunner.repoRoot + "/scripts/reliability/kill_stages.py", "--bin", ToolRunner.binDirectory,
            "--work", tmp, "--n", "60", "--size", "32", "--kills", "5", "--seed", "3", "--trees", "20", "--threads", "1",
        ])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("kill summary:"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"partial_visible\": 0"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"killed_mid_run\": 5"), result.stdout)
        // Artifacts record no modification times, so reruns give the very same bytes.
        XCTAssertTrue(result.stdout.contains("\"reruns_all_byte_identical\": true"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"second_run_byte_identical\": \"10/10\""), result.stdout)
    }
}
