internal import CHDF5

/// Writing whole numeric datasets. A dataset already at `name` is replaced;
/// intermediate groups in `name` are created as needed.
extension HDF5File {
    /// Writes float32 values in row-major order. `chunks`, when given, has one
    /// entry per dimension (each clamped to the dimension's size) and makes
    /// the dataset chunked; otherwise it is contiguous.
    public func write(_ name: String, floats: [Float], shape: [Int], chunks: [Int]? = nil) throws {
        try floats.withUnsafeBytes {
            try writeNumeric(name, $0, count: floats.count, shape: shape, chunks: chunks,
                             memoryType: segad_h5t_native_float(), fileType: segad_h5t_ieee_f32le())
        }
    }

    public func write(_ name: String, doubles: [Double], shape: [Int]) throws {
        try doubles.withUnsafeBytes {
            try writeNumeric(name, $0, count: doubles.count, shape: shape, chunks: nil,
                             memoryType: segad_h5t_native_double(), fileType: segad_h5t_ieee_f64le())
        }
    }

    public func write(_ name: String, int64s: [Int64], shape: [Int]) throws {
        try int64s.withUnsafeBytes {
            try writeNumeric(name, $0, count: int64s.count, shape: shape, chunks: nil,
                             memoryType: segad_h5t_native_int64(), fileType: segad_h5t_std_i64le())
        }
    }

    public func write(_ name: String, int32s: [Int32], shape: [Int]) throws {
        try int32s.withUnsafeBytes {
            try writeNumeric(name, $0, count: int32s.count, shape: shape, chunks: nil,
                             memoryType: segad_h5t_native_int32(), fileType: segad_h5t_std_i32le())
        }
    }

    public func write(_ name: String, int8s: [Int8], shape: [Int]) throws {
        try int8s.withUnsafeBytes {
            try writeNumeric(name, $0, count: int8s.count, shape: shape, chunks: nil,
                             memoryType: segad_h5t_native_int8(), fileType: segad_h5t_std_i8le())
        }
    }

    /// Creates an empty (zero-filled) chunked float32 dataset to be filled
    /// row by row with `HDF5Dataset.writeRows`. For maps (N×H×W) pass
    /// `chunks: [1, H, W]`: one chunk per row.
    public func createFloatDataset(_ name: String, shape: [Int], chunks: [Int]) throws -> HDF5Dataset {
        let id = try openID(for: "H5Dcreate2", name)
        guard !shape.isEmpty else {
            throw HDF5Error.refused("createFloatDataset", path: path, object: name,
                                    "a row-wise dataset needs at least one dimension")
        }
        let dataset = try createDataset(name, in: id, shape: shape, chunks: chunks,
                                        fileType: segad_h5t_ieee_f32le())
        return try HDF5Dataset(taking: dataset, name: name, file: path)
    }

    // MARK: Shared

    private func writeNumeric(_ name: String, _ bytes: UnsafeRawBufferPointer, count: Int,
                              shape: [Int], chunks: [Int]?,
                              memoryType: hid_t, fileType: hid_t) throws {
        let id = try openID(for: "H5Dcreate2", name)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw HDF5Error.refused("write", path: path, object: name,
                                    "\(count) values do not fill shape \(shape)")
        }
        let dataset = try createDataset(name, in: id, shape: shape, chunks: chunks, fileType: fileType)
        guard count > 0 else { return }
        try check(H5Dwrite(dataset.id, memoryType, segad_h5s_all(), segad_h5s_all(),
                           segad_h5p_default(), bytes.baseAddress), "H5Dwrite", name)
    }

    /// Creates dataset `name` (replacing any link already there) with a
    /// simple dataspace of `shape` (scalar for `[]`). A dataset with data is
    /// chunked (`chunks`, or whole rows of at most 1 MiB per chunk) and
    /// carries HDF5's Fletcher-32 checksum per chunk, which HDF5 verifies on
    /// every read: a damaged artifact is refused, never read silently
    /// (docs/reliability.md, section 6, class 4).
    func createDataset(_ name: String, in id: hid_t, shape: [Int], chunks: [Int]?,
                       fileType: hid_t) throws -> HDF5Handle {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error.refused("H5Dcreate2", path: path, object: name,
                                    "negative dimension in shape \(shape)")
        }
        if let chunks, chunks.count != shape.count || chunks.contains(where: { $0 < 1 }) {
            throw HDF5Error.refused("H5Dcreate2", path: path, object: name,
                                    "chunks \(chunks) do not fit shape \(shape)")
        }
        let space = try makeSpace(shape, name)
        let create = HDF5Handle(try check(H5Pcreate(segad_h5p_dataset_create()), "H5Pcreate", name),
                                .propertyList)
        // No modification times: equal contents give equal bytes (determinism).
        try check(H5Pset_obj_track_times(create.id, false), "H5Pset_obj_track_times", name)
        if !shape.isEmpty, !shape.contains(0) {
            let clamped: [hsize_t]
            if let chunks {
                clamped = zip(chunks, shape).map { hsize_t(min($0, $1)) }
            } else {
                let rowBytes = max(1, shape.dropFirst().reduce(1, *) * max(1, H5Tget_size(fileType)))
                let rows = min(shape[0], max(1, (1 << 20) / rowBytes))
                clamped = [hsize_t(rows)] + shape.dropFirst().map { hsize_t($0) }
            }
            try check(H5Pset_chunk(create.id, Int32(clamped.count), clamped), "H5Pset_chunk", name)
            try check(H5Pset_fletcher32(create.id), "H5Pset_fletcher32", name)
        }
        let links = try linkCreationList(name)
        let access = try datasetAccessList(name)
        try removeIfPresent(name, in: id)
        return HDF5Handle(try check(H5Dcreate2(id, name, fileType, space.id, links.id, create.id, access.id),
                                    "H5Dcreate2", name), .dataset)
    }

    /// A simple dataspace of `shape`, or a scalar one for `[]`.
    func makeSpace(_ shape: [Int], _ object: String) throws -> HDF5Handle {
        if shape.isEmpty {
            return HDF5Handle(try check(H5Screate(H5S_SCALAR), "H5Screate", object), .dataspace)
        }
        let dims = shape.map { hsize_t($0) }
        return HDF5Handle(try check(H5Screate_simple(Int32(dims.count), dims, nil), "H5Screate_simple", object),
                          .dataspace)
    }
}
