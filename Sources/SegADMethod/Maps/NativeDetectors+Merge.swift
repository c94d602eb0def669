import Foundation
import SegADNative
import SegADCore

extension NativeDetectors {
    /// extract-maps merge: the maps artifacts of `apply --shard 1/N … N/N`
    /// into the artifact one unsharded apply writes, byte for byte
    /// (docs/cluster.md, "Shards"): the same config without the shard keys,
    /// the inputs hashed again (a manifest, state or weights file changed
    /// since the shards ran is refused), every map at its position. Refused
    /// with one line, nothing written: a missing or repeated shard, a shard
    /// of another detector, state, manifest or N, positions that overlap or
    /// leave a gap.
    public static func merge(shards paths: [String], output: String) throws {
        guard let firstPath = paths.first else { throw ShardMergeError.noShards }
        let shards = try paths.map { try MapsArtifact(path: $0) }
        func number(_ m: MapsArtifact, _ key: String) throws -> Int {
            guard let v = m.reader.config[key] as? Int else {
                throw ShardMergeError.foreign(m.reader.path, first: firstPath, what: "not written by extract-maps apply --shard (no \(key) in its config)")
            }
            return v
        }
        func common(_ m: MapsArtifact) throws -> String {
            var config = m.reader.config
            for key in ShardKeys.configKeys { config.removeValue(forKey: key) }
            let inputs = String(decoding: try JSONEncoder.sorted.encode(m.reader.inputs), as: UTF8.self)
            let trained = m.reader.file.hasDataset(LeakageGuard.mapsDataset) ? try m.reader.file.readStrings(LeakageGuard.mapsDataset) : []
            return [try JSONText.encode(config), inputs, "\(m.height)x\(m.width)", trained.joined(separator: "\n"),
                    m.reader.config[ShardKeys.itemsDigest] as? String ?? ""].joined(separator: "\u{1}")
        }
        let first = shards[0]
        let n = try number(first, ShardKeys.shards), total = try number(first, ShardKeys.items)
        let reference = try common(first)
        var owner: [Int: String] = [:]
        for (i, m) in shards.enumerated() {
            let k = try number(m, ShardKeys.shard), mn = try number(m, ShardKeys.shards)
            guard mn >= 1, (1...mn).contains(k) else {
                throw ShardMergeError.foreign(paths[i], first: firstPath, what: "shard \(k)/\(mn) is not a shard K/N with K in 1…N")
            }
            if mn != n { throw ShardMergeError.foreign(paths[i], first: firstPath, what: "\(mn) shards, not \(n)") }
            if try number(m, ShardKeys.items) != total || common(m) != reference {
                throw ShardMergeError.foreign(paths[i], first: firstPath, what: "another detector, state, manifest, size or list of items")
            }
            if let other = owner[k] { throw ShardMergeError.duplicate(paths[i], other: other, k: k, n: n) }
            owner[k] = paths[i]
        }
        if let k = (1...n).first(where: { owner[$0] == nil }) { throw ShardMergeError.missing(k: k, n: n) }
        // The shards' maps add up to the items their records name before
        // anything is allocated by that count (docs/reliability.md, "One artifact gate").
        let held = shards.reduce(0) { $0 + $1.count }
        guard held == total else {
            throw ShardMergeError.rowsDiffer(firstPath, detail: "the shards hold \(held) maps; their records name \(total) items")
        }
        var slots = [(shard: Int, row: Int)?](repeating: nil, count: total)
        for (i, m) in shards.enumerated() {
            let positions = try m.reader.file.readInt64s(ShardKeys.positions).values
            guard positions.count == m.count else {
                throw ShardMergeError.rowsDiffer(paths[i], detail: "\(positions.count) positions for \(m.count) maps")
            }
            for (row, p) in positions.enumerated() {
                guard p >= 0, p < total, slots[Int(p)] == nil else {
                    throw ShardMergeError.rowsDiffer(paths[i], detail: "position \(p) is outside the \(total) items or overlaps another shard")
                }
                slots[Int(p)] = (i, row)
            }
        }
        if let gap = slots.firstIndex(where: { $0 == nil }) {
            throw ShardMergeError.rowsDiffer(firstPath, detail: "no shard holds item \(gap) of \(total)")
        }
        // Provenance recomputed: every recorded input hashed again.
        let inputs = try first.reader.inputs.map { recorded -> ArtifactInput in
            let again = try ArtifactInput.hashing(role: recorded.role, path: recorded.path)
            guard again.sha256 == recorded.sha256 else {
                throw ArtifactError.inputChanged(firstPath, role: recorded.role, given: recorded.path, recorded: recorded.sha256, actual: again.sha256)
            }
            return again
        }
        var config = first.reader.config
        for key in ShardKeys.configKeys + ["detector"] { config.removeValue(forKey: key) }
        let writer = try MapsArtifactWriter(path: output, detector: first.detector, count: total, height: first.height,
                                            width: first.width, config: config, inputs: inputs)
        if first.reader.file.hasDataset(LeakageGuard.mapsDataset) {
            writer.strings[LeakageGuard.mapsDataset] = try first.reader.file.readStrings(LeakageGuard.mapsDataset)
        }
        var map = [Float](repeating: 0, count: first.pixelsPerMap)
        let progress = StageProgress("extract-maps merge", total: total, unit: "maps")
        for slot in slots {
            let (s, row) = slot!
            try map.withUnsafeMutableBufferPointer { try shards[s].readMaps(row, count: 1, into: $0) }
            try map.withUnsafeBufferPointer {
                try writer.append(id: shards[s].ids[row], label: shards[s].labels[row], map: $0)
            }
            progress.advance()
        }
        try writer.commit()
    }
}
