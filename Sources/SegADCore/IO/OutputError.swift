import Foundation
import SegADNative

/// A refused or failed output: an empty path, an output that would
/// overwrite an input or is given twice, a folder that cannot be made or
/// written, a rename that fails. `file` is the output (or the option when
/// the path is empty); `description` is the stage's one line, `FILE: FAULT`.
public enum OutputError: SegADFault, Equatable {
    /// `what`: "file", "folder" or "artifact"; `file` is the option.
    case emptyPath(String, what: String)
    case givenTwice(String, first: String, second: String)
    case overwritesInput(String, option: String, input: String, inputOption: String)
    case replacesInputFolder(String, option: String, input: String, inputOption: String)
    case notAFolder(String, option: String)
    /// `file` is the ancestor that is a file, `folder` the folder asked for.
    case parentIsFile(String, folder: String, option: String)
    case cannotCreateFolder(String, reason: String, option: String)
    case notWritable(String, reason: String, option: String)
    case cannotOpenFolder(String, reason: String)
    /// An `OutputSet` member that cannot be written.
    case cannotWrite(String, reason: String)
    /// `AtomicFile`'s temporary file cannot be created.
    case cannotWriteFile(String)
    case cannotReplace(String, reason: String)
    case cannotReplaceFolder(String, reason: String)
    case cannotMoveIntoPlace(String, reason: String)
    case cannotMoveFileIntoPlace(String, reason: String)
    /// An output folder that is a symlink (docs/reliability.md, "Files, outputs and CSV cells").
    case isSymlink(String, option: String)
    /// A non-empty folder without `OutputSet.ownerMarker`: not the tool's own output.
    case notOwnFolder(String, option: String)
    /// Two outputs of one run with the same final name, found before any is written.
    case collision(String)

    /// `strerror`'s text for a write failure, spelled out for the faults a
    /// user must act on: a full disk, a read-only file system, no permission.
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "the disk is full (no space left on device); free space or choose another output"
        case EDQUOT: return "the disk quota is exhausted; free space or choose another output"
        case EROFS: return "the file system is read-only; choose another output"
        case EACCES, EPERM: return "permission denied; choose a folder you can write"
        default: return String(cString: strerror(code))
        }
    }

    public var file: String {
        switch self {
        case .emptyPath(let f, _), .givenTwice(let f, _, _), .overwritesInput(let f, _, _, _),
             .replacesInputFolder(let f, _, _, _), .notAFolder(let f, _), .parentIsFile(let f, _, _),
             .cannotCreateFolder(let f, _, _), .notWritable(let f, _, _), .cannotOpenFolder(let f, _),
             .cannotWrite(let f, _), .cannotWriteFile(let f), .cannotReplace(let f, _),
             .cannotReplaceFolder(let f, _), .cannotMoveIntoPlace(let f, _), .cannotMoveFileIntoPlace(let f, _),
             .isSymlink(let f, _), .notOwnFolder(let f, _), .collision(let f):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .emptyPath(_, let what): return "empty path; give the \(what) to write"
        case .givenTwice(_, let first, let second): return "is given both as \(first) and as \(second); give two different outputs"
        case .overwritesInput(_, let option, let input, let inputOption):
            return "\(option) would overwrite the input \(input) (\(inputOption)); choose another output path"
        case .replacesInputFolder(_, let option, let input, let inputOption):
            return "\(option) would replace the folder holding the input \(input) (\(inputOption)); choose another output folder"
        case .notAFolder(_, let option): return "is a file, not a folder; choose another \(option)"
        case .parentIsFile(_, let folder, let option):
            return "is a file, not a folder, so \(folder) cannot be created; choose another \(option)"
        case .cannotCreateFolder(_, let reason, let option): return "cannot create folder (\(reason)); choose another \(option)"
        case .notWritable(_, let reason, let option): return "folder is not writable (\(reason)); choose another \(option)"
        case .cannotOpenFolder(_, let reason): return "cannot open output folder (\(reason))"
        case .cannotWrite(_, let reason): return "cannot write here (\(reason))"
        case .cannotWriteFile: return "cannot write file here"
        case .cannotReplace(_, let reason): return "cannot replace (\(reason))"
        case .cannotReplaceFolder(_, let reason): return "cannot replace folder (\(reason))"
        case .cannotMoveIntoPlace(_, let reason): return "cannot move into place (\(reason))"
        case .cannotMoveFileIntoPlace(_, let reason): return "cannot move file into place (\(reason))"
        case .isSymlink(_, let option):
            return "is a symlink; the stage replaces this folder as a whole and does not follow links — remove the link or choose another \(option)"
        case .notOwnFolder(_, let option):
            return "exists and holds files this tool did not write (no \(OutputSet.ownerMarker)); it is never emptied — choose a new or empty \(option)"
        case .collision: return "two outputs of this run would both be written here; nothing was changed"
        }
    }
}
