import Foundation
import SegADCore
import XCTest
import _TestSupport

/// Hostile files and folders through the stages (docs/reliability.md,
/// "Files, outputs and CSV cells"): special files, outputs that are not the
/// tool's own, name collisions, CSV cells, the score-new pre-pass, NFC/NFD twins.
final class HostileFilesEndToEndTests: XCTestCase {
    /// A stage binary under `timeout 30`: a read that blocks fails the test
    /// (exit 124) instead of hanging the suite.
    private func runBounded(_ tool: String, _ args: [String]) throws -> ToolRunner.Result {
        try ToolRunner.run("/usr/bin/timeout", ["30", ToolRunner.binDirectory + "/" + tool] + args)
    }

    /// A FIFO given as --pipeline, as a manifest, as a map artifact, or
    /// named x.png in a score-new folder is refused at once with one line.
    func testFIFOInputsAreRefusedByTheStages() throws {
        let dir = try temporaryFolder()
        for name in ["pipeline.h5", "manifest.json", "maps.h5"] { XCTAssertEqual(mkfifo(dir + "/" + name, 0o600), 0) }
        try FileManager.default.createDirectory(atPath: dir + "/new", withIntermediateDirectories: true)
        try ImagesTests.writePart(dir + "/new/a.png", n: 1, bad: false)
        XCTAssertEqual(mkfifo(dir + "/new/x.png", 0o600), 0)
        let fifo = "is a FIFO (named pipe), not a regular file"
        let cases: [(String, [String], String)] = [
            ("evaluate", ["score-new", "--pipeline", dir + "/pipeline.h5", "--images", dir + "/new", "-o", dir + "/out1"], "x.png"),
            ("extract-maps", ["fit", "--manifest", dir + "/manifest.json", "--kind", "golden-template", "--name", "g",
                              "--seed", "0", "--size", "16x16", "-o", dir + "/s.h5"], "manifest.json"),
            ("segment-stats", ["--manifest", dir + "/manifest.json", "--maps", dir + "/maps.h5", "--segmentation", dir + "/seg.png",
                               "--segments", "2", "-o", dir + "/f.h5"], "manifest.json"),
        ]
        for (tool, args, named) in cases {
            let r = try runBounded(tool, args)
            XCTAssertNotEqual(r.status, 124, "\(tool) blocked on a FIFO")
            assertOneLineRefusal(r, named, fifo)
        }
    }

    /// evaluate report -o R with R/figures a symlink: refused before any
    /// work; the link's target keeps every file (they were deleted before).
    func testReportFiguresSymlinkIsRefusedAndTargetKept() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let out = f.dir + "/report", victim = f.dir + "/victim"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim + "/precious.txt"))
        XCTAssertEqual(symlink(victim, out + "/figures"), 0)
        let r = try f.report([f.scores], output: out)
        assertOneLineRefusal(r, out + "/figures", "is a symlink")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: victim), ["precious.txt"])
    }

    /// Two methods whose names map to one figure name: refused before
    /// anything is touched, so the earlier report stays whole (the commit
    /// failed half-way before, leaving no metrics.json).
    func testReportFigureNameCollisionLeavesOldReport() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let out = f.dir + "/report", other = f.artifacts + "/scores-b.h5"
        XCTAssertEqual(try f.report([f.scores], output: out).status, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let metrics = try Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))
        let s = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", f.manifest, "--model", f.model,
                                                "--method", "SegAD[alpha]", "-o", other])
        XCTAssertEqual(s.status, 0, s.stderr)
        let r = try f.report([f.scores, other], output: out)
        assertOneLineRefusal(r, "hist_SegAD_alpha_.png", "SegAD(alpha)", "SegAD[alpha]", "nothing was changed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json")), metrics)
        XCTAssertEqual(f.temporaries(), [])
    }

    /// A rerun removes the figures its previous record lists and no longer
    /// writes, and nothing else: a file the user put in figures/ stays.
    func testReportRemovesOnlyRecordedFigures() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let out = f.dir + "/report", other = f.artifacts + "/scores-b.h5"
        let s = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", f.manifest, "--model", f.model,
                                                "--method", "Other", "-o", other])
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(try f.report([f.scores, other], output: out).status, 0)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/figures/notes.png"))
        XCTAssertEqual(try f.report([f.scores], output: out).status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/figures").sorted(),
                       [OutputSet.ownerMarker, "hist_SegAD_alpha_.png", "notes.png"])
    }

    /// derive-segmentation --per-image --label-folder DIR: a DIR holding the
    /// user's files is refused (it was replaced with everything in it); its
    /// own earlier label folder is replaced as before.
    func testLabelFolderOfUserIsNotReplaced() throws {
        let dir = try temporaryFolder()
        try ImagesTests.makeFolder(dir + "/parts", good: 8, bad: 4, uncertain: 0)
        let manifest = dir + "/manifest.json"
        XCTAssertEqual(try ToolRunner.run("build-dataset", ["images-manifest", "--images", dir + "/parts", "--seeds", "0",
                                                           "-o", manifest]).status, 0)
        let mine = dir + "/photos"
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        try Data("holiday".utf8).write(to: URL(fileURLWithPath: mine + "/holiday.png"))
        func derive(_ folder: String) throws -> ToolRunner.Result {
            try ToolRunner.run("extract-maps", ["derive-segmentation", "--manifest", manifest, "--per-image", "--size", "16x16",
                                                "--label-folder", folder, "-o", dir + "/seg.json"])
        }
        let r = try derive(mine)
        assertOneLineRefusal(r, mine, "holds files this tool did not write")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mine), ["holiday.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/seg.json"))
        let own = dir + "/labels"
        XCTAssertEqual(try derive(own).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: own + "/" + OutputSet.ownerMarker))
        let second = try derive(own)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(symlink(own, dir + "/linked"), 0)
        assertOneLineRefusal(try derive(dir + "/linked"), dir + "/linked", "is a symlink")
    }

    /// score-new: every text cell of scores.csv is safe for a spreadsheet
    /// (images named =HYPERLINK(…), +1, -2, @SUM(1)); scores stay numbers.
    /// Then the pre-pass: a truncated image last in the folder is refused
    /// before the pipeline is even read (an empty pipeline.h5 beside shows
    /// the order), and with the real pipeline nothing is written.
    func testScoreNewCSVCellsAndPrePass() throws {
        let f = try GoldenPipelineFixture(self)
        let names = ["=HYPERLINK(\"evil.example\";\"y\")", "+1", "-2", "@SUM(1)", "ok"]
        try FileManager.default.removeItem(atPath: f.newImages)
        for (i, name) in names.enumerated() { try ImagesTests.writePart(f.newImages + "/\(name).png", n: 301 + i, bad: false) }
        let out = f.dir + "/scored"
        let r = try f.scoreNew(output: out)
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try CSV.read(path: out + "/scores.csv").dropFirst().map(\.fields)
        XCTAssertEqual(Set(rows.map { $0[0] }), ["'=HYPERLINK(\"evil.example\";\"y\")", "'+1", "'-2", "'@SUM(1)", "ok"])
        XCTAssertEqual(Set(rows.map { CSV.untext($0[0]) }), Set(names))
        for row in rows { XCTAssertNotNil(Double(row[1]), "\(row)") }
        for row in rows where !row[3].isEmpty { XCTAssertFalse("=+-@".contains(row[3].first!), "\(row)") }

        // The pre-pass: 30 good images, then a truncated one last.
        for i in 0..<30 { try ImagesTests.writePart(f.newImages + "/p\(i).png", n: 400 + i, bad: false) }
        let good = try Data(contentsOf: URL(fileURLWithPath: f.newImages + "/p0.png"))
        try good.prefix(good.count - 40).write(to: URL(fileURLWithPath: f.newImages + "/zz-cut.png"))
        let empty = f.dir + "/empty.h5"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let early = try ToolRunner.run("evaluate", ["score-new", "--pipeline", empty, "--images", f.newImages, "-o", f.dir + "/early"])
        assertOneLineRefusal(early, "zz-cut.png")
        let full = try f.scoreNew(output: f.dir + "/late")
        assertOneLineRefusal(full, "zz-cut.png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/late/scores.csv"))
        // A header over the pixel limit is found by the pre-pass too.
        try FileManager.default.removeItem(atPath: f.newImages + "/zz-cut.png")
        var b = [UInt8](good)
        for k in 0..<4 { b[16 + k] = UInt8(truncatingIfNeeded: 9000 >> (24 - 8 * k)); b[20 + k] = b[16 + k] }
        try Data(b).write(to: URL(fileURLWithPath: f.newImages + "/zz-huge.png"))
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", empty, "--images", f.newImages,
                                                             "-o", f.dir + "/early"]),
                             "zz-huge.png", "9000×9000", "SEGAD_MAX_PIXELS")
    }

    /// images-manifest: two files whose names are equal after Unicode
    /// normalization (NFC "é" and NFD "e" + U+0301) → one clear line.
    func testImagesManifestNFCNFDTwinsAreNamed() throws {
        let dir = try temporaryFolder()
        try ImagesTests.makeFolder(dir + "/parts", good: 8, bad: 4, uncertain: 0)
        try ImagesTests.writePart(dir + "/parts/good/caf\u{E9}.png", n: 50, bad: false)
        try ImagesTests.writePart(dir + "/parts/good/cafe\u{301}.png", n: 51, bad: false)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/parts/good")
        XCTAssertEqual(names.filter { $0.hasPrefix("caf") }.count, 2, "the file system merged the twins")
        let r = try ToolRunner.run("build-dataset", ["images-manifest", "--images", dir + "/parts", "--seeds", "0",
                                                    "-o", dir + "/m.json"])
        assertOneLineRefusal(r, "caf", "after Unicode normalization (NFC/NFD")
    }
}
