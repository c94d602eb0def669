internal import CHDF5
import Foundation

/// An open HDF5 file: root-group attributes, whole datasets, and row-wise
/// datasets (`HDF5Dataset`).
///
/// The file closes in `deinit` or at `close()`, whichever comes first.
/// Datasets opened from it stay usable after the file is closed (HDF5 keeps
/// the file open until its last object closes).
///
/// - Important: the HDF5 library is not safe to call from several threads at
///   once for the same file. Callers must serialise all access to one
///   `HDF5File` and the `HDF5Dataset`s opened from it (e.g. confine them to
///   one task or guard them with a lock).
///
/// ```swift
/// let file = try HDF5File(path: "maps.h5", mode: .create)
/// try file.setAttribute("stage", string: "extract-maps")
/// try file.write("ids", strings: ["a", "b"])
/// ```
public final class HDF5File {
    public enum Mode {
        /// Open an existing file; nothing can be written.
        case readOnly
        /// Create the file, truncating any file already at `path`.
        case create
    }

    public let path: String
    public let mode: Mode
    /// The file id, or nil once closed.
    private var fileID: hid_t?

    /// Opens or creates the file.
    ///
    /// - Throws: `HDF5FileError.noSuchFile` or
    ///   `.notHDF5` for a missing, empty or
    ///   foreign file in `.readOnly` mode (`.unreadable` when
    ///   the signature is there but the file is damaged, e.g. truncated);
    ///   `HDF5Error` when HDF5 cannot create the file.
    public init(path: String, mode: Mode) throws {
        HDF5Library.prepare()
        self.path = path
        self.mode = mode
        switch mode {
        case .readOnly:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw HDF5FileError.noSuchFile(path)
            }
            try RegularFile.refuseSpecial(path)  // a FIFO would block H5Fis_hdf5
            guard !isDirectory.boolValue, H5Fis_hdf5(path) > 0 else {
                _ = HDF5Error.takeStackMessage()
                throw HDF5FileError.notHDF5(path)
            }
            let id = H5Fopen(path, segad_h5f_acc_rdonly(), segad_h5p_default())
            guard id >= 0 else {
                throw HDF5FileError.unreadable(path, message: HDF5Error.takeStackMessage())
            }
            fileID = id
        case .create:
            // The root group records no modification times, so equal
            // contents give byte-identical files.
            let create = HDF5Handle(try HDF5Error.check(H5Pcreate(segad_h5p_file_create()), "H5Pcreate", path: path),
                                    .propertyList)
            try HDF5Error.check(H5Pset_obj_track_times(create.id, false), "H5Pset_obj_track_times", path: path)
            fileID = try HDF5Error.check(
                H5Fcreate(path, segad_h5f_acc_trunc(), create.id, segad_h5p_default()),
                "H5Fcreate", path: path)
        }
    }

    deinit { close() }

    /// Flushes every buffered write to the file and closes it, throwing when
    /// HDF5 cannot write (a full disk, a file-size limit): writes are buffered,
    /// so such failures often surface only here. After a failure the file is
    /// closed as far as HDF5 allows and must be treated as incomplete.
    public func flushAndClose() throws {
        HDF5Library.prepare()
        guard let id = fileID else { return }
        fileID = nil
        let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
        if flushed < 0 {
            let error = HDF5Error(operation: "H5Fflush", path: path, code: Int(flushed),
                                  message: HDF5Error.takeStackMessage())
            _ = H5Fclose(id)
            _ = HDF5Error.takeStackMessage()
            throw error
        }
        try HDF5Error.check(H5Fclose(id), "H5Fclose", path: path)
    }

    /// Closes the file; later calls do nothing. Writes are flushed to disk
    /// once the last dataset opened from this file is released too.
    public func close() {
        guard let id = fileID else { return }
        fileID = nil
        _ = H5Fclose(id)
    }

    // MARK: Datasets

    /// Whether `name` (which may contain "/") names a dataset. False for a
    /// group, a missing intermediate group, or a closed file.
    public func hasDataset(_ name: String) -> Bool {
        HDF5Library.prepare()
        guard let id = fileID else { return false }
        switch walkLinks(name, in: id) {
        case .missing: return false
        // Not opened here (an external link would open another file);
        // `openExistingDataset` refuses it with the reason.
        case .notHard: return true
        case .hard: break
        }
        let object = H5Oopen(id, name, segad_h5p_default())
        guard object >= 0 else {
            _ = HDF5Error.takeStackMessage()
            return false
        }
        defer { _ = H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }

    /// The dimensions of dataset `name` (`[]` for a scalar).
    public func shape(of name: String) throws -> [Int] {
        let dataset = try openExistingDataset(name)
        return try dimensions(of: dataset.id, object: name)
    }

    // MARK: Internal helpers shared by the extensions

    /// Routes a status through `HDF5Error.check` with this file's path.
    @discardableResult
    func check<Status: BinaryInteger>(_ status: Status, _ operation: @autoclosure () -> String,
                                      _ object: String? = nil) throws -> Status {
        try HDF5Error.check(status, operation(), path: path, object: object)
    }

    /// The open file id; throws once the file is closed.
    func openID(for operation: String, _ object: String?) throws -> hid_t {
        HDF5Library.prepare()
        guard let id = fileID else {
            throw HDF5Error.refused(operation, path: path, object: object, "the file is closed")
        }
        return id
    }

    /// True when every link along `name` exists. `H5Lexists` fails instead
    /// of answering false when an intermediate group is missing, so walk the
    /// path one component at a time.
    private func linkExists(_ name: String, in id: hid_t) -> Bool {
        var prefix = name.hasPrefix("/") ? "/" : ""
        let parts = name.split(separator: "/")
        guard !parts.isEmpty else { return false }
        for part in parts {
            prefix += (prefix.isEmpty || prefix == "/") ? String(part) : "/" + part
            let exists = H5Lexists(id, prefix, segad_h5p_default())
            guard exists > 0 else {
                if exists < 0 { _ = HDF5Error.takeStackMessage() }
                return false
            }
        }
        return true
    }

    /// A dataset access property list with this wrapper's chunk cache.
    func datasetAccessList(_ object: String) throws -> HDF5Handle {
        let list = HDF5Handle(try check(H5Pcreate(segad_h5p_dataset_access()), "H5Pcreate", object),
                              .propertyList)
        try check(H5Pset_chunk_cache(list.id, HDF5ChunkCache.slots, HDF5ChunkCache.bytes,
                                     HDF5ChunkCache.preemption), "H5Pset_chunk_cache", object)
        return list
    }

    /// Opens dataset `name` for reading through the artifact gate
    /// (`admit`, HDF5File+Gate.swift): every read of a dataset — numbers,
    /// strings, rows, shapes — starts here.
    ///
    /// - Throws: `HDF5FileError.missingDataset`; `.notHardLink`,
    ///   `.externalStorage`, `.virtualDataset`, `.filter` or `.storage` for a
    ///   dataset whose data does not lie inside this file as the project
    ///   writes it.
    func openExistingDataset(_ name: String) throws -> HDF5Handle {
        let id = try openID(for: "H5Dopen2", name)
        if case .notHard(let link, let type) = walkLinks(name, in: id) {
            throw HDF5FileError.notHardLink(path, name: name, link: link, type: type)
        }
        guard hasDataset(name) else { throw HDF5FileError.missingDataset(path, name: name) }
        let access = try datasetAccessList(name)
        let dataset = HDF5Handle(try check(H5Dopen2(id, name, access.id), "H5Dopen2", name), .dataset)
        try admit(dataset.id, name)
        return dataset
    }

    /// The dimensions of a dataset's dataspace; `[0]` for a null dataspace.
    func dimensions(of dataset: hid_t, object: String) throws -> [Int] {
        let space = HDF5Handle(try check(H5Dget_space(dataset), "H5Dget_space", object), .dataspace)
        return try dimensions(ofSpace: space.id, object: object)
    }

    func dimensions(ofSpace space: hid_t, object: String) throws -> [Int] {
        if H5Sget_simple_extent_type(space) == H5S_NULL { return [0] }
        let rank = Int(try check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims", object))
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 {
            try check(H5Sget_simple_extent_dims(space, &dims, nil), "H5Sget_simple_extent_dims", object)
        }
        return try dims.map {
            guard let side = Int(exactly: $0) else {
                throw HDF5FileError.storage(path, name: object, declared: "a side of \($0)", stored: 0, fileSize: 0)
            }
            return side
        }
    }

    /// Removes an existing link `name` so that a write replaces it.
    func removeIfPresent(_ name: String, in id: hid_t) throws {
        guard linkExists(name, in: id) else { return }
        try check(H5Ldelete(id, name, segad_h5p_default()), "H5Ldelete", name)
    }

    /// A link creation list that creates missing intermediate groups and
    /// marks names as UTF-8 (as h5py does).
    func linkCreationList(_ object: String) throws -> HDF5Handle {
        let list = HDF5Handle(try check(H5Pcreate(segad_h5p_link_create()), "H5Pcreate", object),
                              .propertyList)
        try check(H5Pset_create_intermediate_group(list.id, 1), "H5Pset_create_intermediate_group", object)
        try check(H5Pset_char_encoding(list.id, H5T_CSET_UTF8), "H5Pset_char_encoding", object)
        return list
    }
}
