import Foundation
import SegADNative
import SegADCore

/// `OUT/shard.json` of `score-new --shard K/N`: what the shard covered, so
/// `merge-scores` can refuse a missing, duplicated or foreign shard
/// (docs/cluster.md, "Shards"). It is the marker of the shard's output set
/// (scores.csv, errors.csv, overlays/ and itself commit as one unit), so a
/// shard whose shard.json exists finished.
public struct ScoreShardRecord: Codable, Equatable {
    public static let fileName = "shard.json"
    public static let errorsName = "errors.csv"
    static let scoresHeader = ["id", "score", "decision", "top_features"]
    static let errorsHeader = ["id", "path", "fault"]

    /// SHA-256 of the pipeline artifact that scored the shard.
    public var pipelineSHA256: String
    /// K and N of `--shard K/N`.
    public var shard: Int
    public var shards: Int
    /// `Shard.listDigest` of every id of the whole source.
    public var listSHA256: String
    /// Images in the whole source.
    public var images: Int
    public var skipUnreadable: Bool
    /// The shard's ids, in the source's order, and their positions in it.
    public var ids: [String]
    public var positions: [Int]

    public init(pipelineSHA256: String, shard: Int, shards: Int, listSHA256: String, images: Int,
                skipUnreadable: Bool, ids: [String], positions: [Int]) {
        self.pipelineSHA256 = pipelineSHA256; self.shard = shard; self.shards = shards; self.listSHA256 = listSHA256
        self.images = images; self.skipUnreadable = skipUnreadable; self.ids = ids; self.positions = positions
    }

    enum CodingKeys: String, CodingKey {
        case pipelineSHA256 = "pipeline_sha256", shard, shards, listSHA256 = "list_sha256", images
        case skipUnreadable = "skip_unreadable", ids, positions
    }

    func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(self) + Data("\n".utf8)
    }

    /// The record of the shard folder `dir`; a missing or unreadable one is a `ShardMergeError`.
    public static func read(shardFolder dir: String) throws -> ScoreShardRecord {
        let path = (dir as NSString).appendingPathComponent(fileName)
        guard let data = try RegularFile.contents(atPath: path) else { throw ShardMergeError.unfinished(dir) }
        guard let r = try? JSONDecoder().decode(ScoreShardRecord.self, from: data), r.ids.count == r.positions.count,
              r.shards >= 1, (1...r.shards).contains(r.shard), r.images >= 0 else { throw ShardMergeError.damagedRecord(path) }
        return r
    }
}
