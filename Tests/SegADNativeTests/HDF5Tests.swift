import Foundation
import XCTest
@testable import SegADNative
import _TestSupport

final class HDF5Tests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("segad-hdf5-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Asserts that `body` throws exactly `expected`.
    private func assertFault<T>(_ expected: HDF5FileError, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? HDF5FileError, expected, "\(error)", line: line)
        }
    }

    /// Asserts that `body` throws an `HDF5Error` from `operation` whose
    /// description is one line.
    private func assertHDF5Error<T>(_ operation: String, line: UInt = #line, _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), line: line) { error in
            guard let error = error as? HDF5Error else {
                return XCTFail("expected HDF5Error, got \(error)", line: line)
            }
            XCTAssertEqual(error.operation, operation, "\(error)", line: line)
            XCTAssertFalse(error.message.isEmpty, line: line)
            XCTAssertFalse(error.description.contains("\n"), line: line)
        }
    }

    // MARK: Round trips

    func testFloatRoundTripEveryShape() throws {
        let file = path("floats.h5")
        let cases: [(String, [Int], [Int]?)] = [
            ("scalar", [], nil), ("empty", [0], nil), ("empty2d", [0, 3], [1, 3]),
            ("vector", [5], nil), ("matrix", [2, 3], nil), ("cube", [2, 3, 4], nil),
            ("chunked", [3, 8, 8], [1, 8, 8]), ("bigchunks", [2, 3], [10, 10]),
        ]
        var written: [String: [Float]] = [:]
        do {
            let writer = try HDF5File(path: file, mode: .create)
            for (name, shape, chunks) in cases {
                let values = (0 ..< shape.reduce(1, *)).map { Float($0) * 0.5 - 3 }
                written[name] = values
                try writer.write(name, floats: values, shape: shape, chunks: chunks)
            }
            try writer.write("special", floats: [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude,
                                                 .greatestFiniteMagnitude], shape: [6])
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        for (name, shape, _) in cases {
            let (values, readShape) = try reader.readFloats(name)
            XCTAssertEqual(readShape, shape, name)
            XCTAssertEqual(values, written[name], name)
            XCTAssertEqual(try reader.shape(of: name), shape, name)
        }
        let special = try reader.readFloats("special").values
        XCTAssertTrue(special[0].isNaN)
        XCTAssertEqual(Array(special[1...]).map(\.bitPattern),
                       [Float.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
                           .map(\.bitPattern))
    }

    func testEveryNumericTypeRoundTrips() throws {
        let file = path("types.h5")
        let doubles: [Double] = [.pi, -1e300, 1e-300, 0, .nan]
        let int64s: [Int64] = [.min, -1, 0, 1, .max, 42]
        let int32s: [Int32] = [.min, -7, 0, 7, .max, 3]
        let int8s: [Int8] = [.min, -1, 0, 1, .max, 5]
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.write("d", doubles: doubles, shape: [5])
            try writer.write("i64", int64s: int64s, shape: [2, 3])
            try writer.write("i32", int32s: int32s, shape: [3, 2])
            try writer.write("i8", int8s: int8s, shape: [1, 2, 3])
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        let d = try reader.readDoubles("d")
        XCTAssertEqual(d.shape, [5])
        XCTAssertEqual(Array(d.values.prefix(4)), Array(doubles.prefix(4)))
        XCTAssertTrue(d.values[4].isNaN)
        XCTAssertEqual(try reader.readInt64s("i64").values, int64s)
        XCTAssertEqual(try reader.readInt64s("i64").shape, [2, 3])
        XCTAssertEqual(try reader.readInt64s("i32").values, int32s.map(Int64.init))
        XCTAssertEqual(try reader.readInt64s("i32").shape, [3, 2])
        XCTAssertEqual(try reader.readInt64s("i8").values, int8s.map(Int64.init))
        XCTAssertEqual(try reader.readInt64s("i8").shape, [1, 2, 3])
        // Conversions between stored and requested types.
        XCTAssertEqual(try reader.readFloats("i8").values, int8s.map(Float.init))
        XCTAssertEqual(try reader.readDoubles("i32").values, int32s.map(Double.init))
        XCTAssertEqual(try reader.readFloats("d").values.prefix(1), [Float(Double.pi)])
        assertFault(.datasetType(file, name: "d", expected: "integer")) { try reader.readInt64s("d") }
    }

    func testNestedNamesAndReplacement() throws {
        let file = path("nested.h5")
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.write("a/b/c", floats: [1, 2], shape: [2])
            try writer.write("/a/d", int64s: [5], shape: [1])
            try writer.write("a/b/c", floats: [9, 8, 7], shape: [3])  // replaces
            XCTAssertThrowsError(try writer.write("bad", floats: [1, 2, 3], shape: [2, 2]))
            XCTAssertThrowsError(try writer.write("bad", floats: [1], shape: [1], chunks: [1, 1]))
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertTrue(reader.hasDataset("a/b/c"))
        XCTAssertTrue(reader.hasDataset("/a/b/c"))
        XCTAssertTrue(reader.hasDataset("a/d"))
        XCTAssertFalse(reader.hasDataset("a"))       // a group
        XCTAssertFalse(reader.hasDataset("a/b"))
        XCTAssertFalse(reader.hasDataset("x/y/z"))   // missing intermediate group
        XCTAssertFalse(reader.hasDataset(""))
        XCTAssertFalse(reader.hasDataset("bad"))
        XCTAssertEqual(try reader.readFloats("a/b/c").values, [9, 8, 7])
        XCTAssertEqual(try reader.readInt64s("a/d").values, [5])
    }

    func testStringsRoundTrip() throws {
        let file = path("strings.h5")
        let strings = ["good/001.png", "", "naïve café", "日本語 ✓", "emoji 🚀", String(repeating: "x", count: 5000)]
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.write("ids", strings: strings)
            try writer.write("none", strings: [])
            try writer.write("numbers", int32s: [1], shape: [1])
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertEqual(try reader.readStrings("ids"), strings)
        XCTAssertEqual(try reader.shape(of: "ids"), [strings.count])
        XCTAssertEqual(try reader.readStrings("none"), [])
        assertFault(.notStrings(file, name: "numbers")) { try reader.readStrings("numbers") }
        assertFault(.datasetType(file, name: "ids", expected: "numeric")) { try reader.readFloats("ids") }
    }

    func testAttributes() throws {
        let file = path("attributes.h5")
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.setAttribute("stage", string: "extract-maps")
            try writer.setAttribute("config", string: #"{"detector": "padim", "Größe": 256, "名": "✓"}"#)
            try writer.setAttribute("empty", string: "")
            try writer.setAttribute("version", int: 1)
            try writer.setAttribute("version", int: 2)            // replaces
            try writer.setAttribute("negative", int: Int.min)
            try writer.setAttribute("stage", string: "segment-stats")  // replaces
            XCTAssertTrue(writer.hasAttribute("stage"))
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertEqual(try reader.stringAttribute("stage"), "segment-stats")
        XCTAssertEqual(try reader.stringAttribute("config"), #"{"detector": "padim", "Größe": 256, "名": "✓"}"#)
        XCTAssertEqual(try reader.stringAttribute("empty"), "")
        XCTAssertEqual(try reader.intAttribute("version"), 2)
        XCTAssertEqual(try reader.intAttribute("negative"), Int.min)
        XCTAssertTrue(reader.hasAttribute("version"))
        XCTAssertFalse(reader.hasAttribute("sha256"))
        assertFault(.missingAttribute(file, name: "sha256")) { try reader.stringAttribute("sha256") }
        assertFault(.missingAttribute(file, name: "sha256")) { try reader.intAttribute("sha256") }
        assertFault(.attributeType(file, name: "stage", expected: "an integer")) { try reader.intAttribute("stage") }
        assertFault(.attributeType(file, name: "version", expected: "a string")) { try reader.stringAttribute("version") }
        assertHDF5Error("H5Acreate2") { try reader.setAttribute("new", int: 1) }  // read-only file
    }

    // MARK: Rows

    func testRowsWriteAndReadBack() throws {
        let file = path("rows.h5")
        let (n, h, w) = (5, 4, 3)
        let row = h * w
        let all = (0 ..< n * row).map { Float($0) }
        do {
            let writer = try HDF5File(path: file, mode: .create)
            let maps = try writer.createFloatDataset("maps", shape: [n, h, w], chunks: [1, h, w])
            XCTAssertEqual(maps.shape, [n, h, w])
            XCTAssertEqual(maps.rowCount, n)
            XCTAssertEqual(maps.rowLength, row)
            try all.withUnsafeBufferPointer { values in
                try maps.writeRows(0, UnsafeBufferPointer(rebasing: values[0 ..< row]))           // one row
                try maps.writeRows(1, UnsafeBufferPointer(rebasing: values[row ..< 4 * row]))     // three rows
                try maps.writeRows(4, UnsafeBufferPointer(rebasing: values[4 * row ..< 5 * row]))
                try maps.writeRows(5, UnsafeBufferPointer(rebasing: values[0 ..< 0]))             // nothing, at end
                XCTAssertThrowsError(try maps.writeRows(0, UnsafeBufferPointer(rebasing: values[0 ..< row - 1])))
                XCTAssertThrowsError(try maps.writeRows(4, UnsafeBufferPointer(rebasing: values[0 ..< 2 * row])))
                XCTAssertThrowsError(try maps.writeRows(-1, UnsafeBufferPointer(rebasing: values[0 ..< row])))
            }
            // Read back through the same handle before closing.
            XCTAssertEqual(try maps.readRows(2, count: 1), Array(all[2 * row ..< 3 * row]))
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertEqual(try reader.readFloats("maps").values, all)
        let maps = try reader.openDataset("maps")
        XCTAssertEqual(maps.shape, [n, h, w])
        for index in 0 ..< n {
            XCTAssertEqual(try maps.readRows(index, count: 1), Array(all[index * row ..< (index + 1) * row]))
        }
        XCTAssertEqual(try maps.readRows(1, count: 3), Array(all[row ..< 4 * row]))
        XCTAssertEqual(try maps.readRows(5, count: 0), [])
        var buffer = [Float](repeating: -1, count: 2 * row + 1)
        try buffer.withUnsafeMutableBufferPointer { try maps.readRows(3, count: 2, into: $0) }
        XCTAssertEqual(Array(buffer[..<(2 * row)]), Array(all[3 * row ..< 5 * row]))
        XCTAssertEqual(buffer.last, -1)
        // Out of range, never a crash.
        for (start, count) in [(5, 1), (4, 2), (-1, 1), (0, -1), (Int.max, 1), (1, Int.max)] {
            XCTAssertThrowsError(try maps.readRows(start, count: count), "\(start), \(count)") { error in
                let error = error as? HDF5Error
                XCTAssertEqual(error?.operation, "readRows")
                XCTAssertEqual(error?.code, 0)
                XCTAssertTrue(error?.description.contains("outside 0..<5") ?? false, "\(String(describing: error))")
            }
        }
        var small = [Float](repeating: 0, count: row)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try maps.readRows(0, count: 2, into: $0) })
    }

    func testRowsFromOtherStoredTypesAndRanks() throws {
        let file = path("rows-types.h5")
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.write("labels", int8s: [0, 1, 1, 0], shape: [4])
            try writer.write("features", doubles: [1, 2, 3, 4, 5, 6], shape: [3, 2])
            try writer.write("scalar", doubles: [1], shape: [])
            try writer.write("names", strings: ["a"])
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        let labels = try reader.openDataset("labels")
        XCTAssertEqual(labels.rowLength, 1)
        XCTAssertEqual(try labels.readRows(1, count: 3), [1, 1, 0])
        let features = try reader.openDataset("features")
        XCTAssertEqual(try features.readRows(1, count: 2), [3, 4, 5, 6])
        assertFault(.scalarDataset(file, name: "scalar")) { try reader.openDataset("scalar") }
        assertFault(.datasetType(file, name: "names", expected: "numeric")) { try reader.openDataset("names") }
    }

    func testRowwiseReadOfLargeChunkedMapsIsNotPerElement() throws {
        // 64 maps of 256×256, one chunk each: the shape the rows API is for.
        let file = path("large.h5")
        let (n, side) = (64, 256)
        let row = side * side
        var values = [Float](repeating: 0, count: row)
        do {
            let writer = try HDF5File(path: file, mode: .create)
            let maps = try writer.createFloatDataset("maps", shape: [n, side, side], chunks: [1, side, side])
            for index in 0 ..< n {
                values[0] = Float(index)
                values[row - 1] = Float(-index)
                try values.withUnsafeBufferPointer { try maps.writeRows(index, $0) }
            }
        }
        let maps = try HDF5File(path: file, mode: .readOnly).openDataset("maps")
        let started = Date()
        try values.withUnsafeMutableBufferPointer { buffer in
            for index in 0 ..< n {
                try maps.readRows(index, count: 1, into: buffer)
                XCTAssertEqual(buffer[0], Float(index))
                XCTAssertEqual(buffer[row - 1], Float(-index))
            }
        }
        // 16 MiB: about 0.01 s when HDF5 copies whole chunks, about 0.8 s
        // through its general gather/scatter path (a memory dataspace whose
        // shape differs from the selection) or with per-element work.
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
    }

    // MARK: Faults

    func testBadFilesGiveOneLineInputErrors() throws {
        let missing = path("missing.h5")
        assertFault(.noSuchFile(missing)) { try HDF5File(path: missing, mode: .readOnly) }
        XCTAssertThrowsError(try HDF5File(path: missing, mode: .readOnly)) {
            XCTAssertEqual("\($0)", "\(missing): no such file")  // the printed line
        }

        let empty = path("empty.h5")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        assertFault(.notHDF5(empty)) { try HDF5File(path: empty, mode: .readOnly) }

        let garbage = path("garbage.h5")
        _ = FileManager.default.createFile(atPath: garbage, contents: Data((0 ..< 4096).map { UInt8($0 % 251) }))
        assertFault(.notHDF5(garbage)) { try HDF5File(path: garbage, mode: .readOnly) }

        assertFault(.notHDF5(directory.path)) { try HDF5File(path: directory.path, mode: .readOnly) }

        // A real file cut short: the signature is there, the rest is not.
        let whole = path("whole.h5")
        do {
            let writer = try HDF5File(path: whole, mode: .create)
            try writer.write("maps", floats: [Float](repeating: 1, count: 10_000), shape: [10_000])
        }
        let truncated = path("truncated.h5")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try HDF5File(path: truncated, mode: .readOnly)) { error in
            guard case .unreadable(truncated, let message)? = error as? HDF5FileError else { return XCTFail("\(error)") }
            XCTAssertFalse(message.isEmpty)
            // The printed line, end to end: FILE: FAULT, one line.
            XCTAssertEqual("\(error)", "\(truncated): not a readable HDF5 file: \(message)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testMissingDatasetsGiveInputErrors() throws {
        let file = path("sparse.h5")
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.write("group/present", floats: [1], shape: [1])
        }
        let reader = try HDF5File(path: file, mode: .readOnly)
        for name in ["absent", "group/absent", "nogroup/absent", "group"] {
            assertFault(.missingDataset(file, name: name)) { try reader.readFloats(name) }
            assertFault(.missingDataset(file, name: name)) { try reader.readDoubles(name) }
            assertFault(.missingDataset(file, name: name)) { try reader.readInt64s(name) }
            assertFault(.missingDataset(file, name: name)) { try reader.readStrings(name) }
            assertFault(.missingDataset(file, name: name)) { try reader.shape(of: name) }
            assertFault(.missingDataset(file, name: name)) { try reader.openDataset(name) }
        }
    }

    func testHDF5ErrorsCarryTheLibraryMessageAndPrintNothing() throws {
        let target = path("no/such/folder/out.h5")
        let printed = try capturingStandardError {
            XCTAssertThrowsError(try HDF5File(path: target, mode: .create)) { error in
                guard let error = error as? HDF5Error else { return XCTFail("\(error)") }
                XCTAssertEqual(error.operation, "H5Fcreate")
                XCTAssertEqual(error.path, target)
                XCTAssertLessThan(error.code, 0)
                XCTAssertFalse(error.message.isEmpty)
                XCTAssertTrue(error.description.hasPrefix("\(target): HDF5 H5Fcreate failed"), error.description)
                XCTAssertFalse(error.description.contains("\n"))
            }
            // A failure on another thread must not print either (HDF5 keeps
            // its error settings per thread).
            let done = expectation(description: "thread")
            Thread {
                let opened = try? HDF5File(path: target, mode: .create)
                XCTAssertNil(opened)
                done.fulfill()
            }.start()
            wait(for: [done], timeout: 10)
        }
        XCTAssertEqual(printed, "", "HDF5 printed its error stack")
    }

    func testCloseIsIdempotentAndDatasetsOutliveTheFile() throws {
        let file = path("close.h5")
        let writer = try HDF5File(path: file, mode: .create)
        let maps = try writer.createFloatDataset("maps", shape: [2, 2], chunks: [1, 2])
        writer.close()
        writer.close()
        XCTAssertFalse(writer.hasDataset("maps"))
        XCTAssertFalse(writer.hasAttribute("x"))
        XCTAssertThrowsError(try writer.write("late", floats: [1], shape: [1])) { error in
            XCTAssertEqual((error as? HDF5Error)?.message, "the file is closed")
        }
        try [Float](arrayLiteral: 1, 2, 3, 4).withUnsafeBufferPointer { try maps.writeRows(0, $0) }
        XCTAssertEqual(try maps.readRows(0, count: 2), [1, 2, 3, 4])
    }

    // MARK: h5py interoperability

    func testSwiftReadsWhatH5pyWrites() throws {
        let file = path("from-python.h5")
        try runPython("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["stage"] = "segment-stats"
                f.attrs["config"] = '{"seed": 333, "name": "Größe ✓"}'
                f.attrs["version"] = 3
                f.attrs["small"] = np.int16(-5)
                f["scores"] = np.array([[0.5, -1.25, 3.0], [1e-10, 2.0, -0.0]], dtype=np.float64)
                f["labels"] = np.array([0, 1, 1, 0], dtype=np.int64)
                f["counts"] = np.array([7, 255], dtype=np.uint8)
                f["maps"] = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
                f.create_dataset("chunked", data=np.arange(2 * 256 * 256, dtype=np.float32).reshape(2, 256, 256),
                                 chunks=(1, 256, 256), fletcher32=True)
                f["group/ids"] = ["a.png", "ß.png", "日本.png"]
                f["fixed"] = np.array([b"ab", b"c", b""], dtype="S4")
            """, file)
        let reader = try HDF5File(path: file, mode: .readOnly)
        XCTAssertEqual(try reader.stringAttribute("stage"), "segment-stats")
        XCTAssertEqual(try reader.stringAttribute("config"), #"{"seed": 333, "name": "Größe ✓"}"#)
        XCTAssertEqual(try reader.intAttribute("version"), 3)
        XCTAssertEqual(try reader.intAttribute("small"), -5)
        let scores = try reader.readDoubles("scores")
        XCTAssertEqual(scores.shape, [2, 3])
        XCTAssertEqual(scores.values, [0.5, -1.25, 3.0, 1e-10, 2.0, -0.0])
        XCTAssertEqual(try reader.readFloats("scores").values, [0.5, -1.25, 3.0, Float(1e-10), 2.0, -0.0])
        XCTAssertEqual(try reader.readInt64s("labels").values, [0, 1, 1, 0])
        XCTAssertEqual(try reader.readInt64s("counts").values, [7, 255])
        XCTAssertEqual(try reader.readFloats("maps").shape, [2, 3, 4])
        XCTAssertEqual(try reader.readFloats("maps").values, (0 ..< 24).map(Float.init))
        let chunked = try reader.openDataset("chunked")
        XCTAssertEqual(try chunked.readRows(1, count: 1), (65_536 ..< 131_072).map(Float.init))
        XCTAssertEqual(try reader.readStrings("group/ids"), ["a.png", "ß.png", "日本.png"])
        XCTAssertEqual(try reader.readStrings("fixed"), ["ab", "c", ""])
    }

    func testH5pyReadsWhatSwiftWrites() throws {
        let file = path("from-swift.h5")
        do {
            let writer = try HDF5File(path: file, mode: .create)
            try writer.setAttribute("stage", string: "extract-maps")
            try writer.setAttribute("config", string: "{\"ß\": \"✓\"}")
            try writer.setAttribute("format_version", int: 1)
            try writer.write("scores", doubles: [0.25, -3.5, 1e300], shape: [3])
            try writer.write("labels", int8s: [0, 1, -1], shape: [3])
            try writer.write("i32", int32s: [1, 2, 3, 4], shape: [2, 2])
            try writer.write("i64", int64s: [Int64.min, Int64.max], shape: [2])
            try writer.write("features", floats: (0 ..< 6).map { Float($0) / 4 }, shape: [2, 3], chunks: [1, 3])
            try writer.write("meta/ids", strings: ["good/1.png", "bad/ünï.png", ""])
            let maps = try writer.createFloatDataset("maps", shape: [3, 2, 2], chunks: [1, 2, 2])
            for index in 0 ..< 3 {
                try [Float](repeating: Float(index), count: 4).withUnsafeBufferPointer { try maps.writeRows(index, $0) }
            }
        }
        try runPython("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                assert f.attrs["stage"] == "extract-maps", repr(f.attrs["stage"])
                assert isinstance(f.attrs["stage"], str)
                assert f.attrs["config"] == '{"ß": "✓"}', repr(f.attrs["config"])
                assert f.attrs["format_version"] == 1 and f.attrs["format_version"].dtype == np.int64
                assert f["scores"].dtype == np.float64
                assert np.array_equal(f["scores"][()], [0.25, -3.5, 1e300])
                assert f["labels"].dtype == np.int8 and list(f["labels"][()]) == [0, 1, -1]
                assert f["i32"].dtype == np.int32 and f["i32"].shape == (2, 2)
                assert np.array_equal(f["i32"][()], [[1, 2], [3, 4]])
                assert f["i64"].dtype == np.int64
                assert list(f["i64"][()]) == [np.iinfo(np.int64).min, np.iinfo(np.int64).max]
                assert f["features"].dtype == np.float32 and f["features"].chunks == (1, 3)
                assert np.array_equal(f["features"][()], np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
                ids = f["meta/ids"]
                assert h5py.check_string_dtype(ids.dtype).encoding == "utf-8"
                assert list(ids.asstr()[()]) == ["good/1.png", "bad/ünï.png", ""], list(ids.asstr()[()])
                assert list(ids[()]) == [b"good/1.png", "bad/ünï.png".encode(), b""]
                maps = f["maps"]
                assert maps.dtype == np.float32 and maps.shape == (3, 2, 2) and maps.chunks == (1, 2, 2)
                assert np.array_equal(maps[()], np.repeat(np.arange(3, dtype=np.float32), 4).reshape(3, 2, 2))
            print("ok")
            """, file)
    }

    // MARK: Helpers

    /// Runs `python3 -c script file`, failing the test with Python's output
    /// when it exits non-zero.
    private func runPython(_ script: String, _ file: String, line: UInt = #line) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python3 failed:\n\(text)", line: line)
    }
}
