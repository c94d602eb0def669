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

    public var file: String {
        switch self {
        case .emptyPath(let f, _), .givenTwice(let f, _, _), .overwritesInput(let f, _, _, _),
             .replacesInputFolder(let f, _, _, _), .notAFolder(let f, _), .parentIsFile(let f, _, _),
             .cannotCreateFolder(let f, _, _), .notWritable(let f, _, _), .cannotOpenFolder(let f, _),
             .cannotWrite(let f, _), .cannotWriteFile(let f), .cannotReplace(let f, _),
             .cannotReplaceFolder(let f, _), .cannotMoveIntoPlace(let f, _), .cannotMoveFileIntoPlace(let f, _):
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
        }
    }
}
