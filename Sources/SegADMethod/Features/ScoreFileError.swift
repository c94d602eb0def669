import SegADNative

/// A fault in a score file (`ScoreCSV`: `id,score` rows, for
/// `--classifier-scores` and `evaluate score --scores-csv`): empty, a header
/// without the two columns, a bad or repeated row, or no score for an id the
/// stage needs. `file` is the CSV; `description` is the stage's one line,
/// `FILE: FAULT`. Faults of the CSV syntax itself are `CSVError`.
public enum ScoreFileError: SegADFault, Equatable {
    case empty(String)
    case badHeader(String)
    case badRow(String, line: Int)
    case nonFiniteScore(String, line: Int, score: String)
    case duplicateId(String, line: Int, id: String)
    case noScore(String, id: String)

    public var file: String {
        switch self {
        case .empty(let f), .badHeader(let f), .badRow(let f, _), .nonFiniteScore(let f, _, _),
             .duplicateId(let f, _, _), .noScore(let f, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .empty: return "empty file; expected a header 'id,score'"
        case .badHeader: return "header must name columns 'id' and 'score'"
        case .badRow(_, let line): return "line \(line): expected an id and a numeric score"
        case .nonFiniteScore(_, let line, let score): return "line \(line): score '\(score)' is not a finite number"
        case .duplicateId(_, let line, let id): return "line \(line): duplicate id '\(id)'"
        case .noScore(_, let id): return "no score for id '\(id)'"
        }
    }
}
