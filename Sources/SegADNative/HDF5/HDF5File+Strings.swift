internal import CHDF5

/// String datasets, and the string encoding shared with attributes.
///
/// String datasets are fixed-length UTF-8 (NUL-padded to the longest
/// string), so their bytes lie in the dataset's chunks and are covered by its
/// Fletcher-32 checksum (variable-length strings live in HDF5's global heap,
/// which no checksum covers). h5py reads them as `bytes` (`.asstr()` gives
/// `str`). A string must not contain NUL, which ends it. Attributes stay
/// variable-length; both layouts are read.
extension HDF5File {
    /// Writes a 1-D dataset of fixed-length UTF-8 strings.
    public func write(_ name: String, strings: [String]) throws {
        let id = try openID(for: "H5Dcreate2", name)
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        let type = HDF5Handle(try check(H5Tcopy(segad_h5t_c_s1()), "H5Tcopy", name), .datatype)
        try check(H5Tset_size(type.id, width), "H5Tset_size", name)
        try check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset", name)
        try check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), "H5Tset_strpad", name)
        let dataset = try createDataset(name, in: id, shape: [strings.count], chunks: nil, fileType: type.id)
        guard !strings.isEmpty else { return }
        var bytes = [UInt8](repeating: 0, count: strings.count * width)
        for (i, s) in strings.enumerated() {
            for (j, b) in s.utf8.enumerated() { bytes[i * width + j] = b }
        }
        try bytes.withUnsafeBytes { buffer in
            _ = try check(H5Dwrite(dataset.id, type.id, segad_h5s_all(), segad_h5s_all(),
                               segad_h5p_default(), buffer.baseAddress), "H5Dwrite", name)
        }
    }

    /// Reads a string dataset of any shape (flattened, row-major), stored
    /// either as variable-length or fixed-length strings, ASCII or UTF-8.
    ///
    /// - Throws: `HDF5FileError.missingDataset`, or
    ///   `.notStrings`.
    public func readStrings(_ name: String) throws -> [String] {
        let dataset = try openExistingDataset(name)
        let type = HDF5Handle(try check(H5Dget_type(dataset.id), "H5Dget_type", name), .datatype)
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw HDF5FileError.notStrings(path, name: name)
        }
        let space = HDF5Handle(try check(H5Dget_space(dataset.id), "H5Dget_space", name), .dataspace)
        let count = Int(try check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", name))
        try checkReadBudget(name, shape: [count], count: count, elementBytes: max(H5Tget_size(type.id), 16))
        return try decodeStrings(storedType: type.id, space: space.id, count: count, name,
                                 operation: "H5Dread") { memoryType, buffer in
            H5Dread(dataset.id, memoryType, segad_h5s_all(), segad_h5s_all(), segad_h5p_default(), buffer)
        }
    }

    // MARK: Shared with attributes

    /// A variable-length string type with the given character set.
    func variableStringType(cset: H5T_cset_t, _ object: String) throws -> HDF5Handle {
        let type = HDF5Handle(try check(H5Tcopy(segad_h5t_c_s1()), "H5Tcopy", object), .datatype)
        try check(H5Tset_size(type.id, segad_h5t_variable()), "H5Tset_size", object)
        try check(H5Tset_cset(type.id, cset), "H5Tset_cset", object)
        return type
    }

    /// Calls `body` with one NUL-terminated UTF-8 pointer per string, all
    /// pointing into one buffer that lives for the duration of the call.
    @discardableResult
    static func withCStrings<R>(_ strings: [String],
                                _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
        var bytes: [CChar] = []
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 1 })
        var offsets: [Int] = []
        offsets.reserveCapacity(strings.count)
        for string in strings {
            offsets.append(bytes.count)
            bytes.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        return try bytes.withUnsafeBufferPointer { storage in
            let pointers = offsets.map { UnsafePointer<CChar>?(storage.baseAddress! + $0) }
            return try pointers.withUnsafeBufferPointer(body)
        }
    }

    /// Reads `count` strings through `read(memoryType, buffer)` (an
    /// `H5Dread` or `H5Aread`), whatever the stored string layout.
    func decodeStrings(storedType: hid_t, space: hid_t, count: Int, _ object: String,
                       operation: String, read: (hid_t, UnsafeMutableRawPointer?) -> herr_t) throws -> [String] {
        guard count > 0 else { return [] }
        let isVariable = try check(H5Tis_variable_str(storedType), "H5Tis_variable_str", object) > 0
        if isVariable {
            let memoryType = try variableStringType(cset: H5Tget_cset(storedType), object)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            return try pointers.withUnsafeMutableBufferPointer { buffer in
                try check(read(memoryType.id, buffer.baseAddress), operation, object)
                defer {
                    _ = H5Dvlen_reclaim(memoryType.id, space, segad_h5p_default(), buffer.baseAddress)
                }
                return buffer.map { $0.map { String(cString: $0) } ?? "" }
            }
        }
        // Fixed length: `size` bytes per string, padded with NULs or spaces.
        let memoryType = HDF5Handle(try check(H5Tcopy(storedType), "H5Tcopy", object), .datatype)
        let size = H5Tget_size(memoryType.id)
        guard size > 0 else { return [String](repeating: "", count: count) }
        let spacePadded = H5Tget_strpad(memoryType.id) == H5T_STR_SPACEPAD
        // Attributes pass here without the dataset gate: bound what a
        // forged string size asks for before allocating it.
        try checkReadBudget(object, shape: [count], count: count, elementBytes: size)
        var bytes = [UInt8](repeating: 0, count: count * size)
        try bytes.withUnsafeMutableBytes { buffer in
            _ = try check(read(memoryType.id, buffer.baseAddress), operation, object)
        }
        return (0..<count).map { index in
            var slice = bytes[index * size ..< (index + 1) * size]
            if let end = slice.firstIndex(of: 0) { slice = slice[..<end] }
            if spacePadded {
                while slice.last == 0x20 { slice = slice.dropLast() }
            }
            return String(decoding: slice, as: UTF8.self)
        }
    }
}
