import Foundation
import XCTest
import SegAD
import _TestSupport

/// A growing folder keeps every image's role (docs/manifest.md, "The split"):
/// images-manifest gives each image its role from its id and the seed alone,
/// so adding good and bad images to a folder of ELPV cells never moves an
/// earlier one between the detector pool, segad-train and test, in any seed.
final class ImagesGrowthTests: XCTestCase {
    func manifest(_ folder: String, _ out: String, seeds: String = "0,1,2,3,4") throws -> ToolRunner.Result {
        try ToolRunner.run("build-dataset", ["images-manifest", "--images", folder, "--seeds", seeds, "-o", out])
    }

    func testAddingImagesMovesNoEarlierImage() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ImagesKnobTests.elpv + "/labels.csv"), "ELPV not fetched (make demo)")
        let tmp = try temporaryFolder()
        let cells = tmp + "/cells"
        try ImagesKnobTests.makeELPVFolder(cells, good: 30, bad: 12)
        let first = try manifest(cells, tmp + "/first.json")
        XCTAssertEqual(first.status, 0, first.stderr)
        // The folder grows: the first cells stay, more good and bad ones join.
        try FileManager.default.removeItem(atPath: cells)
        try ImagesKnobTests.makeELPVFolder(cells, good: 60, bad: 30)
        let second = try manifest(cells, tmp + "/second.json")
        XCTAssertEqual(second.status, 0, second.stderr)

        let a = try Manifest.load(path: tmp + "/first.json"), b = try Manifest.load(path: tmp + "/second.json")
        XCTAssertEqual(Set(a.items.map(\.id)).subtracting(b.items.map(\.id)), [])
        XCTAssertEqual(b.items.count, 90)
        let roles: [Manifest.Role] = [.detectorTrain, .segadTrain, .test]
        var moved: [String] = [], grownRoles = Set<Manifest.Role>()
        for seed in 0...4 {
            func role(_ m: Manifest, _ id: String) -> Manifest.Role? { roles.first { m.ids($0, seed: seed).contains(id) } }
            for item in a.items {
                if role(a, item.id) != role(b, item.id) { moved.append("seed \(seed): \(item.id)") }
            }
            // The new images land in every role (the rule is not "new images go to test").
            for item in b.items where !a.items.contains(where: { $0.id == item.id }) {
                if let r = role(b, item.id) { grownRoles.insert(r) }
            }
        }
        XCTAssertEqual(moved, [], "earlier images changed role")
        XCTAssertEqual(grownRoles, Set(roles))
    }

    /// Too few images for a role in some seed: one line naming the folder, the label, the role and the seed.
    func testARoleLeftEmptyIsOneLine() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ImagesKnobTests.elpv + "/labels.csv"), "ELPV not fetched (make demo)")
        let tmp = try temporaryFolder()
        let cells = tmp + "/cells"
        try ImagesKnobTests.makeELPVFolder(cells, good: 30, bad: 2)
        let r = try manifest(cells, tmp + "/m.json", seeds: "0,1,2,3,4,5,6,7,8,9")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(cells + "/bad") && r.stderr.contains("2 bad images") && r.stderr.contains("empty in seed"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/m.json"))
    }
}

/// A folder over its life under `make images` (pipelines/images.mk; docs/manifest.md,
/// "The fixed pool"): images added to the folder refit no detector and rederive no
/// segmentation (pool.txt keeps the pool), earlier images keep their roles, REPOOL=1
/// draws the pool again, each report is kept with a History table, and a CSV of the
/// same images is the same run. Real runs on a small synthetic folder (ImagesTests'
/// parts), PaDiM and a golden template.
final class ImagesFolderLifeTests: XCTestCase {
    static let weights = ImagesTests.weights

    func makeArgs(_ images: String, _ artifacts: String, _ extra: [String] = []) -> [String] {
        ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(images)", "NAME=parts", "BIN=\(ToolRunner.binDirectory)",
         "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=padim golden-template", "SEGMENTS=3", "SEEDS=0 1",
         "BRF_ARGS=--num-parallel-tree 10 --rounds 3"] + extra
    }

    /// The bytes and modification time of each file.
    func state(_ paths: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in paths {
            let data = try Data(contentsOf: URL(fileURLWithPath: p))
            let time = (try FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            out[p] = "\(data.base64EncodedString()) \(time)"
        }
        return out
    }

    /// The file ImagesTests.writePart wrote for part n at `stem` (n mod 4 = 2, 3: a JPEG).
    func part(_ stem: String, _ n: Int) -> String { stem + (n % 4 < 2 ? ".png" : ".jpg") }

    func roles(_ m: Manifest, seed: Int) -> [String: Manifest.Role] {
        var out: [String: Manifest.Role] = [:]
        for role in [Manifest.Role.detectorTrain, .segadTrain, .test] { for id in m.ids(role, seed: seed) { out[id] = role } }
        return out
    }

    func poolIds(_ path: String) throws -> [String] {
        Array(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init))
    }

    /// The History table's rows (lines after its header and separator).
    func historyRows(_ results: String) -> [String] {
        guard let at = results.range(of: "## History") else { return [] }
        return results[at.upperBound...].split(separator: "\n").filter { $0.hasPrefix("| 2") }.map(String.init)
    }

    /// A folder of 24 good, 10 bad and 2 uncertain parts and its first
    /// finished `make images` run: (tmp, parts, artifacts, artifacts/parts).
    func firstRun() throws -> (tmp: String, parts: String, artifacts: String, a: String) {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched (make weights)")
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts", artifacts = tmp + "/artifacts"
        try ImagesTests.makeFolder(parts, good: 24, bad: 10, uncertain: 2)
        let first = try ToolRunner.run("make", ["-j2"] + makeArgs(parts, artifacts))
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        return (tmp, parts, artifacts, artifacts + "/parts")
    }

    func testGrowingFolderRefitsNothingAndKeepsEveryRun() throws {
        let (_, parts, artifacts, a) = try firstRun()
        let fixed = [a + "/detectors/parts/padim.h5", a + "/detectors/parts/golden-template.h5", a + "/pool.txt", a + "/size.txt",
                     a + "/segmentation/derived.png", a + "/segmentation/one-segment.png"]
        let before = try state(fixed)
        let m1 = try Manifest.load(path: a + "/manifest.json")
        let pool1 = try poolIds(a + "/pool.txt")
        XCTAssertEqual(pool1, m1.ids(.detectorTrain, seed: 0))
        XCTAssertEqual(pool1, m1.items.filter { $0.label == .good }.map(\.id).filter { ImagesManifest.unit("pool:0:\($0)") < 0.4 })

        // The folder grows: 16 good and 6 bad parts join.
        for i in 24..<40 { try ImagesTests.writePart(parts + "/good/p\(i).png", n: i, bad: false) }
        for i in 10..<16 { try ImagesTests.writePart(parts + "/bad/b\(i).png", n: 100 + i, bad: true) }
        let second = try ToolRunner.run("make", ["-j2"] + makeArgs(parts, artifacts))
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertFalse(second.stdout.contains("extract-maps fit") || second.stdout.contains("derive-segmentation"), second.stdout)
        XCTAssertTrue(second.stdout.contains("extract-maps apply") && second.stdout.contains("train-brf")
                      && second.stdout.contains("evaluate report"), second.stdout)
        XCTAssertEqual(try state(fixed), before, "a detector state, the pool, the size or a segmentation was rewritten")
        let m2 = try Manifest.load(path: a + "/manifest.json")
        XCTAssertEqual(m2.items.count, m1.items.count + 22)
        XCTAssertEqual(m2.ids(.detectorTrain, seed: 0), pool1, "a new good image joined the pool")
        for seed in [0, 1] {
            let r1 = roles(m1, seed: seed), r2 = roles(m2, seed: seed)
            XCTAssertEqual(r1.filter { r2[$0.key] != $0.value }.map(\.key), [], "seed \(seed): earlier images changed role")
        }
        // Nothing left to do, and a dry run writes nothing.
        XCTAssertEqual(try ToolRunner.run("make", ["-q"] + makeArgs(parts, artifacts)).status, 0)
        let snapshot = try ImagesKnobTests.snapshot(artifacts)
        let dry = try ToolRunner.run("make", ["-n"] + makeArgs(parts, artifacts))
        XCTAssertTrue(dry.stdout.contains("Nothing to be done"), dry.stdout)
        XCTAssertEqual(try ImagesKnobTests.snapshot(artifacts), snapshot, "make -n wrote a file")

        // Two runs kept, and results.md's History shows both (this run first).
        let runs = try FileManager.default.contentsOfDirectory(atPath: a + "/runs").filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(runs.count, 2, "\(runs)")
        for run in runs { for f in ["results.md", "metrics.json", "run.json"] { XCTAssertTrue(FileManager.default.fileExists(atPath: a + "/runs/\(run)/\(f)"), f) } }
        let results = try String(contentsOfFile: a + "/report/results.md", encoding: .utf8)
        let rows = historyRows(results)
        XCTAssertEqual(rows.count, 2, results)
        XCTAssertTrue(rows[0].contains("(this run)") && rows[0].contains("| 40 | 16 | 2 | 32x48 | padim golden-template | SegAD("), rows[0])
        XCTAssertTrue(rows[1].hasPrefix("| " + runs[0] + " |") && rows[1].contains("| 24 | 10 | 2 | 32x48 |"), rows[1])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a + "/runs/\(runs[1])/results.md")), try Data(contentsOf: URL(fileURLWithPath: a + "/report/results.md")))
        let best = try ToolRunner.run("evaluate", ["best-method", "--metrics", a + "/report/metrics.json", "--prefix", "SegAD("])
        XCTAssertTrue(rows[0].contains("| " + best.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + " |"), rows[0] + best.stdout)

        // A pool image removed: dropped from pool.txt, said once, and the detectors refit on the rest.
        let gone = pool1[0]
        let goneFile = try FileManager.default.subpathsOfDirectory(atPath: parts + "/good")
            .first { "good_" + ($0 as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_") == gone }!
        try FileManager.default.removeItem(atPath: parts + "/good/" + goneFile)
        let third = try ToolRunner.run("make", ["-j2"] + makeArgs(parts, artifacts))
        XCTAssertEqual(third.status, 0, third.stdout + third.stderr)
        XCTAssertEqual(third.stderr.components(separatedBy: "dropped from the pool: \(gone)").count, 2, third.stderr)
        XCTAssertEqual(try poolIds(a + "/pool.txt"), Array(pool1.dropFirst()))
        XCTAssertTrue(third.stdout.contains("extract-maps fit"), third.stdout)

        // REPOOL=1: the pool drawn again from the images there now, the detectors refitted.
        let repool = try ToolRunner.run("make", ["-j2"] + makeArgs(parts, artifacts, ["REPOOL=1"]))
        XCTAssertEqual(repool.status, 0, repool.stdout + repool.stderr)
        let m3 = try Manifest.load(path: a + "/manifest.json")
        let drawn = m3.items.filter { $0.label == .good }.map(\.id).filter { ImagesManifest.unit("pool:0:\($0)") < 0.4 }
        XCTAssertEqual(try poolIds(a + "/pool.txt"), drawn)
        XCTAssertNotEqual(drawn, Array(pool1.dropFirst()), "the fixture should draw another pool")
        XCTAssertTrue(repool.stdout.contains("extract-maps fit"), repool.stdout)
        XCTAssertEqual(try ToolRunner.run("make", ["-q"] + makeArgs(parts, artifacts)).status, 0)
        let runsNow = try FileManager.default.contentsOfDirectory(atPath: a + "/runs").filter { !$0.hasPrefix(".") }
        XCTAssertEqual(runsNow.count, 4, "\(runsNow)")

        // Every pool image gone: one line asking for REPOOL=1, nothing rewritten.
        let kept = try state([a + "/pool.txt", a + "/manifest.json"])
        for id in drawn {
            let file = try FileManager.default.subpathsOfDirectory(atPath: parts + "/good")
                .first { "good_" + ($0 as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_") == id }!
            try FileManager.default.removeItem(atPath: parts + "/good/" + file)
        }
        let empty = try ToolRunner.run("make", makeArgs(parts, artifacts))
        XCTAssertNotEqual(empty.status, 0)
        let errors = empty.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        XCTAssertEqual(errors.count, 1, empty.stderr)
        XCTAssertTrue(errors.first?.contains("\(a)/pool.txt: 0 of the \(drawn.count) images of the fixed detector pool are left") == true
                      && errors.first?.contains("REPOOL=1") == true, empty.stderr)
        XCTAssertEqual(try state([a + "/pool.txt", a + "/manifest.json"]), kept)
    }

    /// IMAGES=list.csv with the folder's images is the folder's run: the same
    /// manifest and pool bytes, so after the folder's run the CSV's reruns no stage.
    func testCSVRouteIsTheFolderRoute() throws {
        let (_, parts, artifacts, a) = try firstRun()
        let made = try state([a + "/manifest.json", a + "/pool.txt", a + "/report/metrics.json", a + "/report/results.md"])
        let m = try Manifest.load(path: a + "/manifest.json")
        let csv = parts + "/list.csv"
        let lines = ["path,label"] + m.items.reversed().map { "\(String(m.resolve($0.image!).dropFirst(parts.count + 1))),\($0.label.rawValue)" }
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let byCSV = try ToolRunner.run("make", ["-j2"] + makeArgs(csv, artifacts))
        XCTAssertEqual(byCSV.status, 0, byCSV.stdout + byCSV.stderr)
        XCTAssertTrue(byCSV.stdout.contains("images-manifest --csv"), byCSV.stdout)
        for stage in ["extract-maps", "segment-stats", "train-brf", "evaluate"] { XCTAssertFalse(byCSV.stdout.contains("/\(stage) "), byCSV.stdout) }
        XCTAssertEqual(try state(Array(made.keys)), made)
        XCTAssertEqual(try ToolRunner.run("make", ["-q"] + makeArgs(csv, artifacts)).status, 0)
        // An edited CSV reruns the manifest; the name defaults to the CSV's base name.
        let dry = try ToolRunner.run("make", ["-n", "-C", ToolRunner.repoRoot, "images", "IMAGES=\(csv)", "BIN=\(ToolRunner.binDirectory)",
                                              "ARTIFACTS=\(artifacts)", "SIZE=32x48", "DETECTORS=golden-template"])
        XCTAssertTrue(dry.stdout.contains("\(artifacts)/list/"), dry.stdout)
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let edited = try ToolRunner.run("make", ["-n"] + makeArgs(csv, artifacts))
        XCTAssertTrue(edited.stdout.contains("images-manifest --csv"), edited.stdout)
    }

    /// evaluate keep-run never overwrites a kept run (two in one second: TIME-2),
    /// and the History table leaves out, naming it once, a folder that is no kept run.
    func testKeptRunsAreNeverOverwritten() throws {
        let tmp = try temporaryFolder()
        let report = tmp + "/report", runs = tmp + "/runs"
        try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        let metrics = #"{"method_order": ["padim", "SegAD(padim)", "SegAD(padim, 1 segment)"], "methods": {"padim": {"auroc": {"mean": 91.5}}, "SegAD(padim)": {"auroc": {"mean": 93.25}}, "SegAD(padim, 1 segment)": {"auroc": {"mean": 92.0}}}}"#
        let run = #"{"format": "segad-run", "version": 1, "time": "20261207T120000Z", "name": "p", "good": 30, "bad": 3, "uncertain": 0, "size": "256x256", "detectors": ["padim"]}"#
        for (name, text) in [("results.md", "# r\n"), ("metrics.json", metrics), ("run.json", run)] {
            try text.write(toFile: report + "/" + name, atomically: true, encoding: .utf8)
        }
        for _ in 0..<2 {
            let kept = try ToolRunner.run("evaluate", ["keep-run", "--report", report, "--runs", runs])
            XCTAssertEqual(kept.status, 0, kept.stderr)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runs).sorted(), ["20261207T120000Z", "20261207T120000Z-2"])
        try FileManager.default.createDirectory(atPath: runs + "/notes", withIntermediateDirectories: true)
        let (rows, skipped) = ReportHistory.keptRows(runs)
        XCTAssertEqual(skipped, [runs + "/notes"])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].bestSegAD?.method, "SegAD(padim)")
        XCTAssertEqual(rows[0].bestSegAD?.auroc, 93.25)
        XCTAssertEqual(rows[0].bestDetector?.method, "padim")
        let table = ReportHistory.section(current: rows[0], kept: Array(rows.dropFirst()))
        XCTAssertTrue(table.contains("| 20261207T120000Z (this run) | — | 30 | 3 | 0 | 256x256 | padim | SegAD(padim) | 93.25 | padim | 91.50 |"), table)
        // A report without run.json (no --history) is refused, nothing kept.
        try FileManager.default.removeItem(atPath: report + "/run.json")
        let refused = try ToolRunner.run("evaluate", ["keep-run", "--report", report, "--runs", runs])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runs).count, 3)
    }

    /// The listing stamp of a CSV covers its bytes and each listed file's size and time.
    func testCSVStampCoversTheListedFiles() throws {
        let tmp = try temporaryFolder()
        try ImagesTests.makeFolder(tmp + "/parts", good: 6, bad: 2, uncertain: 0)
        let csv = tmp + "/parts/list.csv"
        try "path,label,split\n\"good/line 2/p0.png\",good,pool\ngood/p4.png , GOOD,\nbad/b0.png,bad,test\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertTrue(FileManager.default.fileExists(atPath: tmp + "/parts/good/p4.png"))
        func stamp() throws -> String {
            let r = try ToolRunner.run("bash", [ToolRunner.repoRoot + "/scripts/folder-stamp.sh", csv])
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        let s0 = try stamp()
        XCTAssertEqual(s0.count, 65)
        XCTAssertEqual(try stamp(), s0, "an unchanged CSV keeps its stamp")
        for file in ["good/line 2/p0.png", "good/p4.png", "bad/b0.png"] {
            let path = tmp + "/parts/" + file
            let was = try stamp()
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 100)], ofItemAtPath: path)
            XCTAssertNotEqual(try stamp(), was, "\(file): touched, same stamp")
        }
        let was = try stamp()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 200)], ofItemAtPath: tmp + "/parts/good/p5.png")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 200)], ofItemAtPath: tmp + "/parts/bad/b1.png")
        XCTAssertEqual(try stamp(), was, "a file the CSV does not list changed the stamp")
        try "path,label,split\n\"good/line 2/p0.png\",good,train\ngood/p4.png , GOOD,\nbad/b0.png,bad,test\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try stamp(), was)
    }

    /// A bad CSV: one line naming the CSV's line, nothing written.
    func testCSVBadLines() throws {
        let tmp = try temporaryFolder()
        try ImagesTests.makeFolder(tmp + "/parts", good: 12, bad: 6, uncertain: 1)
        let csv = tmp + "/parts/list.csv"
        let good = (4..<12).map { part("good/p\($0)", $0) + ",good\n" }.joined()
        let bad = (0..<4).map { part("bad/b\($0)", 100 + $0) + ",bad\n" }.joined()
        let cases: [(String, String)] = [
            ("path,label\n" + good + "bad/b4.png,broken\n" + bad, "line 10: label 'broken' is not good, bad or uncertain"),
            ("path,label,split\n" + good.replacingOccurrences(of: "\n", with: ",\n") + "bad/b4.png,bad,holdout\n", "line 10: split 'holdout' is not pool, train or test"),
            (good + bad + "good/p5.png,good\n", "line 13: 'good/p5.png' is listed twice (first on line 2)"),
            (good + bad + "./good/p5.png,good\n", "line 13: './good/p5.png' is listed twice (first on line 2)"),
            (good + "bad/b9.png,bad\n" + bad, "line 9: image 'bad/b9.png' does not exist"),
            (good + bad + "bad/b4.png,bad,pool\n", "line 13: a bad image cannot be split 'pool'"),
            (good + bad + "uncertain/u0.png,uncertain,train\n", "line 13: an uncertain image cannot be split 'train'"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            for tool in ["images-manifest", "images-pool"] {
                let out = tmp + "/out-\(tool)"
                let r = try ToolRunner.run("build-dataset", [tool, "--csv", csv, "-o", out])
                XCTAssertNotEqual(r.status, 0, expected)
                XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
                XCTAssertTrue(r.stderr.hasPrefix("build-dataset \(tool): error: \(csv): \(expected)"), r.stderr)
                XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing under the final name")
            }
        }
    }

    /// The split column fixes a row's role in every seed; the rest split by hash.
    func testCSVSplitColumnFixesRoles() throws {
        let tmp = try temporaryFolder()
        try ImagesTests.makeFolder(tmp + "/parts", good: 12, bad: 6, uncertain: 1)
        let csv = tmp + "/parts/list.csv"
        var lines = ["path,label,split", "\"good/line 2/p0.png\",good,pool", "good/p4.png,good,test", "good/p5.png,good,train",
                     "bad/b0.png,bad,test", "bad/b1.png,bad,train", "uncertain/u0.png,uncertain,test"]
        lines += (6..<12).map { part("good/p\($0)", $0) + ",good," } + (2..<6).map { part("bad/b\($0)", 100 + $0) + ",bad," }
            + (1..<4).map { part("good/line 2/p\($0)", $0) + ",good," }
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let out = tmp + "/m.json", pool = tmp + "/pool.txt"
        let seeds = "0,1,2,3,4,5,6,7"
        XCTAssertEqual(try ToolRunner.run("build-dataset", ["images-pool", "--csv", csv, "--seeds", seeds, "-o", pool]).status, 0)
        let r = try ToolRunner.run("build-dataset", ["images-manifest", "--csv", csv, "--seeds", seeds, "--pool", pool, "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let m = try Manifest.load(path: out)
        let hashed = m.items.filter { $0.label == .good }.map(\.id).filter {
            !["good_line 2_p0", "good_p4", "good_p5"].contains($0) && ImagesManifest.unit("pool:0:\($0)") < 0.4 }
        for seed in 0..<8 {
            XCTAssertEqual(m.ids(.detectorTrain, seed: seed), m.items.map(\.id).filter { $0 == "good_line 2_p0" || hashed.contains($0) })
            XCTAssertTrue(m.ids(.test, seed: seed).contains("good_p4") && m.ids(.test, seed: seed).contains("bad_b0"))
            XCTAssertTrue(m.ids(.segadTrain, seed: seed).contains("good_p5") && m.ids(.segadTrain, seed: seed).contains("bad_b1"))
            for id in ["good_p6", "bad_b2"] where !hashed.contains(id) {
                XCTAssertEqual(m.ids(.test, seed: seed).contains(id), ImagesManifest.unit("\(seed):\(id)") < 0.5, id)
            }
        }
    }
}
