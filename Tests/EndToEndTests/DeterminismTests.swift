import Foundation
import XCTest
import _TestSupport

/// Determinism (docs/reliability.md, section 5): the whole pipeline run twice — once with
/// `make -j1`, once with `make -j2`, into separate artifact folders — gives
/// bit-identical features (every dataset), models (XGBoost's JSON, byte for
/// byte), scores and reports; and XGBoost's thread count does not change the
/// model.
final class DeterminismTests: XCTestCase {
    func testRunsWithJ1AndJ2GiveIdenticalFeaturesModelsAndMetrics() throws {
        let tmp = try temporaryFolder()
        let fixture = tmp + "/fixture"
        let made = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/testing/make_maps_fixture.py", fixture,
                                                  "--n", "60", "--size", "16"])
        XCTAssertEqual(made.status, 0, made.stderr)
        func run(_ jobs: String, into artifacts: String) throws {
            let result = try ToolRunner.run("make", [
                "-C", ToolRunner.repoRoot, jobs, "pipeline", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)",
                "MANIFEST=\(fixture)/manifest.json", "NAME=fx", "DETECTORS=alpha beta",
                "SEGMENTATION=\(fixture)/segmentation.png", "SEGMENTS=4", "SEEDS=0 1",
                "BRF_ARGS=--num-parallel-tree 10",
            ])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        }
        let a = tmp + "/a", b = tmp + "/b"
        try run("-j1", into: a)
        try run("-j2", into: b)

        let fm = FileManager.default
        let files = (fm.enumerator(atPath: a + "/fx")?.allObjects as? [String] ?? []).sorted()
        let h5 = files.filter { $0.hasSuffix(".h5") }
        let json = files.filter { $0.hasPrefix("models/") && $0.hasSuffix(".json") }
        XCTAssertEqual(h5.count, 2 + 3 + 6 + 5, "maps, features, models, scores: \(h5)")
        XCTAssertEqual(json.count, 6)
        for name in json {
            XCTAssertEqual(fm.contents(atPath: a + "/fx/" + name), fm.contents(atPath: b + "/fx/" + name), name)
        }
        for name in ["report/results.csv", "report/results.md"] + files.filter({ $0.hasSuffix(".png") }) {
            XCTAssertEqual(fm.contents(atPath: a + "/fx/" + name), fm.contents(atPath: b + "/fx/" + name), name)
        }
        // metrics.json lists the scores artifacts' paths, which differ between the folders.
        func metrics(_ root: String) throws -> NSDictionary {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: try XCTUnwrap(fm.contents(atPath: root + "/fx/report/metrics.json"))) as? [String: Any])
            object["scores"] = nil
            return object as NSDictionary
        }
        XCTAssertEqual(try metrics(a), try metrics(b))
        // Every dataset of every artifact, bit for bit (their provenance names the folder, so bytes differ).
        let compared = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/reliability/compare_h5.py", "--many",
                                                      a + "/fx", b + "/fx"] + h5)
        XCTAssertEqual(compared.status, 0, compared.stdout + compared.stderr)

        // XGBoost threads: 1 and 2 give the same model, with the full forest (10 rounds × 200 trees).
        let features = a + "/fx/features/fx/alpha+beta.h5"
        var models: [Data] = []
        for threads in ["1", "2"] {
            let out = tmp + "/threads-\(threads).h5"
            let trained = try ToolRunner.run("train-brf", ["--features", features, "--manifest", fixture + "/manifest.json",
                                                           "--seed", "1", "--threads", threads, "-o", out],
                                             environment: ["OMP_WAIT_POLICY": "PASSIVE"])
            XCTAssertEqual(trained.status, 0, trained.stderr)
            models.append(try XCTUnwrap(fm.contents(atPath: tmp + "/threads-\(threads).json")))
        }
        XCTAssertGreaterThan(models[0].count, 100_000, "the full forest")
        XCTAssertEqual(models[0], models[1], "XGBoost's JSON differs between 1 and 2 threads")
    }
}
