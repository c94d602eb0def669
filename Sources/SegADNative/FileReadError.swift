/// A file that cannot be read from start to end (`SHA256.hexOfFile`): it does
/// not exist, cannot be opened, or a read fails; or any input that is not a
/// regular file (`RegularFile`: a FIFO, socket or device). `reason` is the
/// system's (strerror) text. `description` is the stage's one line, `FILE: FAULT`.
public enum FileReadError: SegADFault, Equatable {
    case noSuchFile(String)
    case cannotOpen(String, reason: String)
    case readFailed(String, reason: String)
    /// `kind`: "a FIFO (named pipe)", "a socket", "a character device", …
    case notRegular(String, kind: String)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .cannotOpen(let f, _), .readFailed(let f, _), .notRegular(let f, _): return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .cannotOpen(_, let reason): return "cannot open: " + reason
        case .readFailed(_, let reason): return "read failed: " + reason
        case .notRegular(_, let kind): return "is \(kind), not a regular file; give a regular file"
        }
    }
}
