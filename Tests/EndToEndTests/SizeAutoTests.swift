import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// SIZE=auto (docs/size-auto.md; pipelines/size-auto.mk): `extract-maps
/// choose-size` on a few real ELPV mono cells at tiny sizes — it reads no
/// test image (they are deleted and the choice is the same), chooses the same
/// twice, reuses its cached candidates, falls back to the fixed rule with one
/// line when the training defects are too few for k folds, and refuses a grid
/// side over the 8192 px bound; and `make images SIZE=auto` end to end.
final class SizeAutoTests: XCTestCase {
    static let elpv = ToolRunner.repoRoot + "/.cache/elpv"
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    /// DIR/good and DIR/bad: the first `good` and `bad` mono cells of ELPV (labels 0 and 1).
    static func elpvFolder(_ dir: String, good: Int, bad: Int) throws {
        let labels = try String(contentsOfFile: elpv + "/labels.csv", encoding: .utf8)
        var counts = (good: 0, bad: 0)
        for line in labels.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count == 3, f[2] == "mono", let p = Double(f[1]) else { continue }
            let label: String
            if p == 0, counts.good < good { label = "good"; counts.good += 1 }
            else if p == 1, counts.bad < bad { label = "bad"; counts.bad += 1 }
            else { continue }
            try FileManager.default.createDirectory(atPath: "\(dir)/\(label)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(elpv)/\(f[0])", toPath: "\(dir)/\(label)/\((f[0] as NSString).lastPathComponent)")
        }
    }

    func requireData() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.elpv + "/labels.csv"), "ELPV not fetched (scripts/fetch-data.sh elpv)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched (make weights)")
    }

    /// The tiny grid every test uses: 32 and 64 px squares, three folds, a small forest.
    static func chooseArgs(manifest: String, work: String, extra: [String] = []) -> [String] {
        ["choose-size", "--manifest", manifest, "--seed", "0", "--short-sides", "32,64", "--shapes", "aspect,square",
         "--folds", "3", "--detectors", "padim,golden-template", "--weights", weights, "--segments", "2",
         "--rounds", "3", "--num-parallel-tree", "10", "--quiet", "--work", work, "-o", work + "/size.txt"] + extra
    }

    static func record(_ work: String) throws -> SizeChoice.Choice {
        try JSONDecoder().decode(SizeChoice.Choice.self, from: Data(contentsOf: URL(fileURLWithPath: SizeChoice.recordPath(work: work))))
    }

    func testChoiceReadsNoTestImageIsDeterministicAndReusesCandidates() throws {
        try requireData()
        let tmp = try temporaryFolder()
        try Self.elpvFolder(tmp + "/cells", good: 30, bad: 24)
        let manifestPath = tmp + "/manifest.json"
        let m = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/cells", "--seeds", "0,1", "-o", manifestPath])
        XCTAssertEqual(m.status, 0, m.stderr)

        let first = try ToolRunner.run("extract-maps", Self.chooseArgs(manifest: manifestPath, work: tmp + "/a"))
        XCTAssertEqual(first.status, 0, first.stderr)
        let a = try Self.record(tmp + "/a")
        XCTAssertNil(a.fallback)
        XCTAssertEqual(a.results.map(\.candidate.name), ["32x32", "64x64"])   // square cells: aspect = square, deduplicated
        XCTAssertEqual(a.reused, 0)
        for r in a.results {
            XCTAssertTrue(r.auroc >= 0 && r.auroc <= 100 && r.fpr95 >= 0 && r.msPerImage > 0, "\(r)")
        }
        let size = try String(contentsOfFile: tmp + "/a/size.txt", encoding: .utf8)
        XCTAssertEqual(size, "\(a.chosen.height)x\(a.chosen.width)\n")
        let table = try String(contentsOfFile: tmp + "/a/choice.md", encoding: .utf8)
        XCTAssertTrue(table.contains("| \(a.chosen.name) ← |"), table)
        XCTAssertTrue(FileManager.default.fileExists(atPath: tmp + "/a/choice.png"))

        // Cached: a rerun in the same folder scores nothing again; a wider
        // tolerance re-picks from the cache (every candidate ties: the smallest wins).
        let stamp = try FileManager.default.attributesOfItem(atPath: tmp + "/a/candidates/64x64.json")[.modificationDate] as! Date
        let again = try ToolRunner.run("extract-maps", Self.chooseArgs(manifest: manifestPath, work: tmp + "/a", extra: ["--tolerance", "100"]))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("32x32 (") && again.stderr.contains("2 candidates, 2 reused"), again.stderr)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: tmp + "/a/candidates/64x64.json")[.modificationDate] as! Date, stamp)
        XCTAssertEqual(try String(contentsOfFile: tmp + "/a/size.txt", encoding: .utf8), "32x32\n")

        // It reads seed 0's pool and segad-train images and nothing else: no
        // test image of seed 0 (nor an image only other seeds train on).
        // Delete every other image; the choice from a fresh folder is the
        // same, to the last digit (deterministic too).
        let manifest = try Manifest.load(path: manifestPath)
        let allowed = Set(manifest.ids(.detectorTrain, seed: 0) + manifest.ids(.segadTrain, seed: 0))
        var deleted = 0
        for item in manifest.items where !allowed.contains(item.id) {
            try FileManager.default.removeItem(atPath: manifest.resolve(item.image!)); deleted += 1
        }
        XCTAssertEqual(deleted, manifest.ids(.test, seed: 0).count)
        XCTAssertGreaterThan(deleted, 10)
        let blind = try ToolRunner.run("extract-maps", Self.chooseArgs(manifest: manifestPath, work: tmp + "/b"))
        XCTAssertEqual(blind.status, 0, blind.stderr)
        let b = try Self.record(tmp + "/b")
        XCTAssertEqual(b.chosen, a.chosen)
        XCTAssertEqual(b.results.map(\.auroc), a.results.map(\.auroc))
        XCTAssertEqual(b.results.map(\.fpr95), a.results.map(\.fpr95))
        XCTAssertEqual(b.results.map(\.key), a.results.map(\.key))
        XCTAssertEqual(try String(contentsOfFile: tmp + "/b/size.txt", encoding: .utf8), size)
    }

    func testTooFewTrainingDefectsFallsBackToTheFixedRuleInOneLine() throws {
        try requireData()
        let tmp = try temporaryFolder()
        try Self.elpvFolder(tmp + "/cells", good: 20, bad: 4)
        let manifestPath = tmp + "/manifest.json"
        let m = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/cells", "--seeds", "0", "-o", manifestPath])
        XCTAssertEqual(m.status, 0, m.stderr)
        let r = try ToolRunner.run("extract-maps", Self.chooseArgs(manifest: manifestPath, work: tmp + "/w", extra: ["--folds", "5"]))
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("extract-maps choose-size:") }
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(lines[0].contains("too few for 5 folds: fell back to the fixed rule, working size 256x256"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: tmp + "/w/size.txt", encoding: .utf8), "256x256\n")
        let c = try Self.record(tmp + "/w")
        XCTAssertNotNil(c.fallback)
        XCTAssertTrue(c.results.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/w/candidates"), "no candidate was scored")
    }

    func testGridSideOverTheBoundIsRefused() throws {
        try requireData()
        let tmp = try temporaryFolder()
        try Self.elpvFolder(tmp + "/cells", good: 12, bad: 6)
        let manifestPath = tmp + "/manifest.json"
        XCTAssertEqual(try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/cells", "--seeds", "0", "-o", manifestPath]).status, 0)
        var args = Self.chooseArgs(manifest: manifestPath, work: tmp + "/w", extra: ["--folds", "2"])
        args[args.firstIndex(of: "32,64")!] = "32,9000"
        let r = try ToolRunner.run("extract-maps", args)
        assertOneLineRefusal(r, "--short-sides", "9000 is over the 8192 px bound")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/w/size.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/w/candidates"))
    }

    /// The pick: fewest pixels within the tolerance of the best; ties to the smaller coreset ratio.
    func testPickPrefersTheSmallestWithinTolerance() throws {
        func result(_ side: Int, _ auroc: Double, ratio: Float? = nil) -> SizeChoice.Result {
            .init(candidate: .init(height: side, width: side, coresetRatio: ratio), auroc: auroc, fpr95: 0, msPerImage: 1, rows: 1, bad: 1, key: "")
        }
        let grid = [result(128, 90.2), result(64, 90.0), result(32, 89.8)]
        XCTAssertEqual(SizeChoice.pick(grid, tolerance: 0.3)?.candidate.height, 64)
        XCTAssertEqual(SizeChoice.pick(grid, tolerance: 0.5)?.candidate.height, 32)
        XCTAssertEqual(SizeChoice.pick(grid, tolerance: 0)?.candidate.height, 128)
        XCTAssertEqual(SizeChoice.pick([result(64, 90, ratio: 0.1), result(64, 90.1, ratio: 0.01)], tolerance: 0.3)?.candidate.coresetRatio, 0.01)
        XCTAssertEqual(SizeChoice.pick([result(64, .nan), result(32, 70)], tolerance: 0.3)?.candidate.height, 32)
        // A 500×1247 part: aspect kept (sides multiples of 32) and square, smallest first.
        let g = try SizeChoice.grid(height: 500, width: 1247, shortSides: [128, 256], shapes: [.aspect, .square], ratios: [])
        XCTAssertEqual(g.map(\.name), ["128x128", "128x320", "256x256", "256x640"])
        XCTAssertThrowsError(try SizeChoice.grid(height: 100, width: 4000, shortSides: [256], shapes: [.aspect], ratios: [])) {
            XCTAssertTrue("\($0)".contains("over the 8192 px bound"), "\($0)")
        }
    }

    /// `make images SIZE=auto`: the chosen size drives the run, the report
    /// shows the grid's figure, pipeline.h5 records the choice; rerun: nothing
    /// to do; a new tolerance reruns only the choice (from the cache);
    /// SIZE=HxW still fixes the size by hand.
    func testMakeImagesSizeAuto() throws {
        try requireData()
        let tmp = try temporaryFolder()
        try Self.elpvFolder(tmp + "/cells", good: 30, bad: 24)
        let artifacts = tmp + "/artifacts"
        let args = ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(tmp)/cells", "BIN=\(ToolRunner.binDirectory)",
                    "ARTIFACTS=\(artifacts)", "SIZE=auto", "SIZE_AUTO_SIDES=32 64", "SIZE_AUTO_FOLDS=3",
                    "DETECTORS=padim golden-template", "SEGMENTS=2", "SEEDS=0 1", "BRF_ARGS=--num-parallel-tree 10 --rounds 3"]
        let run = try ToolRunner.run("make", ["-j2"] + args)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let a = artifacts + "/cells"
        XCTAssertTrue(run.stdout.contains("extract-maps choose-size") && run.stdout.contains("--num-parallel-tree 10 --rounds 3"), run.stdout)
        let choice = try Self.record(a + "/size-auto")
        let state = try DetectorStateArtifact(path: a + "/detectors/cells/padim.h5")
        XCTAssertEqual(state.size.height, choice.chosen.height)
        XCTAssertEqual(state.size.width, choice.chosen.width)
        XCTAssertTrue(FileManager.default.fileExists(atPath: a + "/report/figures/size-choice.png"))
        let results = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        XCTAssertTrue(results.contains("## Working size (SIZE=auto)") && results.contains("| \(choice.chosen.name) ← |"), results)
        let pipeline = try ArtifactReader(path: a + "/pipeline.h5", expecting: .pipeline)
        let recorded = pipeline.config["size_choice"] as? [String: Any]
        XCTAssertEqual(recorded?["chosen"] as? String, choice.chosen.name, "\(pipeline.config)")
        XCTAssertEqual((recorded?["candidates"] as? [Any])?.count, 2)

        let again = try ToolRunner.run("make", ["-n"] + args)
        XCTAssertTrue(again.stdout.contains("Nothing to be done for 'images'"), again.stdout)
        let tolerance = try ToolRunner.run("make", ["-n"] + args + ["SIZE_AUTO_TOLERANCE=0.5"])
        XCTAssertTrue(tolerance.stdout.contains("extract-maps choose-size") && tolerance.stdout.contains("--tolerance 0.5"), tolerance.stdout)
        let fixed = try ToolRunner.run("make", ["-n"] + args.map { $0 == "SIZE=auto" ? "SIZE=32x32" : $0 })
        // The size as one shell word, quoted or not (pipelines/safe.mk, shq).
        let fixedCommands = fixed.stdout.replacingOccurrences(of: "'", with: "")
        XCTAssertTrue(fixedCommands.contains("extract-maps working-size") && fixedCommands.contains("--size 32x32"), fixed.stdout)
        XCTAssertFalse(fixed.stdout.contains("choose-size"), fixed.stdout)
    }

    /// VAD_SIZE=auto: `make -q` remakes the generated include (the choice on
    /// the first seed's high-shot manifest, train/ only) and restarts on it;
    /// the detectors then fit at the chosen size; a second look chooses nothing again.
    func testVADSizeAutoChoosesIntoTheGeneratedInclude() throws {
        try requireData()
        let tmp = try temporaryFolder()
        let artifacts = tmp + "/artifacts"
        let base = ["-C", ToolRunner.repoRoot, "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)"]
        let tree = try ToolRunner.run("make", base + ["vad-elpv-tree"])
        XCTAssertEqual(tree.status, 0, tree.stderr)
        // A small tree: the first cells of each folder (test/ is never read by the choice).
        let root = artifacts + "/vad-elpv/tree"
        for (folder, keep) in [("train/good", 40), ("train/bad", 24), ("test/good", 4), ("test/bad", 4), ("test/bad_unseen_defects", 2)] {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)").sorted()
            for f in files.dropFirst(keep) { try FileManager.default.removeItem(atPath: "\(root)/\(folder)/\(f)") }
        }
        // The low-shot lists name only kept train/bad cells.
        let kept = try FileManager.default.contentsOfDirectory(atPath: root + "/train/bad").sorted()
        let lowShot = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/low_shot_train.json"))) as! [String: [String]]
        let pruned = lowShot.mapValues { _ in Array(kept.prefix(3)) }
        try JSONSerialization.data(withJSONObject: pruned).write(to: URL(fileURLWithPath: root + "/low_shot_train.json"))
        let args = base + ["vad-highshot", "VAD_ROOT=\(root)", "VAD_SEGMENTS=2", "VAD_SIZE=auto", "SIZE_AUTO_SIDES=32 64",
                           "SIZE_AUTO_SHAPES=square", "SIZE_AUTO_FOLDS=3", "VAD_DETECTORS=padim golden-template", "VAD_SEEDS=0",
                           "VAD_CLASSIFIER=0", "BRF_ARGS=--num-parallel-tree 10 --rounds 3"]
        let q = try ToolRunner.run("make", ["-q"] + args)
        XCTAssertTrue(q.stdout.contains("extract-maps choose-size") || q.stderr.contains("extract-maps choose-size:"), q.stdout + q.stderr)
        let include = try String(contentsOfFile: artifacts + "/vad/size-auto/size.mk", encoding: .utf8)
        let choice = try Self.record(artifacts + "/vad/size-auto")
        XCTAssertNil(choice.fallback)
        XCTAssertEqual(include, "override VAD_SIZE := \(choice.chosen.height)x\(choice.chosen.width)\n")
        let n = try ToolRunner.run("make", ["-n"] + args)
        XCTAssertEqual(n.status, 0, n.stderr)
        XCTAssertFalse(n.stdout.contains("choose-size"), n.stdout)
        XCTAssertTrue(n.stdout.contains("--kind padim --seed 0 --size \(choice.chosen.height)x\(choice.chosen.width)"), n.stdout)
    }
}
