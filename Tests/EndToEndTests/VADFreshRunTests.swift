import Foundation
import XCTest
import SegADNative
import SegAD
import _TestSupport

/// `make -j2 vad-highshot` in one go from a state with no data cache and no
/// artifacts (docs/vad.md, "From a fresh clone"): every rule that reads the backbone weights depends
/// on them, so the fetch runs first and once. The fetch is stubbed through
/// FETCH_DATA (a delayed copy of the already fetched weights, never a
/// download); skipped when the weights are not in .cache/ (`make test`
/// fetches them first).
final class VADFreshRunTests: XCTestCase {
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    /// A small VAD-layout tree of 32 (high) × 64 (wide) gray parts: stripes,
    /// bad ones with a faint blob; a 3-segment label map.
    static func makeTree(_ root: String) throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let h = 32, w = 64
        let counts = ["train/good": 20, "train/bad": 10, "test/good": 8, "test/bad": 6, "test/bad_unseen_defects": 2]
        for (folder, count) in counts.sorted(by: { $0.key < $1.key }) {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            for i in 0..<count {
                var px = [UInt8](repeating: 0, count: h * w)
                for y in 0..<h { for x in 0..<w { px[y * w + x] = UInt8(((y / 4) % 2 == 0 ? 90 : 160) + Int(40 * next())) } }
                if folder.contains("bad") {
                    let cy = 3 + Int(next() * 26), cx = 3 + Int(next() * 58)
                    for y in (cy - 2)...(cy + 2) { for x in (cx - 2)...(cx + 2) { px[y * w + x] = 250 } }
                }
                try PNG.writeGray8(path: "\(root)/\(folder)/p\(String(format: "%02d", i)).png", width: w, height: h, pixels: px)
            }
        }
        var labels = [UInt8](repeating: 0, count: h * w)
        for y in 0..<h { for x in 0..<w { labels[y * w + x] = x < 4 || x >= 60 ? 0 : ((y / 4) % 2 == 0 ? 100 : 200) } }
        try PNG.writeGray8(path: root + "/segmentation.png", width: w, height: h, pixels: labels)
    }

    func testHighShotRunsInOneGoFromNoCacheAndWritesOnlyItsOwnFigures() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched")
        let tmp = try temporaryFolder()
        let root = tmp + "/vad", cache = tmp + "/cache", artifacts = tmp + "/artifacts", log = tmp + "/fetch.log"
        try Self.makeTree(root)
        // The stub fetch waits, so a rule that read the weights without depending on them would fail.
        let fetch = "sleep 2; mkdir -p \(cache)/weights \(cache)/elpv && cp \(Self.weights) \(cache)/weights/efficientnet-lite0.pth.part "
            + "&& mv \(cache)/weights/efficientnet-lite0.pth.part \(cache)/weights/efficientnet-lite0.pth && touch \(cache)/elpv/labels.csv && echo fetched >> \(log)"
        let args = ["-C", ToolRunner.repoRoot, "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)", "VAD_ROOT=\(root)",
                    "DATA_CACHE=\(cache)", "FETCH_DATA=\(fetch)", "VAD_SEGMENTS=3", "VAD_SEEDS=3",
                    "VAD_DETECTORS=patchcore golden-template", "BRF_ARGS=--num-parallel-tree 10"]

        // The default working size follows the images: 32×64 → short side 256 → 256x512.
        let plan = try ToolRunner.run("make", ["-n", "vad-highshot"] + args)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("--size 256x512") && !plan.stdout.contains("--size 256 "), plan.stdout)

        let run = try ToolRunner.run("make", ["-j2", "vad-highshot", "VAD_SIZE=32x64"] + args)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "fetched weights\n")   // once, the weights alone
        let md = try String(contentsOfFile: artifacts + "/vad-highshot/report/results.md", encoding: .utf8)
        for row in ["SegAD(classifier+patchcore+golden-template)", "| classifier |", "SegAD(patchcore+golden-template)"] {
            XCTAssertTrue(md.contains(row), md)
        }
        // The classifier state records its cross-fitting.
        let state = try ArtifactReader(path: artifacts + "/vad-highshot/classifier/seed-3.h5", expecting: .classifier)
        let crossFit = state.config["cross_fit"] as! [String: Any]
        XCTAssertEqual(crossFit["folds"] as? Int, 5)
        XCTAssertEqual(crossFit["seed"] as? Int, 3)
        XCTAssertEqual(try state.file.readStrings("fold_ids").count, 20)   // the seed's segad-train: 10 good + 10 bad

        // classifier-apply refuses a state trained on a row the manifest tests, or on a forest
        // row it has no out-of-fold model for (an in-sample score); one line, no output.
        let manifestPath = artifacts + "/vad-highshot/manifests/seed-3.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        let roles = (manifest["seeds"] as! [String: Any])["3"] as! [String: [String]]
        let forest = Set(roles["segad-train"]!)
        let x = roles["classifier-train"]!.first { !forest.contains($0) }!   // a detector-train good image
        for (name, edit) in [("tested", { (r: inout [String: [String]]) in
                                 r["test"]!.append(x)
                                 r["classifier-train"]!.removeAll { $0 == x }
                                 r["detector-train"]!.removeAll { $0 == x } }),
                             ("in-sample", { (r: inout [String: [String]]) in r["segad-train"]!.append(x) })] {
            var r = roles
            edit(&r)
            manifest["seeds"] = ["3": r]
            let path = "\(tmp)/\(name).json"
            try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
            let refused = try ToolRunner.run("build-dataset", ["classifier-apply", "--manifest", path, "--state",
                                                              artifacts + "/vad-highshot/classifier/seed-3.h5", "-o", "\(tmp)/\(name).csv"])
            XCTAssertNotEqual(refused.status, 0, name)
            let expected = name == "tested" ? "a test row of seed 3" : "has no out-of-fold model for it"
            XCTAssertTrue(refused.stderr.contains("was trained on '\(x)'") && refused.stderr.contains(expected), refused.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(tmp)/\(name).csv"), name)
        }

        // A report rewritten with the drawn map keeps no figure of an earlier
        // run: figures the earlier report recorded in figures/.segad-output.
        let figures = artifacts + "/vad-highshot/report/figures"
        for stale in ["segmentation_overlay.png", "hist_SegAD_old_.png"] {
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: figures + "/" + stale))
        }
        let record = try FileHandle(forWritingTo: URL(fileURLWithPath: figures + "/.segad-output"))
        try record.seekToEnd()
        try record.write(contentsOf: Data("segmentation_overlay.png\nhist_SegAD_old_.png\n".utf8))
        try record.close()
        try FileManager.default.removeItem(atPath: artifacts + "/vad-highshot/report/metrics.json")
        let again = try ToolRunner.run("make", ["-j2", "vad-highshot", "VAD_SIZE=32x64"] + args)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertFalse(again.stdout.contains("extract-maps") || again.stdout.contains("train-brf"), again.stdout)
        let left = try FileManager.default.contentsOfDirectory(atPath: figures)
        XCTAssertFalse(left.contains("segmentation_overlay.png") || left.contains("hist_SegAD_old_.png"), "\(left)")
        XCTAssertTrue(left.contains("hist_classifier.png"), "\(left)")

        // Other folds refit the classifier and what reads its scores, not the detectors or
        // their maps (last: `make -n` rewrites the parameter stamps).
        let folds = try ToolRunner.run("make", ["-n", "vad-highshot", "VAD_SIZE=32x64", "VAD_CLASSIFIER_FOLDS=3"] + args)
        XCTAssertTrue(folds.stdout.contains("classifier-fit") && folds.stdout.contains("--folds 3")
                      && folds.stdout.contains("classifier-scores"), folds.stdout)
        XCTAssertFalse(folds.stdout.contains("extract-maps fit") || folds.stdout.contains("extract-maps apply")
                       || folds.stdout.contains("vad-manifest"), folds.stdout)
    }
}
