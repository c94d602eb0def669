import Foundation
import SegADNative
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 7: each misleading or raw message is now one line naming
/// the file or option and the fix, given before work starts.
final class MessageTests: XCTestCase {
    func testFolderGivenAsMapPath() throws {
        let f = try BadInputFixture(self)
        let variant = try f.manifestWithMap(2, at: "maps/alpha")
        let r = try f.extractMaps(manifest: variant)
        assertOneLineRefusal(r, "maps/alpha", "is a folder")
        XCTAssertFalse(r.stderr.contains("format '.'"), r.stderr)
    }

    func testFloat64BeyondFloat32RangeIsNotCalledInfinite() throws {
        let f = try BadInputFixture(self)
        // An 8×8 float64 .npy holding 1e300 (finite in float64, beyond float32).
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 8), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        for i in 0..<64 {
            let v: Double = i == 9 ? 1e300 : 0.5
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
        }
        let path = f.dir + "/big.npy"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        assertOneLineRefusal(try f.extractMaps(manifest: f.manifestWithMap(2, at: path)), "big.npy", "float32's range",
                             "row 1, column 1")
    }

    func testReportIntoAFileOrAnUnwritableFolder() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let file = f.dir + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        assertOneLineRefusal(try f.report([f.scores], output: file), "a-file", "is a file")
        assertOneLineRefusal(try f.report([f.scores], output: file + "/sub"), "a-file", "is a file")
        if getuid() != 0 {  // root writes anywhere
            let ro = f.dir + "/read-only"
            try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
            chmod(ro, 0o555)
            defer { chmod(ro, 0o755) }
            assertOneLineRefusal(try f.report([f.scores], output: ro), "read-only", "not writable")
            assertOneLineRefusal(try f.report([f.scores], output: ro + "/new"), "read-only/new", "permission denied")
            let stage = try ToolRunner.run("segment-stats", ["--manifest", f.manifest, "--maps", f.maps, "--segmentation",
                                                             f.segmentation, "--segments", "2", "-o", ro + "/f.h5"])
            assertOneLineRefusal(stage, "read-only", "not writable")
        }
    }

    func testUnknownOnlyTagIsNamed() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let r = try ToolRunner.run("evaluate", ["report", f.scores, "-o", f.dir + "/rep", "--only-tag", "nosuchtag"])
        assertOneLineRefusal(r, "--only-tag", "'nosuchtag'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/rep/metrics.json"))
    }

    /// A very long image name fails before the pipeline is even loaded.
    func testScoreNewWithAVeryLongIdFailsBeforeScoring() throws {
        let dir = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        try PNG.writeGray8(path: dir + "/images/" + String(repeating: "n", count: 240) + ".png", width: 4, height: 4,
                           pixels: [UInt8](repeating: 9, count: 16))
        let r = try ToolRunner.run("evaluate", ["score-new", "--pipeline", dir + "/no-such-pipeline.h5",
                                                "--images", dir + "/images", "-o", dir + "/out"])
        assertOneLineRefusal(r, "240 bytes")
        XCTAssertFalse(r.stderr.contains("no-such-pipeline"), r.stderr)
    }
}
