import Foundation
import XCTest
import _TestSupport

/// The four stage executables through Make on a small generated maps set,
/// checked against an independent computation.
///
/// The fixture comes from scripts/testing/make_maps_fixture.py (120 items,
/// 32×32 maps of two detectors — float32 C order and big-endian float64
/// Fortran order — a 4-segment label PNG with a constant segment). The check,
/// scripts/testing/check_pipeline.py, recomputes every feature with
/// numpy/scipy (rel. 1e-4), every SegAD score with Python's xgboost loading
/// the exported JSON (1e-5), and every metric with sklearn/numpy (1e-9).
final class PipelineTests: XCTestCase {
    func testMakePipelineMatchesIndependentComputation() throws {
        let tmp = try temporaryFolder()
        let fixture = tmp + "/fixture"
        let made = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/testing/make_maps_fixture.py", fixture])
        XCTAssertEqual(made.status, 0, made.stderr)

        let artifacts = tmp + "/artifacts"
        let makeArgs = ["-C", ToolRunner.repoRoot, "pipeline", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)",
                        "MANIFEST=\(fixture)/manifest.json", "NAME=fixture", "DETECTORS=alpha beta",
                        "SEGMENTATION=\(fixture)/segmentation.png", "SEGMENTS=4", "SEEDS=0 1",
                        "BRF_ARGS=--num-parallel-tree 20"]
        let run = try ToolRunner.run("make", makeArgs)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("SegAD(alpha+beta)"), run.stdout)

        let check = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/testing/check_pipeline.py",
                                                   fixture, artifacts + "/fixture", "alpha", "beta"])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("pipeline check passed"), check.stdout)

        // A second run has nothing to do; changing only the BRF parameters reruns train-brf and evaluate only.
        let again = try ToolRunner.run("make", makeArgs + ["-n"])
        XCTAssertFalse(again.stdout.contains("extract-maps") || again.stdout.contains("segment-stats")
                       || again.stdout.contains("train-brf") || again.stdout.contains("evaluate"), again.stdout)
        let changed = try ToolRunner.run("make", makeArgs.dropLast() + ["BRF_ARGS=--num-parallel-tree 21", "-n"])
        XCTAssertFalse(changed.stdout.contains("extract-maps") || changed.stdout.contains("segment-stats"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("train-brf") && changed.stdout.contains("evaluate report"), changed.stdout)
    }
}
