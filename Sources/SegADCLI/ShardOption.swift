import ArgumentParser

/// A shard `K/N` given on the command line (`--shard`): shard K of N, K in
/// 1…N, N in 1…`maxShards`, both in decimal digits. Which items a shard
/// covers is SegADCore's `Shard` (docs/cluster.md, "Shards").
///
///     @Option(help: "…", parse: ShardOption.parse) var shard: ShardOption?
public struct ShardOption: Equatable, Sendable, CustomStringConvertible {
    /// The most shards a run may be cut into (Slurm's MaxArraySize is far below).
    public static let maxShards = 1_000_000

    public let index: Int
    public let count: Int

    /// Parses `K/N` or throws a `ValidationError` naming the value and why
    /// ("0/0: N must be 1…1000000", "5/4: K must be 1…4", "a/b: expected K/N …").
    public static func parse(_ text: String) throws -> ShardOption {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let form = "'\(text)': expected K/N in decimal digits, shard K of N counted from 1, e.g. 1/4"
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let k = Int(parts[0]), let n = Int(parts[1]) else { throw ValidationError(form) }
        guard (1...maxShards).contains(n) else { throw ValidationError("'\(text)': N must be 1…\(maxShards)") }
        guard (1...n).contains(k) else { throw ValidationError("'\(text)': K must be 1…\(n) (shards are counted from 1)") }
        return ShardOption(index: k, count: n)
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }
}
