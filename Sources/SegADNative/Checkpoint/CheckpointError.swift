/// A fault in a PyTorch checkpoint or safetensors file (`Checkpoint.load`):
/// unreadable, of another format, truncated, or holding a storage or tensor
/// whose declared size the file cannot back. `description` is the stage's
/// one line, `FILE: FAULT`, naming the key where there is one.
public enum CheckpointError: SegADFault, Equatable {
    case cannotRead(String)
    /// Neither a PyTorch zip archive, a legacy pickle checkpoint nor safetensors.
    case notACheckpoint(String)
    /// The pickle stream ends early.
    case truncated(String)
    /// The pickle stream holds something the unpickler refuses.
    case pickle(String, message: String)
    case bigEndian(String)
    /// A fault in the zip container; `detail` is the whole fault text.
    case archive(String, detail: String)
    /// A fault in a legacy (pre-1.6) checkpoint's framing.
    case legacy(String, detail: String)
    /// A fault in a safetensors header.
    case safetensors(String, detail: String)
    /// A storage whose size is unknown or not backed by the file.
    case storage(String, key: String, detail: String)
    /// A tensor whose dtype, shape, strides or offsets the file cannot back.
    case tensor(String, key: String, detail: String)
    case noTensors(String)

    public var file: String {
        switch self {
        case .cannotRead(let f), .notACheckpoint(let f), .truncated(let f), .pickle(let f, _), .bigEndian(let f),
             .archive(let f, _), .legacy(let f, _), .safetensors(let f, _), .storage(let f, _, _),
             .tensor(let f, _, _), .noTensors(let f):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .cannotRead: return "cannot read file"
        case .notACheckpoint: return "not a PyTorch checkpoint or safetensors file"
        case .truncated: return "truncated"
        case .pickle(_, let message): return message
        case .bigEndian: return "big-endian checkpoints are not supported"
        case .archive(_, let detail): return detail
        case .legacy(_, let detail): return "legacy checkpoint: \(detail)"
        case .safetensors(_, let detail): return "safetensors: \(detail)"
        case .storage(_, let key, let detail): return "storage \(key): \(detail)"
        case .tensor(_, let key, let detail): return "key \(key): \(detail)"
        case .noTensors: return "no tensors found"
        }
    }
}
