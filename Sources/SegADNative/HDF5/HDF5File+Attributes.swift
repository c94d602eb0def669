internal import CHDF5

/// Root-group attributes, stored as h5py stores Python values: `str` as a
/// scalar variable-length UTF-8 string, `int` as a scalar int64. Setting an
/// attribute that exists replaces it.
extension HDF5File {
    public func setAttribute(_ name: String, string: String) throws {
        let id = try openID(for: "H5Acreate2", name)
        let type = try variableStringType(cset: H5T_CSET_UTF8, name)
        let attribute = try createAttribute(name, in: id, type: type.id)
        try HDF5File.withCStrings([string]) { pointers in
            try check(H5Awrite(attribute.id, type.id, pointers.baseAddress), "H5Awrite", name)
        }
    }

    public func setAttribute(_ name: String, int: Int) throws {
        let id = try openID(for: "H5Acreate2", name)
        let attribute = try createAttribute(name, in: id, type: segad_h5t_std_i64le())
        var value = Int64(int)
        try check(H5Awrite(attribute.id, segad_h5t_native_int64(), &value), "H5Awrite", name)
    }

    /// Whether the root group has attribute `name` (false once closed).
    public func hasAttribute(_ name: String) -> Bool {
        guard let id = try? openID(for: "H5Aexists", name) else { return false }
        let exists = H5Aexists(id, name)
        if exists < 0 { _ = HDF5Error.takeStackMessage() }
        return exists > 0
    }

    /// Reads a string attribute (variable- or fixed-length).
    ///
    /// - Throws: `HDF5FileError.missingAttribute`, or
    ///   `.attributeType` (not a string).
    public func stringAttribute(_ name: String) throws -> String {
        let attribute = try openAttribute(name)
        let type = HDF5Handle(try check(H5Aget_type(attribute.id), "H5Aget_type", name), .datatype)
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw HDF5FileError.attributeType(path, name: name, expected: "a string")
        }
        let space = HDF5Handle(try check(H5Aget_space(attribute.id), "H5Aget_space", name), .dataspace)
        let count = Int(try check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", name))
        guard count == 1 else { throw HDF5FileError.attributeType(path, name: name, expected: "a single string") }
        if try check(H5Tis_variable_str(type.id), "H5Tis_variable_str", name) == 0 {
            try admitAttribute(attribute.id, name, bytes: H5Tget_size(type.id))
        }
        let strings = try decodeStrings(storedType: type.id, space: space.id, count: count, name,
                                        operation: "H5Aread") { memoryType, buffer in
            H5Aread(attribute.id, memoryType, buffer)
        }
        return strings[0]
    }

    /// Reads an integer attribute of any stored integer type.
    ///
    /// - Throws: `HDF5FileError.missingAttribute`, or
    ///   `.attributeType` (not an integer).
    public func intAttribute(_ name: String) throws -> Int {
        let attribute = try openAttribute(name)
        let type = HDF5Handle(try check(H5Aget_type(attribute.id), "H5Aget_type", name), .datatype)
        guard H5Tget_class(type.id) == H5T_INTEGER else {
            throw HDF5FileError.attributeType(path, name: name, expected: "an integer")
        }
        let space = HDF5Handle(try check(H5Aget_space(attribute.id), "H5Aget_space", name), .dataspace)
        guard try check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", name) == 1 else {
            throw HDF5FileError.attributeType(path, name: name, expected: "a single integer")
        }
        guard H5Tget_size(type.id) <= 8 else {
            throw HDF5FileError.attributeType(path, name: name, expected: "an integer of at most 64 bits")
        }
        try admitAttribute(attribute.id, name, bytes: H5Tget_size(type.id))
        var value: Int64 = 0
        try check(H5Aread(attribute.id, segad_h5t_native_int64(), &value), "H5Aread", name)
        return Int(value)
    }

    // MARK: Helpers

    /// The attribute gate: HDF5 1.10 copies as many bytes as an attribute's
    /// type declares from the data it stores, so a forged type size (a
    /// 256 MiB string over 16 stored bytes) made H5Aread read past its
    /// buffer (found by the artifact fuzzing; docs/reliability.md, "One
    /// artifact gate"). A fixed-size value must fit in what is stored.
    private func admitAttribute(_ attribute: hid_t, _ name: String, bytes: Int) throws {
        let stored = UInt64(H5Aget_storage_size(attribute))
        guard UInt64(bytes) <= stored else {
            throw HDF5FileError.attributeStorage(path, name: name, declared: bytes, stored: stored)
        }
    }

    private func openAttribute(_ name: String) throws -> HDF5Handle {
        let id = try openID(for: "H5Aopen", name)
        guard hasAttribute(name) else { throw HDF5FileError.missingAttribute(path, name: name) }
        return HDF5Handle(try check(H5Aopen(id, name, segad_h5p_default()), "H5Aopen", name), .attribute)
    }

    /// Creates a scalar attribute on the root group, replacing one of the
    /// same name.
    private func createAttribute(_ name: String, in id: hid_t, type: hid_t) throws -> HDF5Handle {
        if hasAttribute(name) {
            try check(H5Adelete(id, name), "H5Adelete", name)
        }
        let space = HDF5Handle(try check(H5Screate(H5S_SCALAR), "H5Screate", name), .dataspace)
        return HDF5Handle(try check(H5Acreate2(id, name, type, space.id, segad_h5p_default(), segad_h5p_default()),
                                    "H5Acreate2", name), .attribute)
    }
}
