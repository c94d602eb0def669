import Foundation
import XCTest
import SegADNative
import _TestSupport

/// The three VAD benchmarks (and the Table 6 ablation) through Make on a
/// small generated VAD-layout tree: 32×32 gray parts with a stripe pattern,
/// bad ones carrying a bright or dark blob, one golden-template detector,
/// two seeds.
final class VADTests: XCTestCase {
    static let counts = ["train/good": 40, "train/bad": 20, "test/good": 20, "test/bad": 14, "test/bad_unseen_defects": 6]

    /// Writes the tree: images, low_shot_train.json (5 keys × 6 names) and a 3-segment map.
    static func makeTree(_ root: String) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let side = 32
        for (folder, count) in counts {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            for i in 0..<count {
                var px = [UInt8](repeating: 0, count: side * side)
                for y in 0..<side {
                    for x in 0..<side {
                        let base = (y / 4) % 2 == 0 ? 90.0 : 160.0
                        px[y * side + x] = UInt8(max(0, min(255, base + 60 * (next() - 0.5))))
                    }
                }
                if folder.contains("bad") {
                    let cy = 4 + Int(next() * 24), cx = 4 + Int(next() * 24)
                    // A faint 3×3 blob (brighter, or darker for the unseen kind): hard enough that scores overlap.
                    let delta = folder.contains("unseen") ? -35 : 35
                    for y in (cy - 1)...(cy + 1) { for x in (cx - 1)...(cx + 1) { px[y * side + x] = UInt8(max(0, min(255, Int(px[y * side + x]) + delta))) } }
                }
                try PNG.writeGray8(path: "\(root)/\(folder)/img\(String(format: "%03d", i)).png", width: side, height: side, pixels: px)
            }
        }
        let bad = (0..<20).map { "img\(String(format: "%03d", $0)).png" }
        var lowShot: [String: [String]] = [:]
        for k in 0..<5 { lowShot["key\(k)"] = (0..<6).map { bad[(k * 3 + $0) % 20] } }
        try JSONSerialization.data(withJSONObject: lowShot).write(to: URL(fileURLWithPath: root + "/low_shot_train.json"))
        var labels = [UInt8](repeating: 0, count: side * side)
        for y in 0..<side { for x in 0..<side { labels[y * side + x] = x < 4 || x >= 28 ? 0 : ((y / 4) % 2 == 0 ? 1 : 2) } }
        try PNG.writeGray8(path: root + "/segmentation.png", width: side, height: side, pixels: labels.map { $0 * 100 })
    }

    func testVADTargetsThroughMake() throws {
        let tmp = try temporaryFolder()
        let root = tmp + "/vad"
        try Self.makeTree(root)
        let goals = ["vad-oneclass", "vad-highshot", "vad-lowshot", "vad-ablation"]
        func args(_ artifacts: String, brf: String = "--num-parallel-tree 10") -> [String] {
            ["-C", ToolRunner.repoRoot, "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)", "VAD_ROOT=\(root)",
             "VAD_SIZE=32", "VAD_SEGMENTS=3", "VAD_SEEDS=0 1", "VAD_DETECTORS=golden-template", "VAD_CLASSIFIER=0",
             "BRF_ARGS=\(brf)"]
        }
        let a2 = tmp + "/j2", a1 = tmp + "/j1"
        let run = try ToolRunner.run("make", ["-j2"] + goals + args(a2))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        for mode in ["oneclass", "highshot", "lowshot"] {
            for file in ["report/metrics.json", "report/results.md", "report/unseen/metrics.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(a2)/vad-\(mode)/\(file)"), "\(mode)/\(file)")
            }
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(a2)/vad-\(mode)/report/metrics.json"))) as! [String: Any]
            let methods = json["methods"] as! [String: Any]
            XCTAssertEqual(Set(methods.keys), ["golden-template", "SegAD(golden-template)"], mode)
            let segad = (methods["SegAD(golden-template)"] as! [String: Any])["auroc"] as! [String: Any]
            XCTAssertEqual((segad["per_seed"] as! [String: Any]).count, 2, mode)
        }
        let synthetic = try FileManager.default.contentsOfDirectory(atPath: a2 + "/vad-oneclass/synthetic/seed-0")
        XCTAssertEqual(synthetic.filter { $0.hasSuffix(".png") }.count, 20)
        let ablation = try String(contentsOfFile: a2 + "/vad-highshot/ablation/report/results.md", encoding: .utf8)
        for row in ["Max of map only", "One segment", "Boosted trees", "Random forest", "SegAD(golden-template)"] {
            XCTAssertTrue(ablation.contains(row), ablation)
        }

        // Nothing left to do; BRF parameters rerun only train-brf and evaluate;
        // a detector's fit parameters rerun its fit, maps and what follows, not the manifests.
        let again = try ToolRunner.run("make", ["-n"] + goals + args(a2))
        for stage in ["extract-maps", "segment-stats", "train-brf", "evaluate"] {
            XCTAssertFalse(again.stdout.contains(stage), again.stdout)
        }
        let brf = try ToolRunner.run("make", ["-n"] + goals + args(a2, brf: "--num-parallel-tree 11"))
        XCTAssertFalse(brf.stdout.contains("extract-maps") || brf.stdout.contains("segment-stats"), brf.stdout)
        XCTAssertTrue(brf.stdout.contains("train-brf") && brf.stdout.contains("evaluate report"), brf.stdout)
        let fit = try ToolRunner.run("make", ["-n"] + goals + args(a2) + ["VAD_FIT_ARGS_golden-template=--limit 15"])
        XCTAssertTrue(fit.stdout.contains("extract-maps fit") && fit.stdout.contains("extract-maps apply"), fit.stdout)
        XCTAssertFalse(fit.stdout.contains("vad-manifest") || fit.stdout.contains("synthesize-defects"), fit.stdout)

        // -j1 gives the same numbers.
        let serial = try ToolRunner.run("make", ["-j1"] + goals + args(a1))
        XCTAssertEqual(serial.status, 0, serial.stdout + serial.stderr)
        for report in ["vad-oneclass/report", "vad-highshot/report", "vad-lowshot/report", "vad-highshot/report/unseen",
                       "vad-highshot/ablation/report"] {
            // metrics.json records the scores paths (which differ) and its key order is not fixed:
            // compare the parsed methods, and results.csv byte for byte.
            func parsed(_ dir: String) throws -> NSDictionary {
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(report)/metrics.json"))) as! NSDictionary
            }
            XCTAssertEqual(try parsed(a2)["methods"] as? NSDictionary, try parsed(a1)["methods"] as? NSDictionary, report)
            XCTAssertEqual(try String(contentsOfFile: "\(a2)/\(report)/results.csv", encoding: .utf8),
                           try String(contentsOfFile: "\(a1)/\(report)/results.csv", encoding: .utf8), report)
        }
    }

    func testMissingOrWrongRootIsOneMessage() throws {
        let tmp = try temporaryFolder()
        let unset = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "vad-highshot", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(tmp)"])
        XCTAssertNotEqual(unset.status, 0)
        XCTAssertTrue(unset.stderr.contains("set VAD_ROOT=DIR") && unset.stderr.contains("vad-elpv-tree"), unset.stderr)
        try FileManager.default.createDirectory(atPath: tmp + "/notvad/train/good", withIntermediateDirectories: true)
        let wrong = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "vad-lowshot", "BIN=\(ToolRunner.binDirectory)",
                                                "ARTIFACTS=\(tmp)", "VAD_ROOT=\(tmp)/notvad"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("missing train/bad/ test/good/ test/bad/ test/bad_unseen_defects/ low_shot_train.json"), wrong.stderr)
        // The stage itself says the same when run directly.
        let direct = try ToolRunner.run("build-dataset", ["vad-manifest", "--root", tmp + "/notvad", "--mode", "highshot",
                                                         "--seed", "0", "-o", tmp + "/m.json"])
        XCTAssertNotEqual(direct.status, 0)
        XCTAssertTrue(direct.stderr.contains("is not a VAD folder: missing train/good/ images (.png .jpg .jpeg .tif .tiff), train/bad/"), direct.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/m.json"))
    }
}
