import Foundation
import SegADNative

/// What is wrong with an item id (`Bounds.idProblem`).
public enum IdFault: Equatable, Sendable {
    case empty
    /// Holds a control character (NUL included: HDF5 strings end at NUL).
    case controlCharacter(UInt32)
    /// Longer than `Bounds.maxIdBytes` UTF-8 bytes.
    case tooLong(bytes: Int)

    /// The fault in words, after "id 'ID' ".
    public var text: String {
        switch self {
        case .empty: return "is empty"
        case .controlCharacter(let value):
            return "holds the control character U+\(String(format: "%04X", value)); ids must be printable"
        case .tooLong(let bytes): return "is \(bytes) bytes long; ids are at most \(Bounds.maxIdBytes) bytes"
        }
    }
}

/// A list of item ids refused by `Bounds.checkIds`: `file` is the source
/// (a folder or a manifest); `description` is the stage's one line.
public enum BoundsError: SegADFault, Equatable {
    case invalidId(String, id: String, IdFault)
    case duplicateId(String, id: String)

    public var file: String {
        switch self {
        case .invalidId(let f, _, _), .duplicateId(let f, _): return f
        }
    }

    public var fault: String {
        switch self {
        case .invalidId(_, let id, let fault): return "id '\(id.prefix(60))\(id.count > 60 ? "…" : "")' \(fault.text)"
        case .duplicateId(_, let id): return "duplicate id '\(id)'"
        }
    }
}
