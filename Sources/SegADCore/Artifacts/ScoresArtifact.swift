import Foundation
import SegADNative

/// Per-seed scores of one method on one class: the rows of each seed's
/// `test` role (in that order), with labels and tags.
///
/// Datasets: `seeds` (int64), and per seed S a group `seed_S` with `ids`,
/// `scores` (float64), `labels` (int8 codes), `tags` (comma-joined).
/// The config records `method` and `class`.
public struct SeedScores: Sendable {
    public var seed: Int
    public var ids: [String]
    public var scores: [Double]
    public var labels: [Label]
    public var tags: [[String]]

    public init(seed: Int, ids: [String], scores: [Double], labels: [Label], tags: [[String]]) {
        self.seed = seed; self.ids = ids; self.scores = scores; self.labels = labels; self.tags = tags
    }
}

public final class ScoresArtifact {
    public let method: String
    public let className: String
    public let seeds: [SeedScores]
    public let path: String

    public init(path: String) throws {
        self.path = path
        let reader = try ArtifactReader(path: path, expecting: .scores)
        guard let method = reader.config["method"] as? String, let cls = reader.config["class"] as? String else {
            throw ArtifactError.noMethodOrClass(path)
        }
        self.method = method
        className = cls
        let seedList = try reader.file.readInt64s("seeds").values
        seeds = try seedList.map { s in
            let g = "seed_\(s)"
            let ids = try reader.file.readStrings("\(g)/ids")
            let scores = try reader.file.readDoubles("\(g)/scores").values
            let labels = try MapsArtifact.readLabels(reader.file, group: g, count: ids.count)
            let tags = try reader.file.readStrings("\(g)/tags").map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) }
            guard scores.count == ids.count, tags.count == ids.count else {
                throw ArtifactError.lengthMismatch(path, group: g)
            }
            return SeedScores(seed: Int(s), ids: ids, scores: scores, labels: labels, tags: tags)
        }
    }

    public static func write(path: String, method: String, className: String, seeds: [SeedScores],
                      config: [String: Any], inputs: [ArtifactInput]) throws {
        for s in seeds {
            if let i = s.scores.firstIndex(where: { !$0.isFinite }) {
                throw ArtifactError.nonFiniteScore(path, seed: s.seed, id: s.ids[i], score: s.scores[i])
            }
        }
        var config = config
        config["method"] = method
        config["class"] = className
        let writer = try ArtifactWriter(path: path, kind: .scores, stage: "evaluate", config: config, inputs: inputs)
        try writer.file.write("seeds", int64s: seeds.map { Int64($0.seed) }, shape: [seeds.count])
        for s in seeds {
            let g = "seed_\(s.seed)"
            try writer.file.write("\(g)/ids", strings: s.ids)
            try writer.file.write("\(g)/scores", doubles: s.scores, shape: [s.scores.count])
            try writer.file.write("\(g)/labels", int8s: s.labels.map(\.code), shape: [s.labels.count])
            try writer.file.write("\(g)/tags", strings: s.tags.map { $0.joined(separator: ",") })
        }
        try writer.commit()
    }
}
