import Foundation
import SegADNative
import SegADCore

/// evaluate merge-scores: the shards of one `score-new --shard K/N` run
/// into the `scores.csv` (and `errors.csv`) one unsharded run writes, byte
/// for byte (docs/cluster.md, "Shards"): every row goes back to its
/// position in the source. Refused with one line, before anything is
/// written: a shard folder without a finished record, a shard missing or
/// given twice, a shard of another pipeline, another N or another list, a
/// shard whose rows differ from its record. Overlays stay in the shard
/// folders.
public enum ScoreMerging {
    public struct Summary {
        public var shards: Int
        public var scored: Int
        public var unreadable: Int
    }

    @discardableResult
    public static func run(shardFolders: [String], output: String) throws -> Summary {
        guard let firstFolder = shardFolders.first else { throw ShardMergeError.noShards }
        let records = try shardFolders.map { try ScoreShardRecord.read(shardFolder: $0) }
        let first = records[0]
        var owner: [Int: String] = [:]
        for (dir, r) in zip(shardFolders, records) {
            if r.pipelineSHA256 != first.pipelineSHA256 {
                throw ShardMergeError.foreign(dir, first: firstFolder, what: "pipeline sha256 \(r.pipelineSHA256.prefix(12))…, not \(first.pipelineSHA256.prefix(12))…")
            }
            if r.shards != first.shards { throw ShardMergeError.foreign(dir, first: firstFolder, what: "\(r.shards) shards, not \(first.shards)") }
            if r.listSHA256 != first.listSHA256 || r.images != first.images {
                throw ShardMergeError.foreign(dir, first: firstFolder, what: "another list of images")
            }
            if r.skipUnreadable != first.skipUnreadable {
                throw ShardMergeError.foreign(dir, first: firstFolder, what: "--skip-unreadable given to one and not the other")
            }
            if let other = owner[r.shard] { throw ShardMergeError.duplicate(dir, other: other, k: r.shard, n: r.shards) }
            owner[r.shard] = dir
        }
        if let k = (1...first.shards).first(where: { owner[$0] == nil }) { throw ShardMergeError.missing(k: k, n: first.shards) }

        var scoreRows: [(Int, [String])] = [], errorRows: [(Int, [String])] = []
        var seen = Set<Int>()
        for (dir, r) in zip(shardFolders, records) {
            let position = Dictionary(zip(r.ids.map(CSV.text), r.positions), uniquingKeysWith: { a, _ in a })
            guard position.count == r.ids.count else {
                throw ShardMergeError.rowsDiffer((dir as NSString).appendingPathComponent(ScoreShardRecord.fileName), detail: "an id is named twice")
            }
            var covered = Set<String>()
            func rows(_ name: String, header: [String]) throws -> [(Int, [String])] {
                let path = (dir as NSString).appendingPathComponent(name)
                let records = try CSV.read(path: path)
                guard records.first?.fields == header else { throw ShardMergeError.rowsDiffer(path, detail: "header is not \(header.joined(separator: ","))") }
                return try records.dropFirst().map { row in
                    guard row.fields.count == header.count, let p = position[row.fields[0]], covered.insert(row.fields[0]).inserted else {
                        throw ShardMergeError.rowsDiffer(path, detail: "line \(row.line) names no id of the shard, or one twice")
                    }
                    return (p, row.fields)
                }
            }
            scoreRows += try rows("scores.csv", header: ScoreShardRecord.scoresHeader)
            if first.skipUnreadable { errorRows += try rows(ScoreShardRecord.errorsName, header: ScoreShardRecord.errorsHeader) }
            guard covered.count == r.ids.count else {
                throw ShardMergeError.rowsDiffer(dir, detail: "\(r.ids.count - covered.count) of its \(r.ids.count) ids have no row")
            }
            for p in r.positions where !(0..<r.images).contains(p) || !seen.insert(p).inserted {
                throw ShardMergeError.rowsDiffer(dir, detail: "position \(p) is outside the list or in another shard too")
            }
        }
        guard seen.count == first.images else {
            throw ShardMergeError.rowsDiffer(firstFolder, detail: "the shards cover \(seen.count) of \(first.images) images")
        }

        let scoresPath = (output as NSString).appendingPathComponent("scores.csv")
        let errorsPath = (output as NSString).appendingPathComponent(ScoreShardRecord.errorsName)
        func text(_ header: [String], _ rows: [(Int, [String])]) -> Data {
            Data((CSV.line(header) + rows.sorted { $0.0 < $1.0 }.map { CSV.line($0.1) }.joined()).utf8)
        }
        try OutputPaths.prepareFolder(output)
        var files = OutputSet(marker: scoresPath)
        defer { files.discard() }
        try files.data(scoresPath, text(ScoreShardRecord.scoresHeader, scoreRows))
        if first.skipUnreadable { try files.data(errorsPath, text(ScoreShardRecord.errorsHeader, errorRows)) }
        try files.commit()
        return Summary(shards: records.count, scored: scoreRows.count, unreadable: errorRows.count)
    }
}
