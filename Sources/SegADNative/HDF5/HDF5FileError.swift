/// A fault in an HDF5 file the user gave: missing, not HDF5, or lacking a
/// dataset or attribute of the right type. (A failure inside the HDF5
/// library, or a damaged checksum, is an `HDF5Error`.)
public enum HDF5FileError: SegADFault, Equatable {
    case noSuchFile(String)
    case notHDF5(String)
    /// The signature is there but HDF5 cannot open the file (e.g. truncated).
    case unreadable(String, message: String)
    case missingDataset(String, name: String)
    case missingAttribute(String, name: String)
    /// `expected`: "a string", "a single string", "an integer", "a single integer".
    case attributeType(String, name: String, expected: String)
    /// `expected`: "integer" or "numeric".
    case datasetType(String, name: String, expected: String)
    case notStrings(String, name: String)
    /// A rank-0 dataset where rows were asked for.
    case scalarDataset(String, name: String)

    // The artifact gate (docs/reliability.md, "One artifact gate"): what a
    // dataset may be before anything is read from it or allocated for it.
    /// `link` (a prefix of dataset `name`) is a soft, external or user link:
    /// artifacts hold hard links only, so nothing leads out of the file.
    case notHardLink(String, name: String, link: String, type: String)
    /// The dataset keeps its values in other files (HDF5 external storage).
    case externalStorage(String, name: String)
    /// A virtual dataset, mapped from other datasets or files.
    case virtualDataset(String, name: String)
    /// A filter the project never writes (it writes Fletcher-32 only).
    case filter(String, name: String, filter: String)
    /// The declared values need more bytes than the dataset stores, or the
    /// storage reaches beyond the file's end.
    case storage(String, name: String, declared: String, stored: UInt64, fileSize: UInt64)
    /// More than one whole read (or one row) may take; `bytes` in memory.
    case tooLarge(String, name: String, bytes: String, limit: Int)
    /// An attribute whose type declares more bytes than it stores.
    case attributeStorage(String, name: String, declared: Int, stored: UInt64)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .notHDF5(let f), .unreadable(let f, _), .missingDataset(let f, _),
             .missingAttribute(let f, _), .attributeType(let f, _, _), .datasetType(let f, _, _),
             .notStrings(let f, _), .scalarDataset(let f, _), .notHardLink(let f, _, _, _),
             .externalStorage(let f, _), .virtualDataset(let f, _), .filter(let f, _, _),
             .storage(let f, _, _, _, _), .tooLarge(let f, _, _, _), .attributeStorage(let f, _, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .notHDF5: return "not an HDF5 file"
        case .unreadable(_, let message): return "not a readable HDF5 file: \(message)"
        case .missingDataset(_, let name): return "missing dataset \(name)"
        case .missingAttribute(_, let name): return "missing attribute \(name)"
        case .attributeType(_, let name, let expected): return "attribute \(name) is not \(expected)"
        case .datasetType(_, let name, let expected): return "dataset \(name) is not \(expected)"
        case .notStrings(_, let name): return "dataset \(name) does not hold strings"
        case .scalarDataset(_, let name): return "dataset \(name) has no rows (it is a scalar)"
        case .notHardLink(_, let name, let link, let type):
            let via = link == name ? "" : " (through \(link))"
            return "dataset \(name) is reached by \(type) link\(via); an artifact holds hard links only"
        case .externalStorage(_, let name):
            return "dataset \(name) keeps its data in external files; an artifact keeps its data inside itself"
        case .virtualDataset(_, let name):
            return "dataset \(name) is a virtual dataset; an artifact keeps its data inside itself"
        case .filter(_, let name, let filter):
            return "dataset \(name) uses the \(filter) filter; artifacts use only Fletcher-32"
        case .storage(_, let name, let declared, let stored, let fileSize):
            return "dataset \(name) declares \(declared) but stores \(stored) bytes in a file of \(fileSize) bytes"
        case .tooLarge(_, let name, let bytes, let limit):
            return "dataset \(name) needs \(bytes) in memory, more than one read may take (\(limit >> 20) MiB)"
        case .attributeStorage(_, let name, let declared, let stored):
            return "attribute \(name) declares \(declared) bytes but stores \(stored)"
        }
    }
}
