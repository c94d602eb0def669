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

    public var file: String {
        switch self {
        case .noSuchFile(let f), .notHDF5(let f), .unreadable(let f, _), .missingDataset(let f, _),
             .missingAttribute(let f, _), .attributeType(let f, _, _), .datasetType(let f, _, _),
             .notStrings(let f, _), .scalarDataset(let f, _):
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
        }
    }
}
