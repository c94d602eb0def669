import Foundation
import SegADNative
import XCTest
import _TestSupport

/// Stale inputs (docs/reliability.md, section 2): a stage given an input other than the one
/// its input artifact recorded refuses with one line, and Make reruns exactly
/// the stages a change invalidates.
final class StaleInputTests: XCTestCase {
    // MARK: Every stage downstream of an edited manifest refuses

    /// Manifest B: manifest A with one test item's label changed.
    func editedManifest(_ f: BadInputFixture) throws -> String {
        try f.manifestVariant("manifest-b.json") { object in
            var items = object["items"] as! [[String: Any]]
            items[10]["label"] = "bad"
            object["items"] = items
        }
    }

    func testTrainBRFRefusesFeaturesMadeFromAnotherManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .model)
        let before = try f.snapshot()
        let result = try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", try editedManifest(f),
                                                      "--seed", "0", "-o", f.model, "--rounds", "1",
                                                      "--num-parallel-tree", "2"])
        try f.assertRefused(result, naming: f.features, fault: "different manifest", before: before)
    }

    func testScoreRefusesFeaturesAndModelsMadeFromAnotherManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let before = try f.snapshot()
        let result = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", try editedManifest(f),
                                                     "--model", f.model, "--method", "SegAD(alpha)", "-o", f.scores])
        try f.assertRefused(result, naming: f.features, fault: "different manifest", before: before)
    }

    func testDetectorScoreRefusesFeaturesMadeFromAnotherManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let before = try f.snapshot()
        let result = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", try editedManifest(f),
                                                     "--feature", "an_det_score_alpha", "--method", "alpha",
                                                     "-o", f.scores])
        try f.assertRefused(result, naming: f.features, fault: "different manifest", before: before)
    }

    func testMapsScoreRefusesMapsMadeFromAnotherManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let before = try f.snapshot()
        let result = try ToolRunner.run("evaluate", ["score", "--maps", f.maps, "--manifest", try editedManifest(f),
                                                     "--method", "alpha", "-o", f.scores])
        try f.assertRefused(result, naming: f.maps, fault: "different manifest", before: before)
    }

    func testScoreRefusesAModelWhoseFeaturesWereRemade() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        // The features remade from maps that changed since (item 3's map edited): the model is stale.
        var map = [Float](repeating: 1, count: 64)
        map[0] = 9
        try NPY.write(path: f.mapPath(3), floats: map, shape: [8, 8])
        XCTAssertEqual(try f.extractMaps().status, 0)
        XCTAssertEqual(try f.segmentStats().status, 0)
        let before = try f.snapshot()
        try f.assertRefused(f.score(), naming: f.model, fault: "different features", before: before)
    }

    // MARK: Make reruns what a change invalidates and nothing else

    func testMakeRerunsExactlyWhatAChangeInvalidates() throws {
        let tmp = try temporaryFolder()
        let fixture = tmp + "/fixture"
        let made = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/testing/make_maps_fixture.py", fixture,
                                                  "--n", "48", "--size", "16"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let artifacts = tmp + "/artifacts"
        func args(brf: String = "--num-parallel-tree 4 --rounds 2", segments: String = "4", extract: String = "")
            -> [String] {
            ["-C", ToolRunner.repoRoot, "pipeline", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)",
             "MANIFEST=\(fixture)/manifest.json", "NAME=fx", "DETECTORS=alpha beta",
             "SEGMENTATION=\(fixture)/segmentation.png", "SEGMENTS=\(segments)", "SEEDS=0 1",
             "BRF_ARGS=\(brf)", "EXTRACT_ARGS=\(extract)"]
        }
        let run = try ToolRunner.run("make", args())
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)

        let a = artifacts + "/fx"
        let maps = ["maps/fx/alpha.h5", "maps/fx/beta.h5"]
        let features = ["features/fx/alpha.h5", "features/fx/beta.h5", "features/fx/alpha+beta.h5"]
        func models(_ combo: String) -> [String] { ["models/fx/\(combo)/seed-0.h5", "models/fx/\(combo)/seed-1.h5"] }
        let allModels = models("alpha") + models("beta") + models("alpha+beta")
        let segadScores = ["scores/fx/segad-alpha.h5", "scores/fx/segad-beta.h5", "scores/fx/segad-alpha+beta.h5"]
        let detScores = ["scores/fx/det-alpha.h5", "scores/fx/det-beta.h5"]
        let everything = Set(maps + features + allModels + segadScores + detScores + ["report"])

        func planned(_ extra: [String] = [], base: [String]? = nil) throws -> Set<String> {
            let result = try ToolRunner.run("make", (base ?? args()) + ["-n"] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            return Self.outputs(ofDryRun: result.stdout, artifacts: a)
        }
        /// Sets `path`'s modification time an hour ahead, asks Make, and puts the time back.
        func plannedAfterTouching(_ path: String) throws -> Set<String> {
            let fm = FileManager.default
            let old = try XCTUnwrap(fm.attributesOfItem(atPath: path)[.modificationDate] as? Date)
            try fm.setAttributes([.modificationDate: Date().addingTimeInterval(3600)], ofItemAtPath: path)
            defer { try? fm.setAttributes([.modificationDate: old], ofItemAtPath: path) }
            return try planned()
        }

        XCTAssertEqual(try planned(), [], "a finished run has nothing to do")
        XCTAssertEqual(try plannedAfterTouching(fixture + "/manifest.json"), everything)
        XCTAssertEqual(try plannedAfterTouching(a + "/maps/fx/alpha.h5"),
                       Set(["features/fx/alpha.h5", "features/fx/alpha+beta.h5"] + models("alpha") + models("alpha+beta")
                           + ["scores/fx/segad-alpha.h5", "scores/fx/segad-alpha+beta.h5", "scores/fx/det-alpha.h5", "report"]))
        XCTAssertEqual(try plannedAfterTouching(a + "/features/fx/beta.h5"),
                       Set(models("beta") + ["scores/fx/segad-beta.h5", "report"]))
        XCTAssertEqual(try plannedAfterTouching(a + "/models/fx/alpha+beta/seed-1.h5"),
                       ["scores/fx/segad-alpha+beta.h5", "report"])
        // The base detectors' rows read their maps artifacts only: a segmentation change leaves them alone.
        XCTAssertEqual(try plannedAfterTouching(fixture + "/segmentation.png"),
                       Set(features + allModels + segadScores + ["report"]))
        XCTAssertEqual(try planned(), [], "touching and restoring left nothing to do")

        // Parameters: a dry run writes no stamp, so each check starts from the finished run.
        XCTAssertEqual(try planned(base: args(brf: "--num-parallel-tree 5 --rounds 2")),
                       Set(allModels + segadScores + ["report"]))
        XCTAssertEqual(try planned(base: args(segments: "5")),
                       Set(features + allModels + segadScores + ["report"]))
        XCTAssertEqual(try planned(base: args(extract: "--size 16")), everything)
    }

    /// The outputs (`-o`, relative to `artifacts`, or "report") of the stage
    /// commands in a `make -n` listing.
    static func outputs(ofDryRun text: String, artifacts: String) -> Set<String> {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        var out = Set<String>()
        for line in joined.split(separator: "\n") where line.contains("/extract-maps ") || line.contains("/segment-stats ")
            || line.contains("/train-brf ") || line.contains("/evaluate ") {
            if line.contains("evaluate report") { out.insert("report"); continue }
            let words = line.split(separator: " ").map(String.init)
            if let i = words.firstIndex(of: "-o"), i + 1 < words.count {
                out.insert(words[i + 1].replacingOccurrences(of: artifacts + "/", with: ""))
            }
        }
        return out
    }
}
