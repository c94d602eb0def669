import SegADNative

/// A fault in a CSV file (`CSV.read`, `CSVTable`): it cannot be read, is not
/// UTF-8, leaves a quoted field open, is empty, has a row of another width
/// than its header, or lacks a column the caller needs. `file` is the CSV
/// file; `description` is the stage's one line, `FILE: FAULT`.
public enum CSVError: SegADFault, Equatable {
    case noSuchFile(String)
    case cannotRead(String)
    case notUTF8(String)
    /// The quoted field opened on `line` is not closed before the end.
    case unclosedQuote(String, line: Int)
    /// No header (`CSVTable`).
    case empty(String)
    /// The record starting on `line` has `fields` fields, the header `header`.
    case raggedRow(String, line: Int, fields: Int, header: Int)
    /// `columns`: the header as read.
    case noColumn(String, name: String, columns: [String])

    public var file: String {
        switch self {
        case .noSuchFile(let f), .cannotRead(let f), .notUTF8(let f), .unclosedQuote(let f, _), .empty(let f),
             .raggedRow(let f, _, _, _), .noColumn(let f, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .cannotRead: return "cannot read"
        case .notUTF8: return "not UTF-8 text"
        case .unclosedQuote(_, let line): return "line \(line): a quoted field is not closed"
        case .empty: return "empty CSV"
        case .raggedRow(_, let line, let fields, let header): return "line \(line) has \(fields) fields; the header has \(header)"
        case .noColumn(_, let name, let columns): return "no column '\(name)' (columns: \(columns.joined(separator: ", ")))"
        }
    }
}
