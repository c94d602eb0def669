internal import CHDF5

/// Owns one HDF5 identifier and closes it with the matching `H5?close` when it
/// goes out of scope. Used for the short-lived ids (dataspaces, datatypes,
/// property lists, attributes, datasets) inside one wrapper call.
struct HDF5Handle: ~Copyable {
    enum Kind { case file, dataset, dataspace, datatype, attribute, propertyList, object }

    let id: hid_t
    let kind: Kind

    /// Takes ownership of `id` after it passed `HDF5Error.check`.
    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    deinit {
        switch kind {
        case .file: _ = H5Fclose(id)
        case .dataset: _ = H5Dclose(id)
        case .dataspace: _ = H5Sclose(id)
        case .datatype: _ = H5Tclose(id)
        case .attribute: _ = H5Aclose(id)
        case .propertyList: _ = H5Pclose(id)
        case .object: _ = H5Oclose(id)
        }
    }
}

/// Process-wide set-up: initialise the library and silence its automatic
/// error printing for the calling thread (see `segad_h5e_quiet_this_thread`).
enum HDF5Library {
    private static let opened: Void = { _ = H5open() }()

    /// Call at every public entry point; cheap after the first call per thread.
    static func prepare() {
        _ = opened
        segad_h5e_quiet_this_thread()
    }
}

/// Chunk cache for datasets opened through this wrapper: 32 MiB and a prime
/// number of hash slots well above the number of chunks that fit, so row-wise
/// reads of chunks of up to a few MiB (e.g. 1×512×512 float32 = 1 MiB) hit
/// the cache; `w0 = 1` evicts chunks that were read or written in full first,
/// which suits sequential row access.
enum HDF5ChunkCache {
    static let bytes = 32 << 20
    static let slots = 12_421
    static let preemption = 1.0
}
