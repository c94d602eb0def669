import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// The three regimes of `make images` (docs/regimes.md) on one small folder
/// that grows from 0 to 3 to 20 bad images, files added between runs: the
/// regime line, the report's regime section, the saved pipeline's operating
/// point on held-out good images (false-alarm rate ≤ FALSE_ALARM by
/// construction, its interval recorded), no synthetic defect of a test image
/// in training, and `evaluate score-new` with each saved pipeline. Then the
/// bad input of the regimes: FALSE_ALARM outside (0, 0.5], too few good
/// images, a segment too small for a synthetic defect.
final class ImagesRegimeTests: XCTestCase {
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    func testFolderGrowsThroughTheThreeRegimes() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched (make weights)")
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts", artifacts = tmp + "/artifacts", a = artifacts + "/parts"
        try ImagesTests.makeFolder(parts, good: 30, bad: 0, uncertain: 0)
        func args(_ extra: [String] = []) -> [String] {
            ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(ToolRunner.binDirectory)",
             "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=padim golden-template", "SEGMENTS=3",
             "SEEDS=0 1", "BRF_ARGS=--num-parallel-tree 10 --rounds 3"] + extra
        }
        let newParts = tmp + "/new"
        try ImagesTests.writePart(newParts + "/ok-1.png", n: 301, bad: false)
        try ImagesTests.writePart(newParts + "/scratch-1.png", n: 303, bad: true)

        // 0 bad images: good only.
        let good = try ToolRunner.run("make", ["-j2"] + args())
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)
        XCTAssertEqual(good.stdout.components(separatedBy: "make images: regime ").count, 2, "said once: \(good.stdout)")
        XCTAssertTrue(good.stdout.contains("make images: regime good-only — no image in \(parts)/bad"), good.stdout)
        var md = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        XCTAssertTrue(md.split(separator: "\n")[0].contains("regime: good only, bad rows are synthetic defects"), md)
        XCTAssertTrue(md.contains("## Regime: good only") && md.contains("**on synthetic defects**")
                      && md.contains("**Recall on real defects is unknown**") && md.contains("Clopper–Pearson"), md)
        try checkNoTestImageTrains(a + "/manifest-regime.json", syntheticTests: true)
        try checkOperatingPoint(a, falseAlarm: 0.01)
        try checkIntervals(a)
        try scoreNew(a + "/pipeline.h5", newParts, tmp + "/scored-0")
        // What growth must not redo: the detector states, the pool and the derived segmentation.
        let fixedFiles = ["parts/pool.txt", "parts/segmentation/derived.png"]
            + ["padim", "golden-template"].map { "parts/detectors/parts/\($0).h5" }
        let firstRun = try ImagesKnobTests.snapshot(artifacts).filter { fixedFiles.contains($0.key) }
        XCTAssertEqual(firstRun.count, fixedFiles.count, "\(firstRun)")
        let firstRoles = try Manifest.load(path: a + "/manifest.json")

        // FALSE_ALARM outside (0, 0.5]: one line, nothing changed; then a new value reruns only the pipeline and section.
        let before = try ImagesKnobTests.snapshot(artifacts)
        for value in ["0.6", "0", "abc", "-0.01"] {
            let r = try ToolRunner.run("make", args(["FALSE_ALARM=\(value)"]))
            XCTAssertNotEqual(r.status, 0, value)
            let errors = r.stderr.split(separator: "\n").filter { $0.contains("FALSE_ALARM") }
            XCTAssertEqual(errors.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("FALSE_ALARM=\(value): give the target false-alarm rate, a number in (0, 0.5]"), r.stderr)
        }
        XCTAssertEqual(try ImagesKnobTests.snapshot(artifacts), before, "a refused FALSE_ALARM changed an artifact")
        let plan = try ToolRunner.run("make", ["-n"] + args(["FALSE_ALARM=0.2"]))
        XCTAssertEqual(ImagesKnobTests.outputs(plan.stdout, artifacts: artifacts), ["parts/regime/held-out.md", "report", "parts/pipeline.h5"],
                       plan.stdout)
        XCTAssertEqual(try ImagesKnobTests.snapshot(artifacts), before, "make -n wrote a file")
        let wider = try ToolRunner.run("make", args(["FALSE_ALARM=0.2"]))
        XCTAssertEqual(wider.status, 0, wider.stdout + wider.stderr)
        try checkOperatingPoint(a, falseAlarm: 0.2)

        // 3 bad images: few bad.
        for i in 0..<3 { try ImagesTests.writePart(parts + "/bad/b\(i).png", n: 100 + i, bad: true) }
        let few = try ToolRunner.run("make", ["-j2"] + args())
        XCTAssertEqual(few.status, 0, few.stdout + few.stderr)
        XCTAssertTrue(few.stdout.contains("make images: regime few-bad — 3 images in \(parts)/bad, fewer than FEW_BAD=10"), few.stdout)
        md = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        XCTAssertTrue(md.split(separator: "\n")[0].contains("regime: few bad, 3 real bad images"), md)
        XCTAssertTrue(md.contains("## Regime: few bad (3 real bad images, fewer than FEW_BAD=10)"), md)
        let m = try checkNoTestImageTrains(a + "/manifest-regime.json", syntheticTests: false)
        for seed in m.seedList {
            // Each seed tests ⌈3 · 0.5⌉ = 2 real bad images and trains on the third with the synthetic defects.
            let realBad = Set(["bad_b0", "bad_b1", "bad_b2"])
            XCTAssertEqual(m.ids(.test, seed: seed).filter(realBad.contains).count, 2)
            XCTAssertEqual(m.ids(.segadTrain, seed: seed).filter(realBad.contains).count, 1)
            XCTAssertFalse(m.ids(.test, seed: seed).contains { $0.hasPrefix("synthetic_") })
        }
        try checkOperatingPoint(a, falseAlarm: 0.01)
        try checkIntervals(a)
        try scoreNew(a + "/pipeline.h5", newParts, tmp + "/scored-3")
        try checkGrowth(artifacts, a, fixed: firstRun, roles: firstRoles)

        // 20 bad images: supervised, as before the regimes existed.
        for i in 3..<20 { try ImagesTests.writePart(parts + "/bad/b\(i).png", n: 100 + i, bad: true) }
        let enough = try ToolRunner.run("make", ["-j2"] + args())
        XCTAssertEqual(enough.status, 0, enough.stdout + enough.stderr)
        XCTAssertTrue(enough.stdout.contains("make images: regime supervised — 20 images in \(parts)/bad"), enough.stdout)
        md = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        XCTAssertEqual(String(md.split(separator: "\n")[0]), "# SegAD on parts (2 seeds)", md)
        XCTAssertFalse(md.contains("## Regime"), md)
        // The History table (ReportHistory) keeps the three runs, each with its regime.
        let history = md.components(separatedBy: "| Run (UTC) | Regime |").last ?? ""
        for regime in ["| supervised |", "| few-bad |", "| good-only |"] { XCTAssertTrue(history.contains(regime), md) }
        let pipeline = try ArtifactReader(path: a + "/pipeline.h5", expecting: .pipeline)
        XCTAssertNil(pipeline.config["held_out_operating_point"])
        pipeline.close()
        XCTAssertNil(try SavedPipeline(path: a + "/pipeline.h5").operatingPoint.falseAlarmTarget)
        try checkIntervals(a)
        try scoreNew(a + "/pipeline.h5", newParts, tmp + "/scored-20")
        try checkGrowth(artifacts, a, fixed: firstRun, roles: firstRoles)
    }

    /// Growth kept the first run's detector states, pool and derived
    /// segmentation (same size and time: not rewritten), and every image of
    /// the first run keeps its role in every seed.
    func checkGrowth(_ artifacts: String, _ a: String, fixed: [String: String], roles first: Manifest) throws {
        XCTAssertEqual(try ImagesKnobTests.snapshot(artifacts).filter { fixed.keys.contains($0.key) }, fixed,
                       "growth refitted a detector, redrew the pool or derived the segmentation again")
        let now = try Manifest.load(path: a + "/manifest.json")
        for seed in first.seedList {
            for role in [Manifest.Role.detectorTrain, .segadTrain, .test] {
                let before = Set(first.ids(role, seed: seed)), after = Set(now.ids(role, seed: seed))
                XCTAssertTrue(before.isSubset(of: after), "seed \(seed) \(role): \(before.subtracting(after)) moved")
            }
        }
    }

    /// metrics.json carries the sign-off intervals for every row (Report+SignOff).
    func checkIntervals(_ a: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: a + "/report/metrics.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let top = try XCTUnwrap(json["sign_off"] as? [String: Any], "no sign_off in metrics.json")
        XCTAssertNotNil((top["intervals"] as? [String: Any])?["resamples"])
        let methods = try XCTUnwrap(json["methods"] as? [String: [String: Any]])
        XCTAssertFalse(methods.isEmpty)
        for (_, m) in methods {
            let so = try XCTUnwrap(m["sign_off"] as? [String: Any], "a row without sign_off: \(m)")
            let ci = try XCTUnwrap(so["auroc_ci95"] as? [Any])
            XCTAssertEqual(ci.count, 2)
        }
    }

    /// Per seed: no test id in segad-train, and every synthetic defect in
    /// segad-train made from a segad-train good image (in the good-only regime
    /// the defects of held-out images are test rows).
    @discardableResult
    func checkNoTestImageTrains(_ path: String, syntheticTests: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> Manifest {
        let m = try Manifest.load(path: path)
        for seed in m.seedList {
            let train = m.ids(.segadTrain, seed: seed), test = Set(m.ids(.test, seed: seed))
            XCTAssertTrue(test.isDisjoint(with: train), file: file, line: line)
            let synthetic = train.filter { $0.hasPrefix("synthetic_") }
            XCTAssertFalse(synthetic.isEmpty, file: file, line: line)
            for id in synthetic {
                XCTAssertTrue(train.contains(String(id.dropFirst("synthetic_".count))), "seed \(seed): \(id)", file: file, line: line)
            }
            let testSynthetic = test.filter { $0.hasPrefix("synthetic_") }
            XCTAssertEqual(testSynthetic.isEmpty, !syntheticTests, file: file, line: line)
            for id in testSynthetic { XCTAssertTrue(test.contains(String(id.dropFirst("synthetic_".count))), file: file, line: line) }
        }
        return m
    }

    /// pipeline.h5's threshold is the held-out operating point: at most
    /// ⌊FALSE_ALARM · n⌋ of the first seed's held-out good scores (its own
    /// scores artifact) reach it, and the record holds the rate and interval.
    func checkOperatingPoint(_ a: String, falseAlarm: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = try ArtifactReader(path: a + "/pipeline.h5", expecting: .pipeline)
        defer { reader.close() }
        let op = try XCTUnwrap(reader.config["held_out_operating_point"] as? [String: Any], file: file, line: line)
        let threshold = try XCTUnwrap((op["threshold"] as? NSNumber)?.doubleValue, file: file, line: line)
        XCTAssertEqual(((reader.config["operating_point"] as? [String: Any])?["threshold"] as? NSNumber)?.doubleValue, threshold,
                       file: file, line: line)
        XCTAssertEqual((op["false_alarm_target"] as? NSNumber)?.doubleValue, falseAlarm, file: file, line: line)
        let interval = try XCTUnwrap(op["interval"] as? [NSNumber], file: file, line: line).map(\.doubleValue)
        let rate = try XCTUnwrap((op["false_alarm_rate"] as? NSNumber)?.doubleValue, file: file, line: line)
        XCTAssertEqual(interval.count, 2, file: file, line: line)
        XCTAssertTrue(interval[0] <= rate && rate <= interval[1] && interval[1] > 0, "\(interval) \(rate)", file: file, line: line)
        XCTAssertEqual(op["interval_method"] as? String, "Clopper-Pearson exact binomial, 95%", file: file, line: line)
        XCTAssertLessThanOrEqual(rate, falseAlarm, file: file, line: line)
        // By construction, recomputed from the scores the pipeline's model gave the held-out good images.
        let scores = try XCTUnwrap(reader.inputs(role: "held-out-scores").first, file: file, line: line).path
        let seed0 = try XCTUnwrap(ScoresArtifact(path: scores).seeds.first { $0.seed == 0 }, file: file, line: line)
        let heldOut = seed0.ids.indices.filter { seed0.labels[$0] == .good }.map { seed0.scores[$0] }
        XCTAssertEqual((op["held_out_good"] as? NSNumber)?.intValue, heldOut.count, file: file, line: line)
        XCTAssertLessThanOrEqual(heldOut.filter { $0 >= threshold }.count, Int(falseAlarm * Double(heldOut.count) + 1e-9),
                                 file: file, line: line)
        // score-new's reader knows the rule (its overlays name it), and keeps the threshold.
        let saved = try SavedPipeline(path: a + "/pipeline.h5")
        XCTAssertEqual(saved.operatingPoint.falseAlarmTarget, falseAlarm, file: file, line: line)
        XCTAssertEqual(saved.operatingPoint.threshold, threshold, file: file, line: line)
    }

    func scoreNew(_ pipeline: String, _ images: String, _ out: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try ToolRunner.run("evaluate", ["score-new", "--pipeline", pipeline, "--images", images, "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        let csv = try String(contentsOfFile: out + "/scores.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 3, csv.joined(separator: "\n"), file: file, line: line)
    }

    /// A growing good-only folder keeps every earlier synthetic defect byte
    /// for byte and every earlier image's role (the defect's stream is keyed
    /// by its source's id); in few-bad each seed tests ⌈n/2⌉ real bad images.
    func testSyntheticDefectsSurviveGrowth() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try ImagesTests.makeFolder(parts, good: 30, bad: 0, uncertain: 0)
        var labels = [UInt8](repeating: 0, count: 32 * 48)
        for i in 0..<(32 * 20) { labels[i] = 1 }
        for i in (32 * 36)..<(32 * 48) { labels[i] = 2 }
        try PNG.writeGray8(path: tmp + "/labels.png", width: 48, height: 32, pixels: labels)
        func run(_ name: String, regime: String) throws -> (Manifest, [String: Data]) {
            let base = tmp + "/\(name)-base.json", out = tmp + "/\(name).json", syn = tmp + "/\(name)-synthetic"
            let m = try ToolRunner.run("build-dataset", ["images-manifest", "--images", parts, "--regime", regime, "--seeds", "0,1,2", "-o", base])
            XCTAssertEqual(m.status, 0, m.stderr)
            let s = try ToolRunner.run("build-dataset", ["images-synthetic", "--manifest", base, "--segmentation", tmp + "/labels.png",
                                                         "--segments", "3", "--regime", regime, "--images-out", syn, "-o", out])
            XCTAssertEqual(s.status, 0, s.stderr)
            var files: [String: Data] = [:]
            for f in try FileManager.default.contentsOfDirectory(atPath: syn) { files[f] = try Data(contentsOf: URL(fileURLWithPath: syn + "/" + f)) }
            return (try Manifest.load(path: out), files)
        }
        let (first, firstFiles) = try run("first", regime: "good-only")
        XCTAssertEqual(firstFiles.count, first.items.filter { $0.tags.contains("synthetic") }.count)
        XCTAssertFalse(firstFiles.isEmpty)
        for i in 30..<40 { try ImagesTests.writePart(parts + "/good/p\(i).png", n: i, bad: false) }
        let (second, secondFiles) = try run("second", regime: "good-only")
        XCTAssertGreaterThan(secondFiles.count, firstFiles.count)
        for (name, data) in firstFiles { XCTAssertEqual(secondFiles[name], data, "\(name) changed when the folder grew") }
        for seed in first.seedList {
            for role in [Manifest.Role.detectorTrain, .segadTrain, .test] {
                let now = Set(second.ids(role, seed: seed))
                XCTAssertTrue(Set(first.ids(role, seed: seed)).isSubset(of: now), "seed \(seed) \(role)")
            }
        }
        // Five bad images: each seed tests ⌈5 · 0.5⌉ = 3 of them, never a synthetic defect.
        for i in 0..<5 { try ImagesTests.writePart(parts + "/bad/b\(i).png", n: 100 + i, bad: true) }
        let (few, _) = try run("few", regime: "few-bad")
        var tested = Set<String>()
        for seed in few.seedList {
            let test = few.ids(.test, seed: seed), train = few.ids(.segadTrain, seed: seed)
            XCTAssertEqual(test.filter { $0.hasPrefix("bad_") }.count, 3)
            XCTAssertEqual(train.filter { $0.hasPrefix("bad_") }.count, 2)
            XCTAssertFalse(test.contains { $0.hasPrefix("synthetic_") })
            tested.formUnion(test.filter { $0.hasPrefix("bad_") })
        }
        XCTAssertGreaterThan(tested.count, 3, "the seeds test different bad images")
    }

    // MARK: - Bad input

    /// Too few good images for the one-class split; a regime that does not
    /// fit the bad images; a segment too small for a synthetic defect: one
    /// line each, nothing under the output's name.
    func testRegimeBadInput() throws {
        let tmp = try temporaryFolder()
        func refuse(_ tool: String, _ arguments: [String], _ expected: String, output: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try ToolRunner.run(tool, arguments)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(expected), r.stderr, file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing under the final name", file: file, line: line)
        }
        // No good image at all; too few good images; bad images in a good-only run.
        try ImagesTests.makeFolder(tmp + "/nogood", good: 0, bad: 0, uncertain: 0)
        try FileManager.default.createDirectory(atPath: tmp + "/nogood/good", withIntermediateDirectories: true)
        try refuse("build-dataset", ["images-manifest", "--images", tmp + "/nogood", "--regime", "good-only", "-o", tmp + "/m0.json"],
                   "\(tmp)/nogood/good: has no images", output: tmp + "/m0.json")
        try ImagesTests.makeFolder(tmp + "/few", good: 10, bad: 0, uncertain: 0)
        try refuse("build-dataset", ["images-manifest", "--images", tmp + "/few", "--regime", "good-only", "--seeds", "0,1", "-o", tmp + "/m1.json"],
                   "the good-only regime needs at least 5 and 2 per seed", output: tmp + "/m1.json")
        try ImagesTests.makeFolder(tmp + "/some", good: 30, bad: 2, uncertain: 0)
        try refuse("build-dataset", ["images-manifest", "--images", tmp + "/some", "--regime", "good-only", "--seeds", "0,1", "-o", tmp + "/m2.json"],
                   "2 bad images do not fit --regime good-only", output: tmp + "/m2.json")

        // Make refuses, before any stamp: FEW_BAD not a whole number; SIZE=auto or per-image segmentation without enough bad images.
        let artifacts = tmp + "/artifacts"
        for (knob, says) in [("FEW_BAD=0", "FEW_BAD=0: give the fewest bad images of the supervised regime"),
                             ("SIZE=auto", "SIZE=auto compares sizes by SegAD's AUROC on real defects, which the good-only regime has too few of"),
                             ("SEGMENTATION=per-image", "SEGMENTATION=per-image: the good-only regime places synthetic defects by one static label map")] {
            let r = try ToolRunner.run("make", ["-n", "-C", ToolRunner.repoRoot, "images", "IMAGES=\(tmp)/few", "BIN=\(ToolRunner.binDirectory)",
                                                "ARTIFACTS=\(artifacts)", knob])
            XCTAssertNotEqual(r.status, 0, knob)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(says), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: artifacts))

        // A label map with a segment of 4 pixels at 32x48 (the minimum is 16).
        try FileManager.default.removeItem(atPath: tmp + "/some/bad")
        let base = tmp + "/base.json"
        let made = try ToolRunner.run("build-dataset", ["images-manifest", "--images", tmp + "/some", "--regime", "good-only",
                                                        "--seeds", "0,1", "-o", base])
        XCTAssertEqual(made.status, 0, made.stderr)
        var labels = [UInt8](repeating: 0, count: 32 * 48)
        for i in 0..<(32 * 24) { labels[i] = 1 }
        for y in 0..<2 { for x in 0..<2 { labels[(30 + y) * 48 + 40 + x] = 2 } }
        try PNG.writeGray8(path: tmp + "/labels.png", width: 48, height: 32, pixels: labels)
        try refuse("build-dataset", ["images-synthetic", "--manifest", base, "--segmentation", tmp + "/labels.png", "--segments", "3",
                                     "--regime", "good-only", "--images-out", tmp + "/syn", "-o", tmp + "/regime.json"],
                   "\(tmp)/labels.png: segment 2 covers 4 pixels of the 32x48 map; a synthetic defect needs a segment of at least 16 pixels",
                   output: tmp + "/regime.json")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: tmp + "/syn")) ?? [], [])
    }
}
