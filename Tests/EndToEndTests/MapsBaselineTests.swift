import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// docs/architecture.md, "Make": a base detector's row is scored from its maps artifact
/// (`evaluate score --maps`), so a segmentation change does not rerun it —
/// with the same numbers as the features path it replaces; the report is the
/// one writer of its folder; `build-dataset elpv-score-inputs` replaces the
/// Python that made score-elpv's inputs.
final class MapsBaselineTests: XCTestCase {
    @discardableResult
    func run(_ tool: String, _ args: [String]) throws -> ToolRunner.Result {
        let r = try ToolRunner.run(tool, args)
        XCTAssertEqual(r.status, 0, "\(tool) \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    /// Every dataset of two scores artifacts but their provenance: method,
    /// class, seeds, ids, labels, tags, and the scores bit for bit.
    func assertSameScores(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try ScoresArtifact(path: a), y = try ScoresArtifact(path: b)
        XCTAssertEqual(x.method, y.method, file: file, line: line)
        XCTAssertEqual(x.className, y.className, file: file, line: line)
        XCTAssertEqual(x.seeds.map(\.seed), y.seeds.map(\.seed), file: file, line: line)
        for (s, t) in zip(x.seeds, y.seeds) {
            XCTAssertEqual(s.ids, t.ids, file: file, line: line)
            XCTAssertEqual(s.labels, t.labels, file: file, line: line)
            XCTAssertEqual(s.tags, t.tags, file: file, line: line)
            XCTAssertEqual(s.scores.map(\.bitPattern), t.scores.map(\.bitPattern), "seed \(s.seed)", file: file, line: line)
            XCTAssertFalse(s.ids.isEmpty, file: file, line: line)
        }
    }

    /// The maps fixture of PipelineTests (make_maps_fixture.py: alpha float32,
    /// beta big-endian float64 maps, a constant segment), with tags on a few
    /// items so their copy is compared too.
    func testMapsScoresEqualFeatureColumnScoresBitForBit() throws {
        let tmp = try temporaryFolder()
        let fixture = tmp + "/fixture"
        try run("python3", [ToolRunner.repoRoot + "/scripts/testing/make_maps_fixture.py", fixture, "--n", "60", "--size", "16"])
        let manifest = fixture + "/manifest.json"
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any])
        var items = try XCTUnwrap(object["items"] as? [[String: Any]])
        for i in stride(from: 0, to: items.count, by: 7) { items[i]["tags"] = i % 2 == 0 ? ["unseen"] : ["unseen", "edge"] }
        object["items"] = items
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: manifest))

        for d in ["alpha", "beta"] {
            try run("extract-maps", ["--manifest", manifest, "--detector", d, "-o", "\(tmp)/\(d).h5"])
        }
        try run("segment-stats", ["--manifest", manifest, "--maps", tmp + "/alpha.h5", "--maps", tmp + "/beta.h5",
                                  "--segmentation", fixture + "/segmentation.png", "--segments", "4", "-o", tmp + "/features.h5"])
        // An imported score file, for the --scores-csv path.
        var csv = "id,score\n"
        for (i, item) in items.enumerated() { csv += "\(item["id"]!),\(Double(i) * 0.37 - 3)\n" }
        try csv.write(toFile: tmp + "/imported.csv", atomically: true, encoding: .utf8)

        for d in ["alpha", "beta"] {
            try run("evaluate", ["score", "--features", tmp + "/features.h5", "--manifest", manifest,
                                 "--feature", "an_det_score_\(d)", "--method", d, "-o", "\(tmp)/feature-\(d).h5"])
            try run("evaluate", ["score", "--maps", "\(tmp)/\(d).h5", "--manifest", manifest,
                                 "--method", d, "-o", "\(tmp)/maps-\(d).h5"])
            try assertSameScores("\(tmp)/feature-\(d).h5", "\(tmp)/maps-\(d).h5")
        }
        try run("evaluate", ["score", "--features", tmp + "/features.h5", "--manifest", manifest,
                             "--scores-csv", tmp + "/imported.csv", "--method", "imported", "-o", tmp + "/feature-csv.h5"])
        try run("evaluate", ["score", "--maps", tmp + "/beta.h5", "--manifest", manifest,
                             "--scores-csv", tmp + "/imported.csv", "--method", "imported", "-o", tmp + "/maps-csv.h5"])
        try assertSameScores(tmp + "/feature-csv.h5", tmp + "/maps-csv.h5")

        // The maps path names its input: provenance role "maps", not "features".
        let reader = try ArtifactReader(path: tmp + "/maps-alpha.h5", expecting: .scores)
        XCTAssertEqual(reader.inputs(role: "maps").count, 1)
        XCTAssertTrue(reader.inputs(role: "features").isEmpty)

        // --maps with --model or --feature is refused with one line, before any work.
        let mixed = try ToolRunner.run("evaluate", ["score", "--maps", tmp + "/alpha.h5", "--manifest", manifest,
                                                    "--feature", "an_det_score_alpha", "--method", "x", "-o", tmp + "/x.h5"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.stderr.contains("--maps"), mixed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/x.h5"))
    }

    /// The report removes the figures its earlier run recorded and no longer
    /// writes (a stale "derived segmentation" overlay, a figure no longer
    /// given), copies in a figure given with --figure, and keeps files it
    /// never wrote (docs/reliability.md, "Files, outputs and CSV cells").
    func testReportRemovesFiguresItDidNotWrite() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let report = f.dir + "/report", figures = report + "/figures"
        let given = f.dir + "/overlay.png"
        try PNG.writeGray8(path: given, width: 4, height: 4, pixels: [UInt8](repeating: 9, count: 16))
        try run("evaluate", ["report", "-o", report, f.scores, "--figure", "segmentation.png=\(given)",
                             "--figure", "segmentation_overlay.png=\(given)"])
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: figures + "/notes.txt"))

        try run("evaluate", ["report", "-o", report, f.scores, "--figure", "segmentation_mono.png=\(given)"])
        var left = Set(try FileManager.default.contentsOfDirectory(atPath: figures))
        XCTAssertEqual(left, [".segad-output", "segmentation_mono.png", "hist_SegAD_alpha_.png", "notes.txt"])
        XCTAssertEqual(FileManager.default.contents(atPath: figures + "/segmentation_mono.png"),
                       FileManager.default.contents(atPath: given))

        try run("evaluate", ["report", "-o", report, f.scores])
        left = Set(try FileManager.default.contentsOfDirectory(atPath: figures))
        XCTAssertEqual(left, [".segad-output", "hist_SegAD_alpha_.png", "notes.txt"])

        for bad in ["hist_x.png=\(given)", "sub/x.png=\(given)", "x.png=\(f.dir)/missing.png"] {
            let r = try ToolRunner.run("evaluate", ["report", "-o", report, f.scores, "--figure", bad])
            XCTAssertNotEqual(r.status, 0, bad)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }

    /// elpv-score-inputs on a stand-in labels.csv (empty image files: the tool
    /// reads none). The label map's class counts at 96×96 (6688 cell, 1056
    /// busbar, 1472 border pixels) are those the former
    /// scripts/score/elpv_score_inputs.py drew, checked with numpy's bincount.
    func testELPVScoreInputs() throws {
        let tmp = try temporaryFolder()
        let elpv = tmp + "/elpv"
        try FileManager.default.createDirectory(atPath: elpv + "/images", withIntermediateDirectories: true)
        var lines: [String] = []
        for i in 0..<40 {
            let name = String(format: "images/cell%04d.png", i)
            _ = FileManager.default.createFile(atPath: elpv + "/" + name, contents: Data())
            let (p, type) = [("0.0", "mono"), ("1.0", "mono"), ("0.0", "mono"), ("0.3333333333333333", "mono"),
                             ("0.0", "poly")][i % 5]
            lines.append("\(name)  \(p)  \(type)")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: elpv + "/labels.csv", atomically: true, encoding: .utf8)
        // mono good: cells 0, 2, 5, 7, 10, 12, …; mono bad: 1, 6, 11, 16, …
        let good = (0..<40).filter { [0, 2].contains($0 % 5) }.map { String(format: "cell%04d", $0) }
        let bad = (0..<40).filter { $0 % 5 == 1 }.map { String(format: "cell%04d", $0) }
        let out = tmp + "/inputs"
        let args = ["elpv-score-inputs", "--labels", elpv + "/labels.csv", "--size", "96", "--detector-train", "3",
                    "--good", "4", "--bad", "2", "--test", "1", "--new", "5", "-o", out]
        try run("build-dataset", args)

        let m = try Manifest.load(path: out + "/manifest.json")
        XCTAssertEqual(m.ids(.detectorTrain, seed: 0), Array(good[0..<3]))
        XCTAssertEqual(m.ids(.segadTrain, seed: 0), Array(good[3..<7]) + Array(bad[0..<2]))
        XCTAssertEqual(m.ids(.test, seed: 0), [good[7], bad[2]])
        XCTAssertEqual(m.items.map(\.id), Array(good[0..<8]) + Array(bad[0..<3]))
        XCTAssertEqual((m.resolve(m.items[0].image!) as NSString).standardizingPath, elpv + "/images/\(good[0]).png")
        let newCells = [good[8], bad[3], good[9], bad[4], bad[5]]
        XCTAssertEqual(try String(contentsOfFile: out + "/new-labels.csv", encoding: .utf8),
                       "file,label\n" + zip(newCells, ["good", "bad", "good", "bad", "bad"]).map { "\($0).png,\($1)\n" }.joined())
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: out + "/new")), Set(newCells.map { $0 + ".png" }))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/new/\(bad[5]).png"),
                       elpv + "/images/\(bad[5]).png")
        let seg = try PNG.read(path: out + "/segmentation.png")
        XCTAssertEqual([0, 1, 2].map { l in seg.samples.filter { Int($0) == l }.count }, [6688, 1056, 1472])

        // Fewer new cells: the stage's links to the others go (a stray link
        // too); a file it did not write stays (docs/reliability.md, "Files,
        // outputs and CSV cells").
        XCTAssertEqual(symlink(elpv + "/images/\(bad[5]).png", out + "/new/stray.png"), 0)
        try Data().write(to: URL(fileURLWithPath: out + "/new/notes.txt"))
        try run("build-dataset", args.map { $0 == "5" ? "2" : $0 })
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: out + "/new")),
                       [good[8] + ".png", bad[3] + ".png", "notes.txt"])

        // Too few cells: one line naming labels.csv, nothing written.
        let empty = tmp + "/none"
        let r = try ToolRunner.run("build-dataset", ["elpv-score-inputs", "--labels", elpv + "/labels.csv", "--size", "32",
                                                    "--good", "100", "-o", empty])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(elpv + "/labels.csv") && r.stderr.contains("good"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: empty + "/manifest.json"))
    }
}
