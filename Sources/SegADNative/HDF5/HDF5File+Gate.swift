internal import CHDF5

/// How much one read of an artifact may take in memory
/// (docs/reliability.md, "One artifact gate").
public enum HDF5Limits {
    /// The most bytes one whole-dataset read (`readFloats`, `readStrings`, …)
    /// or one row of a row-wise dataset may take in memory: 512 MiB. Twice
    /// the largest map the CLI allows (8192², float32); far above any
    /// features table, memory bank or tensor SegAD writes at its bounds.
    public static let readBytes = 512 << 20
}

/// The artifact gate: every dataset is opened through
/// `openExistingDataset`, which admits it only when its data lies inside
/// this file, stored as the project writes it — reached by hard links only,
/// contiguous, compact or chunked, no filter but Fletcher-32, no external
/// storage, not virtual — and when its declared values fit in what the
/// file stores. A crafted artifact thus cannot make a reader open another
/// file (`/etc/passwd`, `/dev/zero`, a FIFO), follow a link out of the file,
/// or allocate what a forged shape declares: a whole read's size is bounded
/// by the file's own size and `HDF5Limits.readBytes` before any allocation.
extension HDF5File {
    /// What a walk along a dataset's path found.
    enum LinkWalk: Equatable {
        case missing
        case hard
        /// `link` (a prefix of the path) is a soft, external or user-defined link.
        case notHard(link: String, type: String)
    }

    /// Walks `name` one component at a time, reading each link's type
    /// without following it (an external link would open another file).
    /// `H5Lexists` fails instead of answering false when an intermediate
    /// group is missing, hence the walk.
    func walkLinks(_ name: String, in id: hid_t) -> LinkWalk {
        var prefix = name.hasPrefix("/") ? "/" : ""
        let parts = name.split(separator: "/")
        guard !parts.isEmpty else { return .missing }
        for part in parts {
            prefix += (prefix.isEmpty || prefix == "/") ? String(part) : "/" + part
            let exists = H5Lexists(id, prefix, segad_h5p_default())
            guard exists > 0 else {
                if exists < 0 { _ = HDF5Error.takeStackMessage() }
                return .missing
            }
            let type = segad_h5l_type(id, prefix)
            guard type == Int32(H5L_TYPE_HARD.rawValue) else {
                if type < 0 { _ = HDF5Error.takeStackMessage() }
                return .notHard(link: prefix, type: Self.linkTypeName(type))
            }
        }
        return .hard
    }

    static func linkTypeName(_ type: Int32) -> String {
        switch type {
        case Int32(H5L_TYPE_SOFT.rawValue): return "a soft"
        case Int32(H5L_TYPE_EXTERNAL.rawValue): return "an external"
        default: return "a user-defined (type \(type))"
        }
    }

    /// Refuses an open dataset whose data does not lie inside this file as
    /// the project writes it, or whose declared shape the stored bytes
    /// cannot hold. Nothing is read or allocated from the dataset here.
    func admit(_ dataset: hid_t, _ name: String) throws {
        let plist = HDF5Handle(try check(H5Dget_create_plist(dataset), "H5Dget_create_plist", name), .propertyList)
        let layout = H5Pget_layout(plist.id)
        if layout == H5D_VIRTUAL { throw HDF5FileError.virtualDataset(path, name: name) }
        guard layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED || layout == H5D_COMPACT else {
            throw HDF5Error(operation: "H5Pget_layout", path: path, object: name, code: Int(layout.rawValue),
                            message: HDF5Error.takeStackMessage())
        }
        if try check(H5Pget_external_count(plist.id), "H5Pget_external_count", name) > 0 {
            throw HDF5FileError.externalStorage(path, name: name)
        }
        let filters = try check(H5Pget_nfilters(plist.id), "H5Pget_nfilters", name)
        for index in 0 ..< UInt32(filters) {
            let filter = try check(segad_h5p_filter_id(plist.id, index), "H5Pget_filter2", name)
            if filter != segad_h5z_filter_fletcher32() {
                throw HDF5FileError.filter(path, name: name, filter: Self.filterName(filter))
            }
        }
        // The declared values against the stored bytes and the file's size.
        let shape = try dimensions(of: dataset, object: name)
        let type = HDF5Handle(try check(H5Dget_type(dataset), "H5Dget_type", name), .datatype)
        let typeClass = H5Tget_class(type.id)
        var variable = typeClass == H5T_VLEN
        if typeClass == H5T_STRING {
            variable = try check(H5Tis_variable_str(type.id), "H5Tis_variable_str", name) > 0
        }
        // A variable-length element stores at least its heap reference in
        // the dataset; its bytes lie in the file's heap.
        let elementBytes = variable ? 1 : max(1, H5Tget_size(type.id))
        let declared = Self.elementCount(shape).flatMap { count -> UInt64? in
            let (bytes, overflow) = UInt64(count).multipliedReportingOverflow(by: UInt64(elementBytes))
            return overflow ? nil : bytes
        }
        var fileSize: hsize_t = 0
        try check(H5Fget_filesize(try openID(for: "H5Fget_filesize", name), &fileSize), "H5Fget_filesize", name)
        let stored = UInt64(H5Dget_storage_size(dataset))
        var end = stored
        if layout == H5D_CONTIGUOUS, stored > 0 {
            let offset = H5Dget_offset(dataset)
            if offset != segad_haddr_undef() {
                let (sum, overflow) = UInt64(offset).addingReportingOverflow(stored)
                end = overflow ? .max : sum
            }
        }
        let what = declared.map { "\(shape) (\($0) bytes)" } ?? "\(shape) (more bytes than can be counted)"
        guard let declared, declared <= stored, end <= UInt64(fileSize) else {
            throw HDF5FileError.storage(path, name: name, declared: what, stored: stored, fileSize: UInt64(fileSize))
        }
    }

    static func filterName(_ filter: Int32) -> String {
        switch filter {
        case 1: return "deflate (gzip)"
        case 2: return "shuffle"
        case 4: return "szip"
        case 5: return "n-bit"
        case 6: return "scale-offset"
        default: return "external or plugin (id \(filter))"
        }
    }

    /// The number of elements of `shape`, or nil when it (or the product of
    /// its non-zero dimensions, which a row's length may reach) overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var product = 1
        for side in shape where side != 0 {
            let (next, overflow) = product.multipliedReportingOverflow(by: side)
            guard !overflow, side > 0 else { return nil }
            product = next
        }
        return shape.contains(0) ? 0 : product
    }

    /// Refuses a read of `count` elements of `elementBytes` each in memory
    /// beyond `HDF5Limits.readBytes`, before anything is allocated.
    func checkReadBudget(_ name: String, shape: [Int], count: Int, elementBytes: Int) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        guard !overflow, bytes <= HDF5Limits.readBytes else {
            throw HDF5FileError.tooLarge(path, name: name, bytes: overflow ? "\(shape) elements" : "\(bytes) bytes",
                                         limit: HDF5Limits.readBytes)
        }
    }
}
