import Foundation
import XCTest
import _TestSupport
@testable import SegADNative
@testable import SegADCore

/// Outputs that delete only what the tool wrote, temporaries owned by a
/// lock, write failures that say why, and CSV cells safe for spreadsheets
/// (docs/reliability.md, "Files, outputs and CSV cells").
final class OutputSafetyTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryFolder() }

    // MARK: CSV cells

    /// Text cells beginning with = + - @ tab CR get a leading '; control
    /// characters become \u{…}; plain text is unchanged; untext inverts the prefix.
    func testCSVFormulaCellsAreNeutralized() throws {
        XCTAssertEqual(CSV.text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")")
        XCTAssertEqual(CSV.text("+1"), "'+1")
        XCTAssertEqual(CSV.text("-2"), "'-2")
        XCTAssertEqual(CSV.text("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(CSV.text("\tx"), "'\\u{9}x")
        XCTAssertEqual(CSV.text("\r=1"), "'\\u{d}=1")
        XCTAssertEqual(CSV.text("'quoted"), "''quoted")
        XCTAssertEqual(CSV.text("a\nb\u{1B}[31m"), "a\\u{a}b\\u{1b}[31m")
        XCTAssertEqual(CSV.text("cell_001 a=b"), "cell_001 a=b")
        for s in ["=x", "+1", "-2", "@a", "'q", "'=x", "plain", "x=1"] { XCTAssertEqual(CSV.untext(CSV.text(s)), s, s) }
        XCTAssertEqual(CSV.untext("'it's"), "'it's", "a ' not before a formula start is kept")
        // In a line: numbers stay numbers, the neutralized cell is one field.
        let line = CSV.line([CSV.text("=1+2"), "-0.5", CSV.text("a,b")])
        XCTAssertEqual(line, "'=1+2,-0.5,\"a,b\"\n")
        XCTAssertEqual(try CSV.parse(line).map(\.fields), [["'=1+2", "-0.5", "a,b"]])
    }

    // MARK: Output folders and collisions

    private func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A set with a folder member over a user's non-empty folder: refused at
    /// commit before anything is touched (old marker and folder intact);
    /// over the tool's own folder, an empty one, or none: replaced.
    func testFolderMemberReplacesOnlyTheToolsOwnFolder() throws {
        let marker = dir + "/scores.csv", folder = dir + "/overlays"
        try write("old", marker)
        try write("user", folder + "/mine.png")
        func commit(_ text: String) throws {
            var set = OutputSet(marker: marker)
            defer { set.discard() }
            let t = OutputSet.temporary(for: folder)
            try FileManager.default.createDirectory(atPath: t, withIntermediateDirectories: true)
            try write(text, t + "/a.png")
            set.adopt(temporary: t, final: folder)
            try set.data(marker, Data(text.utf8))
            try set.commit()
        }
        XCTAssertThrowsError(try commit("new")) {
            XCTAssertEqual($0 as? OutputError, .notOwnFolder(folder, option: "-o"))
            XCTAssertTrue("\($0)".contains("holds files this tool did not write"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOfFile: marker, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["mine.png"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }, [])

        try FileManager.default.removeItem(atPath: folder + "/mine.png")  // empty: may be replaced
        try commit("one")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), [OutputSet.ownerMarker, "a.png"])
        try commit("two")  // its own: replaced
        XCTAssertEqual(try String(contentsOfFile: folder + "/a.png", encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }, [])
    }

    /// A symlink in a folder member's place is refused, its target untouched.
    func testFolderMemberNeverReplacesASymlink() throws {
        try write("precious", dir + "/target/keep.txt")
        XCTAssertEqual(symlink(dir + "/target", dir + "/overlays"), 0)
        XCTAssertThrowsError(try OutputSet.checkReplaceable(dir + "/overlays", option: "-o")) {
            XCTAssertEqual($0 as? OutputError, .isSymlink(dir + "/overlays", option: "-o"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/target"), ["keep.txt"])
    }

    /// Two members with one final name: refused when the second is staged,
    /// and at commit (adopted members), before the old marker goes.
    func testNameCollisionFoundBeforeAnythingIsTouched() throws {
        let marker = dir + "/metrics.json"
        try write("old", marker)
        var set = OutputSet(marker: marker)
        defer { set.discard() }
        try set.data(dir + "/figures/hist_a.png", Data("1".utf8))
        XCTAssertThrowsError(try set.data(dir + "/figures/hist_a.png", Data("2".utf8))) {
            XCTAssertEqual($0 as? OutputError, .collision(dir + "/figures/hist_a.png"))
        }
        let t = dir + "/other.tmp"
        try write("x", t)
        set.adopt(temporary: t, final: dir + "/figures/hist_a.png")
        try set.data(marker, Data("new".utf8))
        XCTAssertThrowsError(try set.commit()) { XCTAssertEqual($0 as? OutputError, .collision(dir + "/figures/hist_a.png")) }
        XCTAssertEqual(try String(contentsOfFile: marker, encoding: .utf8), "old")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/figures/hist_a.png"))
    }

    // MARK: Temporaries owned by their lock

    /// A zombie's temporary (its PID still answers kill(pid, 0)) is removed;
    /// so is one whose lock file is free though its PID (1) runs; one whose
    /// lock is held stays until the holder lets go.
    func testTemporaryOwnershipUsesTheLock() throws {
        let path = dir + "/model.h5"
        // A zombie: a child that exited and was not reaped.
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        XCTAssertEqual(posix_spawn(&pid, "/bin/true", nil, nil, argv, nil), 0)
        defer { var status: Int32 = 0; waitpid(pid, &status, 0) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, TemporaryLock.isRunning(pid) { usleep(10_000) }
        XCTAssertEqual(kill(pid, 0), 0, "the zombie answers kill(pid, 0)")
        XCTAssertFalse(TemporaryLock.isRunning(pid))
        try write("z", path + ".tmp-\(pid)")
        // PID 1 runs, but its lock file is free: abandoned.
        try write("f", path + ".tmp-1")
        try write("", path + ".tmp-1.lock")
        // A live writer: this test holds the lock through its own descriptor.
        try write("l", path + ".tmp-2")
        try write("", path + ".tmp-2.lock")
        let held = open(path + ".tmp-2.lock", O_RDWR)
        XCTAssertEqual(flock(held, LOCK_EX), 0)
        TemporaryLock.removeStale(of: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["model.h5.tmp-2", "model.h5.tmp-2.lock"])
        close(held)
        TemporaryLock.removeStale(of: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    /// A writer claims its temporary's lock for the length of the write and
    /// leaves no lock file behind.
    func testWritersReleaseTheirLocks() throws {
        try AtomicFile.write(Data("a".utf8), to: dir + "/a.json")
        var set = OutputSet(marker: dir + "/m.csv")
        try set.data(dir + "/m.csv", Data("m".utf8))
        XCTAssertTrue(TemporaryLock.holds(OutputSet.temporary(for: dir + "/m.csv")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: OutputSet.temporary(for: dir + "/m.csv") + ".lock"))
        try set.commit()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.json", "m.csv"])
    }

    // MARK: Full disk, read-only

    /// A write that fails for a full disk says so (/dev/full gives ENOSPC);
    /// read-only and permission faults are spelled out too.
    func testFullDiskAndReadOnlyMessages() throws {
        XCTAssertThrowsError(try AtomicFile.writeWhole(Data(repeating: 1, count: 10000), to: "/dev/full", naming: "out/scores.csv")) {
            XCTAssertEqual("\($0)", "out/scores.csv: cannot write here (the disk is full (no space left on device); "
                           + "free space or choose another output)")
        }
        XCTAssertEqual(OutputError.reason(EROFS), "the file system is read-only; choose another output")
        XCTAssertEqual(OutputError.reason(EACCES), "permission denied; choose a folder you can write")
    }
}
