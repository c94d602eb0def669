import Foundation
import SegADNative

/// Shard K of N of a list of ids (docs/cluster.md, "Shards"): the ids are
/// sorted by their UTF-8 bytes and cut into N contiguous blocks,
/// block K (counted from 1) holding sorted positions ⌊(K−1)·n/N⌋ ..< ⌊K·n/N⌋.
/// The split depends on the set of ids alone, not on the order a folder,
/// list or manifest gives them in, so every node computes the same split;
/// N > n leaves some shards empty.
///
/// A shard's items keep the source's order; each is known by its position
/// in the whole source, so a merge puts them back exactly where one run
/// over the whole source writes them.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index))
        self.index = index; self.count = count
    }

    /// Positions (ascending: the source's order) of the ids this shard covers.
    public func positions(of ids: [String]) -> [Int] {
        let sorted = ids.indices.sorted { ids[$0].utf8.lexicographicallyPrecedes(ids[$1].utf8) }
        let n = ids.count
        let lo = (index - 1) * n / count, hi = index * n / count
        return sorted[lo ..< hi].sorted()
    }

    /// The SHA-256 of every id of the source, sorted by UTF-8 bytes, each
    /// ended by a newline: the same for every shard of one source, so a
    /// merge knows shards cut from another list.
    public static func listDigest(_ ids: [String]) -> String {
        var sha = SHA256()
        for id in ids.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            sha.update(Array(id.utf8) + [10])
        }
        return SHA256.hex(of: sha.finalize())
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }
}
