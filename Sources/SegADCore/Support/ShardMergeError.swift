import SegADNative

/// Why shards cannot be merged (`evaluate merge-scores`, `extract-maps
/// merge`); `description` is the stage's one line. `file` is the shard
/// folder or artifact at fault, or `shard K/N` for one that is not there.
public enum ShardMergeError: SegADFault, Equatable {
    /// A shard folder without its finished record (the shard failed or still runs).
    case unfinished(String)
    case damagedRecord(String)
    /// Shard `k`/`n` is not among those given.
    case missing(k: Int, n: Int)
    /// Two shards are both shard `k`/`n`.
    case duplicate(String, other: String, k: Int, n: Int)
    /// A shard of another run: `what` names the difference (another pipeline, another N, …).
    case foreign(String, first: String, what: String)
    /// The shard's rows do not match the ids its record names.
    case rowsDiffer(String, detail: String)
    case noShards

    public var file: String {
        switch self {
        case .unfinished(let f), .damagedRecord(let f), .duplicate(let f, _, _, _), .foreign(let f, _, _),
             .rowsDiffer(let f, _): return f
        case .missing(let k, let n): return "shard \(k)/\(n)"
        case .noShards: return "merge"
        }
    }

    public var fault: String {
        switch self {
        case .unfinished: return "no finished shard here (no shard.json: the shard failed or still runs; rerun it)"
        case .damagedRecord: return "not a shard record of segad (damaged or of another tool)"
        case .missing: return "missing: give every shard of the run (rerun the shards that did not finish)"
        case .duplicate(_, let other, let k, let n): return "is shard \(k)/\(n), and so is \(other)"
        case .foreign(_, let first, let what): return "is a shard of another run than \(first): \(what)"
        case .rowsDiffer(_, let detail): return "rows differ from the shard's record: \(detail)"
        case .noShards: return "no shards given"
        }
    }
}
