import Foundation
import XCTest
@testable import SegADNative
import _TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The artifact gate (docs/reliability.md, "One artifact gate"): a dataset
/// whose data does not lie inside the file as the project writes it is
/// refused with one line naming the file and the dataset, before anything is
/// read from it or allocated for it. Fixtures are written by h5py.
final class HDF5GateTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segad-gate-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `path` with h5py: `body` is Python with `f` the open file and
    /// `np`, `h5py`, `folder` in scope.
    private func h5py(_ name: String, _ body: String, line: UInt = #line) throws -> String {
        let file = directory + "/" + name
        let script = "import sys, os, h5py, numpy as np\nfolder = os.path.dirname(sys.argv[1])\n"
            + "with h5py.File(sys.argv[1], 'w') as f:\n"
            + body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        let r = try ToolRunner.run("python3", ["-c", script, file])
        XCTAssertEqual(r.status, 0, r.stderr, line: line)
        return file
    }

    private func assertRefused<T>(_ expected: HDF5FileError, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? HDF5FileError, expected, "\(error)", line: line)
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), text, line: line)
            XCTAssertTrue(text.hasPrefix(expected.file + ": dataset "), text, line: line)
        }
    }

    /// External storage: strings kept in /etc/passwd are refused without
    /// printing their bytes; maps kept in /dev/zero are not read.
    func testExternalStorageIsRefused() throws {
        let file = try h5py("external.h5", """
            f.create_dataset("feature_names", shape=(4,), dtype="S16", external=[("/etc/passwd", 0, 64)])
            f.create_dataset("maps", shape=(2, 8, 8), dtype="f4", external=[("/dev/zero", 0, h5py.h5f.UNLIMITED)])
            f["good"] = np.arange(3, dtype=np.float32)
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        assertRefused(.externalStorage(file, name: "feature_names")) { try reader.readStrings("feature_names") }
        assertRefused(.externalStorage(file, name: "maps")) { try reader.openDataset("maps") }
        assertRefused(.externalStorage(file, name: "maps")) { try reader.readFloats("maps") }
        assertRefused(.externalStorage(file, name: "maps")) { try reader.shape(of: "maps") }
        XCTAssertThrowsError(try reader.readStrings("feature_names")) { error in
            XCTAssertFalse("\(error)".contains("root"), "\(error)")
        }
        XCTAssertEqual(try reader.readFloats("good").values, [0, 1, 2])
    }

    /// Soft and external links — to the dataset or to a group on its path —
    /// are refused before they are followed (an external link would open
    /// another file, e.g. a FIFO).
    func testLinksOtherThanHardAreRefused() throws {
        _ = try h5py("other.h5", """
            f["ids"] = np.array([b"a", b"b"])
            f["g/ids"] = np.array([b"a", b"b"])
            """)
        let file = try h5py("links.h5", """
            f["real"] = np.array([b"x", b"y"])
            f["soft"] = h5py.SoftLink("/real")
            f["external"] = h5py.ExternalLink(os.path.join(folder, "other.h5"), "/ids")
            f["group"] = h5py.ExternalLink(os.path.join(folder, "other.h5"), "/g")
            f["dangling"] = h5py.ExternalLink("/nonexistent/x.h5", "/ids")
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertEqual(try reader.readStrings("real"), ["x", "y"])
        assertRefused(.notHardLink(file, name: "soft", link: "soft", type: "a soft")) { try reader.readStrings("soft") }
        assertRefused(.notHardLink(file, name: "external", link: "external", type: "an external")) {
            try reader.readStrings("external")
        }
        assertRefused(.notHardLink(file, name: "group/ids", link: "group", type: "an external")) {
            try reader.readStrings("group/ids")
        }
        assertRefused(.notHardLink(file, name: "dangling", link: "dangling", type: "an external")) {
            try reader.openDataset("dangling")
        }
        // `hasDataset` does not follow them either; the open refuses.
        XCTAssertTrue(reader.hasDataset("external"))
        XCTAssertFalse(reader.hasDataset("missing"))
    }

    func testVirtualDatasetsAreRefused() throws {
        _ = try h5py("source.h5", """
            f["x"] = np.arange(4, dtype=np.float32)
            """)
        let file = try h5py("virtual.h5", """
            layout = h5py.VirtualLayout(shape=(4,), dtype="f4")
            layout[:] = h5py.VirtualSource(os.path.join(folder, "source.h5"), "x", shape=(4,))
            f.create_virtual_dataset("maps", layout, fillvalue=0)
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        assertRefused(.virtualDataset(file, name: "maps")) { try reader.readFloats("maps") }
    }

    /// Filters other than Fletcher-32: a gzip'd 20000² float32 dataset of a
    /// few kilobytes would decompress into 1.6 GB.
    func testFiltersOtherThanFletcher32AreRefused() throws {
        let file = try h5py("filters.h5", """
            big = f.create_dataset("tensors/big", shape=(20000, 20000), dtype="f4", chunks=(1000, 1000), compression="gzip")
            big[:1000, :1000] = np.ones((1000, 1000), np.float32)
            f.create_dataset("shuffled", data=np.zeros((4, 4), np.float32), chunks=(2, 2), shuffle=True)
            f.create_dataset("checked", data=np.ones((4, 4), np.float32), chunks=(2, 2), fletcher32=True)
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        let before = Memory.peakResidentBytes()
        assertRefused(.filter(file, name: "tensors/big", filter: "deflate (gzip)")) { try reader.readFloats("tensors/big") }
        assertRefused(.filter(file, name: "shuffled", filter: "shuffle")) { try reader.openDataset("shuffled") }
        XCTAssertEqual(try reader.readFloats("checked").values, [Float](repeating: 1, count: 16))
        XCTAssertLessThan(Memory.peakResidentBytes() - before, 64 << 20)
    }

    /// A declared shape the stored bytes cannot hold (chunks never written,
    /// contiguous space never allocated) is refused before allocating it.
    func testDeclaredShapesBeyondTheStoredBytesAreRefusedBeforeAllocating() throws {
        let file = try h5py("declared.h5", """
            f.create_dataset("unwritten", shape=(20000, 20000), dtype="f4", chunks=(1, 20000), fletcher32=True)
            f.create_dataset("contiguous", shape=(1000000000,), dtype="f4")
            f.create_dataset("empty", shape=(0, 100000000, 100000000), dtype="f4")
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        let size = UInt64(try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int)
        let before = Memory.peakResidentBytes()
        assertRefused(.storage(file, name: "unwritten", declared: "[20000, 20000] (1600000000 bytes)", stored: 0,
                               fileSize: size)) { try reader.readFloats("unwritten") }
        assertRefused(.storage(file, name: "unwritten", declared: "[20000, 20000] (1600000000 bytes)", stored: 0,
                               fileSize: size)) { try reader.openDataset("unwritten") }
        XCTAssertThrowsError(try reader.readFloats("contiguous")) { error in
            guard case .storage(_, "contiguous", _, _, _)? = error as? HDF5FileError else { return XCTFail("\(error)") }
        }
        // An empty dataset with huge other sides: no rows, and a row would
        // exceed one read's budget.
        assertRefused(.tooLarge(file, name: "empty", bytes: "40000000000000000 bytes per row",
                                limit: HDF5Limits.readBytes)) { try reader.openDataset("empty") }
        XCTAssertLessThan(Memory.peakResidentBytes() - before, 64 << 20)
    }

    /// Row-wise reads, strings and shapes go through the same gate.
    func testEveryReadPassesTheGate() throws {
        let file = try h5py("every.h5", """
            for name in ["numbers", "rows", "strings", "shape"]:
                f.create_dataset(name, shape=(2, 2), dtype="S4" if name == "strings" else "f4",
                                 external=[("/dev/zero", 0, h5py.h5f.UNLIMITED)])
            """)
        let reader = try HDF5File(path: file, mode: .readOnly)
        assertRefused(.externalStorage(file, name: "numbers")) { try reader.readDoubles("numbers") }
        assertRefused(.externalStorage(file, name: "numbers")) { try reader.readInt64s("numbers") }
        assertRefused(.externalStorage(file, name: "rows")) { try reader.openDataset("rows") }
        assertRefused(.externalStorage(file, name: "strings")) { try reader.readStrings("strings") }
        assertRefused(.externalStorage(file, name: "shape")) { try reader.shape(of: "shape") }
    }

    func testElementCountsNeverOverflow() {
        XCTAssertEqual(HDF5File.elementCount([2, 3, 4]), 24)
        XCTAssertEqual(HDF5File.elementCount([]), 1)
        XCTAssertEqual(HDF5File.elementCount([0, 5]), 0)
        XCTAssertNil(HDF5File.elementCount([1 << 40, 1 << 40]))
        XCTAssertNil(HDF5File.elementCount([0, 1 << 40, 1 << 40]))
    }
}

private enum Memory {
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
