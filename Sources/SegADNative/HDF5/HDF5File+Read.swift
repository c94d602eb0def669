internal import CHDF5

/// Reading whole numeric datasets; HDF5 converts from the stored type.
extension HDF5File {
    /// Reads dataset `name` as float32, converting from any stored integer or
    /// floating-point type. Values are in row-major order.
    ///
    /// - Throws: `HDF5FileError.missingDataset`, or
    ///   `.datasetType` (not numeric).
    public func readFloats(_ name: String) throws -> (values: [Float], shape: [Int]) {
        try readNumeric(name, memoryType: segad_h5t_native_float(), integersOnly: false)
    }

    /// Reads dataset `name` as float64 from any stored integer or float type.
    public func readDoubles(_ name: String) throws -> (values: [Double], shape: [Int]) {
        try readNumeric(name, memoryType: segad_h5t_native_double(), integersOnly: false)
    }

    /// Reads dataset `name` as int64 from any stored integer type.
    ///
    /// - Throws: `HDF5FileError.datasetType` (not integer) for
    ///   floating-point or other data.
    public func readInt64s(_ name: String) throws -> (values: [Int64], shape: [Int]) {
        try readNumeric(name, memoryType: segad_h5t_native_int64(), integersOnly: true)
    }

    private func readNumeric<Element: BitwiseCopyable>(
        _ name: String, memoryType: hid_t, integersOnly: Bool
    ) throws -> (values: [Element], shape: [Int]) {
        let dataset = try openExistingDataset(name)
        let typeClass = try storedClass(of: dataset.id, name)
        if integersOnly ? typeClass != H5T_INTEGER : !HDF5File.isNumeric(typeClass) {
            throw HDF5FileError.datasetType(path, name: name, expected: integersOnly ? "integer" : "numeric")
        }
        let shape = try dimensions(of: dataset.id, object: name)
        let count = HDF5File.elementCount(shape) ?? Int.max
        try checkReadBudget(name, shape: shape, count: count, elementBytes: MemoryLayout<Element>.size)
        let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                LargePages.advise(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count * MemoryLayout<Element>.stride)
                try check(H5Dread(dataset.id, memoryType, segad_h5s_all(), segad_h5s_all(),
                                  segad_h5p_default(), buffer.baseAddress), "H5Dread", name)
            }
            initialized = count
        }
        return (values, shape)
    }

    static func isNumeric(_ typeClass: H5T_class_t) -> Bool {
        typeClass == H5T_INTEGER || typeClass == H5T_FLOAT
    }

    /// The class (integer, float, string, …) of a dataset's stored type.
    func storedClass(of dataset: hid_t, _ object: String) throws -> H5T_class_t {
        let type = HDF5Handle(try check(H5Dget_type(dataset), "H5Dget_type", object), .datatype)
        let typeClass = H5Tget_class(type.id)
        guard typeClass != H5T_NO_CLASS else {
            throw HDF5Error(operation: "H5Tget_class", path: path, object: object, code: -1,
                            message: HDF5Error.takeStackMessage())
        }
        return typeClass
    }
}

extension HDF5File {
    /// Opens numeric dataset `name` (rank ≥ 1) for row-wise access.
    ///
    /// - Throws: `HDF5FileError.missingDataset`, `.datasetType`
    ///   when it is not numeric or `.scalarDataset`.
    public func openDataset(_ name: String) throws -> HDF5Dataset {
        let dataset = try openExistingDataset(name)
        guard HDF5File.isNumeric(try storedClass(of: dataset.id, name)) else {
            throw HDF5FileError.datasetType(path, name: name, expected: "numeric")
        }
        return try HDF5Dataset(taking: dataset, name: name, file: path)
    }
}
