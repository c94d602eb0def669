internal import CHDF5

/// A numeric dataset read or written row by row along its first axis, e.g.
/// maps stored as N×H×W with one chunk per image. A "row" is everything at
/// one index of the first axis: `rowLength` = product of the other
/// dimensions.
///
/// Values are float32 in memory; HDF5 converts from or to the stored type.
/// Each call selects a hyperslab of whole rows and transfers it straight
/// from or into the caller's buffer, with no per-element work in Swift.
///
/// Closes in `deinit`. Like `HDF5File`, not safe for concurrent use: callers
/// must serialise access.
public final class HDF5Dataset {
    public let shape: [Int]
    /// The dataset's name inside the file.
    public let name: String
    /// The file it belongs to (for error messages).
    public let path: String

    private let dataset: HDF5Handle
    /// The dataset's dataspace, reselected on every call.
    private let fileSpace: HDF5Handle

    public var rowCount: Int { shape[0] }
    public var rowLength: Int { shape.dropFirst().reduce(1, *) }

    /// Takes ownership of an open dataset id of rank ≥ 1.
    init(taking dataset: consuming HDF5Handle, name: String, file: String) throws {
        self.name = name
        self.path = file
        let space = HDF5Handle(try HDF5Error.check(H5Dget_space(dataset.id), "H5Dget_space",
                                                   path: file, object: name), .dataspace)
        let rank = Int(try HDF5Error.check(H5Sget_simple_extent_ndims(space.id), "H5Sget_simple_extent_ndims",
                                           path: file, object: name))
        guard rank >= 1 else { throw HDF5FileError.scalarDataset(file, name: name) }
        var dims = [hsize_t](repeating: 0, count: rank)
        try HDF5Error.check(H5Sget_simple_extent_dims(space.id, &dims, nil), "H5Sget_simple_extent_dims",
                            path: file, object: name)
        // The gate (`HDF5File.admit`) has checked the shape against the
        // stored bytes; a row must still fit one read's budget.
        let shape = dims.map { Int(truncatingIfNeeded: $0) }
        guard dims.allSatisfy({ $0 <= UInt64(Int.max) }), let count = HDF5File.elementCount(shape) else {
            throw HDF5FileError.storage(file, name: name, declared: "\(dims)", stored: 0, fileSize: 0)
        }
        let row = shape[0] == 0 ? HDF5File.elementCount(Array(shape.dropFirst())) ?? 0 : count / shape[0]
        guard row <= HDF5Limits.readBytes / MemoryLayout<Float>.size else {
            throw HDF5FileError.tooLarge(file, name: name, bytes: "\(row * MemoryLayout<Float>.size) bytes per row",
                                         limit: HDF5Limits.readBytes)
        }
        self.shape = shape
        self.fileSpace = space
        self.dataset = dataset
    }

    /// Writes whole rows starting at row `start`; `values.count` must be a
    /// multiple of `rowLength` and the rows must lie inside the dataset.
    ///
    /// - Complexity: O(values.count), no allocation proportional to it.
    public func writeRows(_ start: Int, _ values: UnsafeBufferPointer<Float>) throws {
        HDF5Library.prepare()
        let length = rowLength
        guard length > 0 ? values.count % length == 0 : values.isEmpty else {
            throw HDF5Error.refused("writeRows", path: path, object: name,
                                    "\(values.count) values are not whole rows of \(length)")
        }
        let count = length > 0 ? values.count / length : 0
        try selectRows(start, count, "writeRows")
        guard count > 0 else { return }
        try transfer(count, "H5Dwrite") { memorySpace in
            H5Dwrite(dataset.id, segad_h5t_native_float(), memorySpace, fileSpace.id,
                     segad_h5p_default(), values.baseAddress)
        }
    }

    /// Reads `count` rows starting at row `start` into the first
    /// `count * rowLength` elements of `into`.
    public func readRows(_ start: Int, count: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        HDF5Library.prepare()
        try selectRows(start, count, "readRows")
        let (total, overflow) = count.multipliedReportingOverflow(by: rowLength)
        guard !overflow, buffer.count >= total else {
            throw HDF5Error.refused("readRows", path: path, object: name,
                                    "buffer of \(buffer.count) floats is too small for \(count) rows of \(rowLength)")
        }
        guard total > 0 else { return }
        try transfer(count, "H5Dread") { memorySpace in
            H5Dread(dataset.id, segad_h5t_native_float(), memorySpace, fileSpace.id,
                    segad_h5p_default(), buffer.baseAddress)
        }
    }

    /// Reads `count` rows starting at row `start` into a new array.
    public func readRows(_ start: Int, count: Int) throws -> [Float] {
        try selectRows(start, count, "readRows")  // validate before allocating
        let total = count * rowLength
        return try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            try readRows(start, count: count, into: buffer)
            initialized = total
        }
    }

    // MARK: Helpers

    /// Checks that rows `start ..< start + count` exist and selects them in
    /// the file dataspace.
    private func selectRows(_ start: Int, _ count: Int, _ operation: String) throws {
        guard start >= 0, count >= 0, start <= rowCount, count <= rowCount - start else {
            throw HDF5Error.refused(operation, path: path, object: name,
                                    "rows \(start)..<\(start &+ count) are outside 0..<\(rowCount)")
        }
        guard count > 0 else { return }
        let rank = shape.count
        try withUnsafeTemporaryAllocation(of: hsize_t.self, capacity: 2 * rank) { scratch in
            let offset = UnsafeMutableBufferPointer(rebasing: scratch[0 ..< rank])
            let extent = UnsafeMutableBufferPointer(rebasing: scratch[rank ..< 2 * rank])
            for axis in 0 ..< rank {
                offset[axis] = axis == 0 ? hsize_t(start) : 0
                extent[axis] = axis == 0 ? hsize_t(count) : hsize_t(shape[axis])
            }
            try HDF5Error.check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, offset.baseAddress, nil,
                                                    extent.baseAddress, nil),
                                "H5Sselect_hyperslab", path: path, object: name)
        }
    }

    /// Runs one H5Dread/H5Dwrite of `count` whole rows against a memory
    /// dataspace of the same shape as the file selection (count × the other
    /// dimensions), which lets HDF5 copy whole chunks without its general
    /// gather/scatter path.
    private func transfer(_ count: Int, _ operation: String, _ call: (hid_t) -> herr_t) throws {
        let rank = shape.count
        let memorySpace = try withUnsafeTemporaryAllocation(of: hsize_t.self, capacity: rank) { dims in
            for axis in 0 ..< rank { dims[axis] = axis == 0 ? hsize_t(count) : hsize_t(shape[axis]) }
            return HDF5Handle(try HDF5Error.check(H5Screate_simple(Int32(rank), dims.baseAddress, nil),
                                                  "H5Screate_simple", path: path, object: name), .dataspace)
        }
        try HDF5Error.check(call(memorySpace.id), operation, path: path, object: name)
    }
}
