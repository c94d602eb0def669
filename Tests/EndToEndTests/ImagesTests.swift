import Foundation
import XCTest
import SegAD
import SegADNative
import SegADKernels
import _TestSupport

/// Your own images (README, "Your own images"; pipelines/images.mk): a small
/// synthetic folder of good/bad/uncertain parts of mixed sizes, gray and RGB,
/// run through exactly the README's two commands, plus the manifest rule,
/// bad input and every leakage guard. No Python on this path.
final class ImagesTests: XCTestCase {
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    /// A part: a smooth gray gradient with a little deterministic texture; a
    /// bad part carries a bright 1/8-size square. Even n: gray H×W; odd n: RGB
    /// (a tinted copy) at 1.25 times the size, so sizes and channels mix.
    /// n mod 4 = 0, 1: PNG at `path`; 2, 3: JPEG (3 progressive) at `path`
    /// with the extension .jpg.
    static func writePart(_ path: String, n: Int, bad: Bool, height: Int = 48, width: Int = 64) throws {
        let scale = n % 2 == 0 ? 1.0 : 1.25
        let h = Int(Double(height) * scale), w = Int(Double(width) * scale)
        var state = UInt32(truncatingIfNeeded: 2_654_435_761 &* (n + 7))
        var gray = [UInt8](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<w {
                state = state &* 1_664_525 &+ 1_013_904_223
                gray[y * w + x] = UInt8(80 + 60 * x / w + Int(state >> 28))
            }
        }
        if bad {
            let s = max(4, h / 8)
            let y0 = (n * 7) % (h - s), x0 = (n * 13) % (w - s)
            for y in y0..<(y0 + s) { for x in x0..<(x0 + s) { gray[y * w + x] = 250 } }
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let rgb = gray.flatMap { [$0, UInt8(Int($0) * 9 / 10), $0] }
        let jpeg = ((path as NSString).deletingPathExtension as NSString).appendingPathExtension("jpg")!
        switch n % 4 {
        case 0: try PNG.writeGray8(path: path, width: w, height: h, pixels: gray)
        case 1: try PNG.writeRGB8(path: path, width: w, height: h, pixels: rgb)
        case 2: try JPEG.write(path: jpeg, width: w, height: h, channels: 1, pixels: gray, quality: 95)
        default: try JPEG.write(path: jpeg, width: w, height: h, channels: 3, pixels: rgb, quality: 95, progressive: true)
        }
    }

    /// DIR/good (some in a subfolder), DIR/bad, DIR/uncertain and a notes file.
    static func makeFolder(_ dir: String, good: Int = 24, bad: Int = 10, uncertain: Int = 2) throws {
        for i in 0..<good { try writePart(dir + (i < 4 ? "/good/line 2/p\(i).png" : "/good/p\(i).png"), n: i, bad: false) }
        for i in 0..<bad { try writePart(dir + "/bad/b\(i).png", n: 100 + i, bad: true) }
        for i in 0..<uncertain { try writePart(dir + "/uncertain/u\(i).png", n: 200 + i, bad: i == 0) }
        if good > 0 { _ = FileManager.default.createFile(atPath: dir + "/good/notes.txt", contents: Data("not an image".utf8)) }
    }

    // MARK: - The README's commands, end to end

    func testMakeImagesThenScoreNew() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched (make weights)")
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try Self.makeFolder(parts)
        let artifacts = tmp + "/artifacts"
        let args = ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(ToolRunner.binDirectory)",
                    "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=padim golden-template", "SEGMENTS=3",
                    "SEEDS=0 1", "BRF_ARGS=--num-parallel-tree 10 --rounds 3"]
        let run = try ToolRunner.run("make", ["-j2"] + args)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("skipped 1 file without an image extension") && run.stderr.contains("good/notes.txt"), run.stderr)

        // The report: base detectors, SegAD per detector, on all, and with one segment.
        let a = artifacts + "/parts"
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a + "/report/metrics.json"))) as! [String: Any]
        XCTAssertEqual(metrics["method_order"] as? [String],
                       ["padim", "golden-template", "SegAD(padim)", "SegAD(golden-template)", "SegAD(padim+golden-template)",
                        "SegAD(padim+golden-template, 1 segment)"])
        let methods = metrics["methods"] as! [String: [String: Any]]
        for (name, m) in methods {
            let auroc = (m["auroc"] as! [String: Any])["mean"] as! Double
            XCTAssertTrue(auroc >= 0 && auroc <= 100, "\(name): \(auroc)")
        }
        // The bright squares are easy: the detectors separate them.
        XCTAssertGreaterThan(((methods["golden-template"]!["auroc"] as! [String: Any])["mean"] as! Double), 80)
        let results = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        XCTAssertTrue(results.contains("| SegAD(padim+golden-template, 1 segment) |"), results)
        XCTAssertTrue(run.stdout.contains("images: \(a)/pipeline.h5 holds SegAD("), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: a + "/report/figures/segmentation.png"))
        try checkSignOff(a, metrics: metrics, results: results, stdout: run.stdout)

        // The detectors were fitted once, on the pool, and say so in their state.
        let manifest = try Manifest.load(path: a + "/manifest.json")
        let state = try DetectorStateArtifact(path: a + "/detectors/parts/padim.h5")
        XCTAssertEqual(state.trainingIds, manifest.ids(.detectorTrain, seed: 0))
        XCTAssertEqual(state.size.height, 32)
        XCTAssertEqual(state.size.width, 48)

        // Finished: nothing to do; BRF_ARGS or SEGMENTS changed: no detector reruns.
        let again = try ToolRunner.run("make", ["-n"] + args)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("Nothing to be done for 'images'"), again.stdout)
        let brf = try ToolRunner.run("make", ["-n"] + args.dropLast() + ["BRF_ARGS=--num-parallel-tree 11 --rounds 3"])
        XCTAssertFalse(brf.stdout.contains("extract-maps") || brf.stdout.contains("segment-stats"), brf.stdout)
        XCTAssertTrue(brf.stdout.contains("train-brf"), brf.stdout)
        let segments = try ToolRunner.run("make", ["-n"] + args.map { $0 == "SEGMENTS=3" ? "SEGMENTS=4" : $0 })
        XCTAssertFalse(segments.stdout.contains("extract-maps fit") || segments.stdout.contains("extract-maps apply"), segments.stdout)
        XCTAssertTrue(segments.stdout.contains("derive-segmentation") && segments.stdout.contains("segment-stats"), segments.stdout)

        // The README's second command: score new parts with the saved pipeline.
        let new = tmp + "/new"
        try Self.writePart(new + "/ok-1.png", n: 301, bad: false)
        try Self.writePart(new + "/ok-2.png", n: 302, bad: false)      // n mod 4 = 2, 3: JPEGs
        XCTAssertTrue(FileManager.default.fileExists(atPath: new + "/ok-2.jpg"))
        try Self.writePart(new + "/scratch-1.png", n: 303, bad: true)
        let score = try ToolRunner.run(ToolRunner.binDirectory + "/evaluate",
                                       ["score-new", "--pipeline", a + "/pipeline.h5", "--images", new, "-o", tmp + "/scored"])
        XCTAssertEqual(score.status, 0, score.stderr)
        let csv = try String(contentsOfFile: tmp + "/scored/scores.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 4, csv.joined(separator: "\n"))
        XCTAssertEqual(Set(csv.dropFirst().map { String($0.split(separator: ",")[0]) }), ["ok-1", "ok-2", "scratch-1"])
    }

    /// RESIZE=pad on a folder of two aspect ratios (48x64 and 48x128, HxW;
    /// the second 1.78× off the working 32x48): the listing says how many
    /// are off once, the detector states and pipeline.h5 record pad, a
    /// finished run leaves Make nothing to do, and score-new scores the test
    /// images as the stage path did — with wide images padded, not stretched.
    /// A refused RESIZE changes nothing.
    func testResizePadSavedInPipelineScoresAsTheStages() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/mixed"
        for i in 0..<24 { try Self.writePart(parts + "/good/g\(i).png", n: 2 * (i / 2) * 2, bad: false, width: i % 2 == 0 ? 64 : 128) }
        for i in 0..<12 { try Self.writePart(parts + "/bad/b\(i).png", n: 100 + 4 * i, bad: true, width: i % 2 == 0 ? 64 : 128) }
        let artifacts = tmp + "/artifacts"
        let args = ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(ToolRunner.binDirectory)",
                    "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=golden-template", "SEGMENTS=3",
                    "SEEDS=0", "BRF_ARGS=--num-parallel-tree 10 --rounds 3", "RESIZE=pad"]
        let refused = try ToolRunner.run("make", args.dropLast() + ["RESIZE=zoom"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("RESIZE=zoom: give stretch, pad or crop"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: artifacts), "a refused RESIZE wrote something")

        let run = try ToolRunner.run("make", args)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("18 of 36 images are more than 1.5× off the working aspect 32x48 (HxW)"), run.stderr)
        let a = artifacts + "/mixed"
        let state = try DetectorStateArtifact(path: a + "/detectors/mixed/golden-template.h5")
        XCTAssertEqual(state.resize, .pad)
        let pipeline = try SavedPipeline(path: a + "/pipeline.h5")
        XCTAssertEqual(pipeline.resize, .pad)
        let again = try ToolRunner.run("make", ["-q"] + args)
        XCTAssertEqual(again.status, 0, "make -q after a finished run: " + again.stdout + again.stderr)

        // The stage path's scores of seed 0's test images, for the saved row.
        let method = try XCTUnwrap(pipeline.method)
        let combo = method.hasSuffix(", 1 segment)") ? "one-segment" : String(method.dropFirst("SegAD(".count).dropLast())
        let reference = try ScoresArtifact(path: a + "/scores/mixed/segad-\(combo).h5").seeds[0]
        let manifest = try Manifest.load(path: a + "/manifest.json")
        let new = tmp + "/new"
        try FileManager.default.createDirectory(atPath: new, withIntermediateDirectories: true)
        var wide: String?
        for id in reference.ids {
            let source = manifest.resolve(manifest.items[manifest.index[id]!].image!)
            try FileManager.default.copyItem(atPath: source, toPath: new + "/\(id).png")
            if try ImageFile.header(path: source).width == 128 { wide = source }
        }
        let scored = try ToolRunner.run(ToolRunner.binDirectory + "/evaluate", ["score-new", "--pipeline", a + "/pipeline.h5",
                                                                                "--images", new, "--no-overlays", "-o", tmp + "/scored"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let rows = try String(contentsOfFile: tmp + "/scored/scores.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        var byId: [String: Double] = [:]
        for r in rows { let f = r.split(separator: ","); byId[String(f[0])] = Double(f[1]) }
        XCTAssertEqual(byId.count, reference.ids.count)
        for (id, score) in zip(reference.ids, reference.scores) {
            XCTAssertEqual(try XCTUnwrap(byId[id], id), score, accuracy: 1e-5, id)
        }
        // A wide test image is padded on the way in: black rows above and below.
        let image = try PipelineImage.load(path: try XCTUnwrap(wide), size: (32, 48), channels: 1, resize: pipeline.resize)
        XCTAssertTrue(image.values[0..<48].allSatisfy { $0 == 0 } && image.values[(31 * 48)...].allSatisfy { $0 == 0 })
        XCTAssertTrue(image.values[(16 * 48)..<(17 * 48)].allSatisfy { $0 > 0 })
    }

    /// The report's sign-off section (Report+SignOff.swift): per row the test
    /// counts, the working size, 95% intervals and the indicative-only flag
    /// (5 test defects per seed here); the saved row and its operating point,
    /// as pipeline.h5 records them.
    func checkSignOff(_ a: String, metrics: [String: Any], results: String, stdout: String) throws {
        let signOff = try XCTUnwrap(metrics["sign_off"] as? [String: Any])
        XCTAssertEqual(signOff["working_size_hxw"] as? String, "32x48")
        let intervals = try XCTUnwrap(signOff["intervals"] as? [String: Any])
        XCTAssertEqual(intervals["resamples"] as? Int, 1000)
        XCTAssertEqual(intervals["seed"] as? Int, 0)
        let manifest = try Manifest.load(path: a + "/manifest.json")
        let methods = metrics["methods"] as! [String: [String: Any]]
        for (name, m) in methods {
            let so = try XCTUnwrap(m["sign_off"] as? [String: Any], name)
            let counts = try XCTUnwrap(so["test_counts_per_seed"] as? [String: [String: Int]], name)
            for seed in [0, 1] {
                let test = manifest.ids(.test, seed: seed).compactMap { manifest.index[$0].map { manifest.items[$0].label } }
                XCTAssertEqual(counts["\(seed)"], ["good": test.filter { $0 == .good }.count, "bad": test.filter { $0 == .bad }.count,
                                                  "uncertain": test.filter { $0 == .uncertain }.count], name)
            }
            XCTAssertEqual(so["indicative_only"] as? Bool, (counts.values.map { $0["bad"]! }.min()!) < 10, name)
            for key in ["auroc", "fpr95tpr"] {
                let ci = try XCTUnwrap(so[key + "_ci95"] as? [Double], name)
                XCTAssertTrue(ci.count == 2 && 0 <= ci[0] && ci[0] <= ci[1] && ci[1] <= 100, "\(name) \(key): \(ci)")
            }
        }
        XCTAssertTrue(results.contains("## For sign-off") && results.contains("Working size (HxW): 32x48"), results)
        XCTAssertTrue(results.contains("indicative only"), results)
        // The saved row: named in the report as in pipeline.h5 and on the console.
        let p = try XCTUnwrap(signOff["pipeline"] as? [String: Any])
        let method = try XCTUnwrap(p["method"] as? String)
        XCTAssertTrue(stdout.contains("holds \(method) (seed 0)"), stdout)
        XCTAssertTrue(results.contains("holds **\(method)**") && results.contains("saved as pipeline.h5"), results)
        let reader = try ArtifactReader(path: a + "/pipeline.h5", expecting: .pipeline)
        defer { reader.close() }
        let op = try XCTUnwrap(reader.config["operating_point"] as? [String: Any])
        XCTAssertEqual(reader.config["method"] as? String, method)
        for (k, v) in [("threshold", "threshold"), ("oof_tpr", "oof_tpr"), ("oof_fpr", "oof_fpr")] {
            XCTAssertEqual((op[k] as? NSNumber)?.doubleValue, (p[v] as? NSNumber)?.doubleValue, k)
        }
    }

    /// A truncated JPEG among the good images: the manifest takes it (by its
    /// extension), the first stage that decodes it stops with one line naming
    /// it, and no artifact of that stage appears.
    func testTruncatedJPEGStopsMakeImages() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try Self.makeFolder(parts, good: 12, bad: 4, uncertain: 0)
        let broken = parts + "/good/line 2/p2.jpg"       // n = 2: a gray JPEG
        let bytes = try Data(contentsOf: URL(fileURLWithPath: broken))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: broken))
        let artifacts = tmp + "/artifacts"
        let run = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(ToolRunner.binDirectory)",
                                              "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=golden-template", "SEEDS=0",
                                              "FEW_BAD=2"])   // 4 bad images: the supervised regime (docs/regimes.md)
        XCTAssertNotEqual(run.status, 0)
        let errors = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        XCTAssertEqual(errors.count, 1, run.stderr)
        XCTAssertTrue(errors.first?.contains(broken) == true, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: artifacts + "/parts/manifest.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: artifacts + "/parts/report/metrics.json"))
    }

    // MARK: - The manifest rule

    func testManifestSplitRuleAndWorkingSize() throws {
        let tmp = try temporaryFolder()
        try Self.makeFolder(tmp + "/parts", good: 10, bad: 4, uncertain: 2)
        let out = tmp + "/m/manifest.json"
        let r = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/parts", "--seeds", "0,1", "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let m = try Manifest.load(path: out)
        XCTAssertEqual(m.name, "parts")
        // Ids from relative paths, sorted: good/line 2/p0…p3 first, then good/p4…p9.
        let good = m.items.filter { $0.label == .good }.map(\.id)
        XCTAssertEqual(good, ["good_line 2_p0", "good_line 2_p1", "good_line 2_p2", "good_line 2_p3",
                              "good_p4", "good_p5", "good_p6", "good_p7", "good_p8", "good_p9"])
        let bad = m.items.filter { $0.label == .bad }.map(\.id)
        XCTAssertEqual(bad, ["bad_b0", "bad_b1", "bad_b2", "bad_b3"])
        for item in m.items { XCTAssertTrue(FileManager.default.fileExists(atPath: m.resolve(item.image!)), item.id) }
        // The split (docs/manifest.md, "The split"): an image's role is a hash of
        // the seed and its id. Python: int.from_bytes(sha256(key)[:8], "big") >> 11 over 2^53.
        let pool = good.filter { ImagesManifest.unit("pool:0:\($0)") < 0.4 }
        let rest = good.filter { !pool.contains($0) }
        XCTAssertEqual(ImagesManifest.unit("0:good_p4"), 0.4531707164195088)
        for seed in [0, 1] {
            XCTAssertEqual(m.ids(.detectorTrain, seed: seed), pool)
            let tested = { (id: String) in ImagesManifest.unit("\(seed):\(id)") < 0.5 }
            XCTAssertEqual(m.ids(.segadTrain, seed: seed), rest.filter { !tested($0) } + bad.filter { !tested($0) })
            XCTAssertEqual(m.ids(.test, seed: seed), rest.filter(tested) + bad.filter(tested) + ["uncertain_u0", "uncertain_u1"])
        }
        XCTAssertFalse(pool.isEmpty)

        // The working size: the first image (good/line 2/p0.png, 48×64 gray) → 256×352, said once.
        let size = try ToolRunner.run("extract-maps", ["working-size", "--manifest", out])
        XCTAssertEqual(size.status, 0, size.stderr)
        XCTAssertEqual(size.stdout, "256x352\n")
        XCTAssertEqual(size.stderr.split(separator: "\n").count, 1, size.stderr)
        XCTAssertTrue(size.stderr.contains("working size 256x352 (HxW)"), size.stderr)
        XCTAssertEqual(WorkingSize.forImage(height: 500, width: 1247).width, 640)
        XCTAssertEqual(WorkingSize.forImage(height: 500, width: 1247).height, 256)

        // The same from a CSV of path,label.
        let csv = tmp + "/parts/list.csv"
        let lines = ["path,label"] + m.items.map { item -> String in
            let rel = String(m.resolve(item.image!).dropFirst((tmp + "/parts/").count))
            return "\(rel),\(item.label.rawValue)"
        }
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let fromCSV = tmp + "/m/csv.json"
        let c = try ToolRunner.run("build-dataset", ["images-manifest", "--csv", csv, "--seeds", "0,1", "-o", fromCSV])
        XCTAssertEqual(c.status, 0, c.stderr)
        let m2 = try Manifest.load(path: fromCSV)
        XCTAssertEqual(m2.items.map(\.id), m.items.map(\.id))
        XCTAssertEqual(m2.seeds[1]?[.test], m.seeds[1]?[.test])
    }

    func testManifestBadInput() throws {
        let tmp = try temporaryFolder()
        func refuse(_ dir: String, _ expected: String, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
            let out = tmp + "/out-\(UUID().uuidString.prefix(6)).json"
            let r = try ToolRunner.run("build-dataset", ["images-manifest", "--images", dir, "-o", out] + extra)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(expected), r.stderr, file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing under the final name", file: file, line: line)
        }
        // No bad/ folder; an empty good/; a single bad image; two files with one id.
        try Self.makeFolder(tmp + "/nobad", good: 6, bad: 0, uncertain: 0)
        try refuse(tmp + "/nobad", "\(tmp)/nobad/bad: no such folder")
        try Self.makeFolder(tmp + "/emptygood", good: 0, bad: 3, uncertain: 0)
        try FileManager.default.createDirectory(atPath: tmp + "/emptygood/good", withIntermediateDirectories: true)
        try refuse(tmp + "/emptygood", "\(tmp)/emptygood/good: has no images")
        try Self.makeFolder(tmp + "/onebad", good: 8, bad: 1, uncertain: 0)
        try refuse(tmp + "/onebad", "\(tmp)/onebad/bad: 1 image; the split needs at least one bad image to train SegAD and one to test")
        try Self.makeFolder(tmp + "/fewgood", good: 2, bad: 4, uncertain: 0)
        try refuse(tmp + "/fewgood", "\(tmp)/fewgood/good: 2 images give an empty detector pool")
        try refuse(tmp + "/fewgood", "\(tmp)/fewgood/good: 2 images leave 1 outside the detector pool; the split needs at least 2",
                   extra: ["--pool-fraction", "0.9"])
        try Self.makeFolder(tmp + "/twins", good: 6, bad: 3, uncertain: 0)
        try Self.writePart(tmp + "/twins/good/p5.PNG.png", n: 1, bad: false)  // a distinct id: good_p5.PNG
        try FileManager.default.copyItem(atPath: tmp + "/twins/good/p5.png", toPath: tmp + "/twins/good/p5.tif")
        try refuse(tmp + "/twins", "gives the same id 'good_p5' as")
        try Self.makeFolder(tmp + "/control", good: 6, bad: 3, uncertain: 0)
        try FileManager.default.copyItem(atPath: tmp + "/control/good/p5.png", toPath: tmp + "/control/good/p\u{7}x.png")
        try refuse(tmp + "/control", "good/p\\u{7}x.png: file name has a control character")
        try refuse(tmp + "/missing", "\(tmp)/missing: no such folder")
    }

    // MARK: - Leakage guards

    /// Manifest A from the folder (one fixed pool), and B: A with the pool's
    /// first image moved into seed 1's test (a per-seed detector-train).
    func leakyPair(_ tmp: String) throws -> (a: String, b: String, leaked: String) {
        try Self.makeFolder(tmp + "/parts", good: 12, bad: 4, uncertain: 0)
        let a = tmp + "/a.json", b = tmp + "/b.json"
        let r = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/parts", "--seeds", "0,1", "-o", a])
        XCTAssertEqual(r.status, 0, r.stderr)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as! [String: Any]
        var seeds = json["seeds"] as! [String: [String: [String]]]
        let leaked = seeds["1"]!["detector-train"]![0]
        seeds["1"]!["detector-train"]!.removeFirst()
        seeds["1"]!["test"]!.append(leaked)
        json["seeds"] = seeds
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: b))
        return (a, b, leaked)
    }

    /// A maps artifact of every item of `manifest` (detector "x", 8×8),
    /// optionally carrying the ids its detector was fitted on.
    func writeMaps(_ path: String, manifest: String, trainedOn: [String]) throws {
        let m = try Manifest.load(path: manifest)
        let w = try MapsArtifactWriter(path: path, detector: "x", count: m.items.count, height: 8, width: 8, config: [:],
                                       inputs: [try .hashing(role: "manifest", path: manifest)])
        w.strings[LeakageGuard.mapsDataset] = trainedOn
        for (i, item) in m.items.enumerated() {
            let map = (0..<64).map { Float(($0 * 7 + i * 3) % 11) / 10 + (item.label == .bad ? 1 : 0) }
            try map.withUnsafeBufferPointer { try w.append(id: item.id, label: item.label, map: $0) }
        }
        try w.commit()
    }

    func assertRefused(_ r: ToolRunner.Result, seed: Int, id: String, naming file: String,
                       _ message: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, file: message, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: message, line: line)
        XCTAssertTrue(r.stderr.contains("\(file): seed \(seed): ") && r.stderr.contains("'\(id)'"), r.stderr, file: message, line: line)
    }

    func testLeakageGuardsFire() throws {
        let tmp = try temporaryFolder()
        let (a, b, leaked) = try leakyPair(tmp)

        // apply: a state fitted on A's pool, applied with B (the pool image is a test image of seed 1).
        let state = tmp + "/golden.h5"
        let fit = try ToolRunner.run("extract-maps", ["fit", "--manifest", a, "--kind", "golden-template", "--seed", "0",
                                                      "--size", "8x8", "-o", state])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let applyOK = try ToolRunner.run("extract-maps", ["apply", "--manifest", a, "--state", state, "-o", tmp + "/ok.h5"])
        XCTAssertEqual(applyOK.status, 0, applyOK.stderr)
        let apply = try ToolRunner.run("extract-maps", ["apply", "--manifest", b, "--state", state, "-o", tmp + "/maps.h5"])
        assertRefused(apply, seed: 1, id: leaked, naming: state)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/maps.h5"))

        // segment-stats: maps whose detector was fitted on a test image.
        let one = tmp + "/one.png"
        try PNG.writeGray8(path: one, width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 64))
        try writeMaps(tmp + "/leaky-maps.h5", manifest: b, trainedOn: [leaked])
        let stats = try ToolRunner.run("segment-stats", ["--manifest", b, "--maps", tmp + "/leaky-maps.h5",
                                                         "--segmentation", one, "--segments", "1", "-o", tmp + "/f.h5"])
        assertRefused(stats, seed: 1, id: leaked, naming: tmp + "/leaky-maps.h5")
        // evaluate score --maps (a base detector's row from its maps): the same guard.
        let scoreMaps = try ToolRunner.run("evaluate", ["score", "--maps", tmp + "/leaky-maps.h5", "--manifest", b,
                                                        "--method", "x", "-o", tmp + "/s-maps.h5"])
        assertRefused(scoreMaps, seed: 1, id: leaked, naming: tmp + "/leaky-maps.h5")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/s-maps.h5"))

        // segment-stats: a segmentation derived from A's pool, used with B.
        let seg = tmp + "/seg.png"
        let derive = try ToolRunner.run("extract-maps", ["derive-segmentation", "--manifest", a, "--seed", "0", "--segments", "2",
                                                         "--size", "8x8", "-o", seg])
        XCTAssertEqual(derive.status, 0, derive.stderr)
        try writeMaps(tmp + "/maps-b.h5", manifest: b, trainedOn: [])
        let segStats = try ToolRunner.run("segment-stats", ["--manifest", b, "--maps", tmp + "/maps-b.h5",
                                                            "--segmentation", seg, "--segments", "2", "-o", tmp + "/f.h5"])
        assertRefused(segStats, seed: 1, id: leaked, naming: tmp + "/seg.h5")
        // The derived PNG replaced (here by a drawn one-segment map) while its sidecar stays:
        // the check cannot be made, so segment-stats refuses instead of skipping it;
        // with the sidecar renamed the drawn map is used as any hand-drawn map.
        try FileManager.default.removeItem(atPath: seg)
        try FileManager.default.copyItem(atPath: one, toPath: seg)
        let replaced = try ToolRunner.run("segment-stats", ["--manifest", b, "--maps", tmp + "/maps-b.h5",
                                                            "--segmentation", seg, "--segments", "1", "-o", tmp + "/f.h5"])
        XCTAssertNotEqual(replaced.status, 0)
        XCTAssertEqual(replaced.stderr, "segment-stats: error: " + LeakageError.sidecarDescribesAnotherPNG(tmp + "/seg.h5", png: seg).description + "\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/f.h5"))
        try FileManager.default.moveItem(atPath: tmp + "/seg.h5", toPath: tmp + "/seg-derived.h5")
        let drawn = try ToolRunner.run("segment-stats", ["--manifest", b, "--maps", tmp + "/maps-b.h5",
                                                         "--segmentation", seg, "--segments", "1", "-o", tmp + "/f.h5"])
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        // derive-segmentation with seed 1 of B is fine (its pool excludes the image); with a
        // manifest whose pool is tested in another seed it refuses.
        let deriveB = try ToolRunner.run("extract-maps", ["derive-segmentation", "--manifest", b, "--seed", "0", "--segments", "2",
                                                          "--size", "8x8", "-o", tmp + "/seg-b.png"])
        assertRefused(deriveB, seed: 1, id: leaked, naming: b)

        // train-brf and evaluate: features that carry a detector's training ids including a test id.
        let clean = tmp + "/clean.h5"
        let ok = try ToolRunner.run("segment-stats", ["--manifest", b, "--maps", tmp + "/maps-b.h5",
                                                      "--segmentation", one, "--segments", "1", "-o", clean])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let features = try FeaturesArtifact(path: clean)
        let leakyFeatures = tmp + "/leaky-features.h5"
        let writer = try ArtifactWriter(path: leakyFeatures, kind: .features, stage: "segment-stats",
                                        config: ["segmentation": "static", "segments": 1, "detectors": ["x"],
                                                 "classifier_score": false, LeakageGuard.featuresGroup: ["detector-x"]],
                                        inputs: [try .hashing(role: "manifest", path: b)])
        try writer.file.write("features", floats: features.values, shape: [features.rowCount, features.columnCount])
        try writer.file.write("feature_names", strings: features.names)
        try writer.file.write("ids", strings: features.ids)
        try writer.file.write("labels", int8s: features.labels.map(\.code), shape: [features.rowCount])
        try writer.file.write("\(LeakageGuard.featuresGroup)/detector-x", strings: [leaked])
        try writer.commit()
        let train = try ToolRunner.run("train-brf", ["--features", leakyFeatures, "--manifest", b, "--seed", "0",
                                                     "--num-parallel-tree", "5", "-o", tmp + "/model.h5"])
        assertRefused(train, seed: 1, id: leaked, naming: leakyFeatures)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/model.h5"))
        let model = tmp + "/model-clean.h5"
        let trainClean = try ToolRunner.run("train-brf", ["--features", clean, "--manifest", b, "--seed", "0",
                                                          "--num-parallel-tree", "5", "-o", model])
        XCTAssertEqual(trainClean.status, 0, trainClean.stderr)
        let evaluate = try ToolRunner.run("evaluate", ["score", "--features", leakyFeatures, "--manifest", b,
                                                       "--feature", "an_det_score_x", "--method", "x", "-o", tmp + "/s.h5"])
        assertRefused(evaluate, seed: 1, id: leaked, naming: leakyFeatures)
    }

    func testOverlappingSplitRefusedByEveryStage() throws {
        let tmp = try temporaryFolder()
        let (a, _, _) = try leakyPair(tmp)
        // C: seed 1's first segad-train id also in its test.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as! [String: Any]
        var seeds = json["seeds"] as! [String: [String: [String]]]
        let shared = seeds["1"]!["segad-train"]![0]
        seeds["1"]!["test"]!.append(shared)
        json["seeds"] = seeds
        let c = tmp + "/c.json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: c))
        let state = tmp + "/golden.h5"
        XCTAssertEqual(try ToolRunner.run("extract-maps", ["fit", "--manifest", a, "--kind", "golden-template", "--seed", "0",
                                                           "--size", "8x8", "-o", state]).status, 0)
        let runs: [(String, [String])] = [
            ("extract-maps", ["apply", "--manifest", c, "--state", state, "-o", tmp + "/m.h5"]),
            ("segment-stats", ["--manifest", c, "--maps", tmp + "/none.h5", "--segmentation", tmp + "/none.png", "--segments", "1", "-o", tmp + "/f.h5"]),
            ("train-brf", ["--features", tmp + "/none.h5", "--manifest", c, "--seed", "1", "-o", tmp + "/model.h5"]),
            ("evaluate", ["score", "--features", tmp + "/none.h5", "--manifest", c, "--feature", "x", "--method", "x", "-o", tmp + "/s.h5"]),
        ]
        for (tool, args) in runs {
            let r = try ToolRunner.run(tool, args)
            XCTAssertNotEqual(r.status, 0, tool)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(c): seed 1: '\(shared)' is both in 'segad-train' and in 'test'"), "\(tool): \(r.stderr)")
        }
    }
}
