import SegADNative

/// A fault of a `--list` file; `description` is the stage's one line.
public enum ScoreListError: SegADFault, Equatable {
    case empty(String)
    case notUTF8(String)
    case controlCharacter(String, line: Int)

    public var file: String {
        switch self { case .empty(let f), .notUTF8(let f), .controlCharacter(let f, _): return f }
    }

    public var fault: String {
        switch self {
        case .empty: return "the list names no image (one path per line)"
        case .notUTF8: return "the list is not UTF-8 text"
        case .controlCharacter(_, let line): return "line \(line) holds a control character; a path per line, nothing else"
        }
    }
}
