import Foundation
import SegADNative

/// A features artifact: `features` (N×F float32; NaN = missing), `feature_names`
/// (F strings), `ids`, `labels` (int8 codes), `tags` (N strings, comma-joined).
public final class FeaturesArtifact {
    public let reader: ArtifactReader
    public let ids: [String]
    public let labels: [Label]
    public let tags: [[String]]
    public let names: [String]
    public let values: [Float]

    public init(path: String) throws {
        reader = try ArtifactReader(path: path, expecting: .features)
        ids = try reader.file.readStrings("ids")
        labels = try MapsArtifact.readLabels(reader.file, count: ids.count)
        names = try reader.file.readStrings("feature_names")
        let (values, shape) = try reader.file.readFloats("features")
        guard shape == [ids.count, names.count] else {
            throw ArtifactError.featuresShape(path, shape: shape, rows: ids.count, columns: names.count)
        }
        self.values = values
        tags = reader.file.hasDataset("tags")
            ? try reader.file.readStrings("tags").map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) }
            : Array(repeating: [], count: ids.count)
    }

    /// Writes a features artifact (stage `segment-stats`): `features` is
    /// N×F row-major with F = `names.count`; `tags` are comma-joined; each
    /// `trainedOn` entry lists the ids a learned column was fitted on
    /// (LeakageGuard), written only when not empty.
    public static func write(path: String, config: [String: Any], inputs: [ArtifactInput], features: [Float],
                             names: [String], ids: [String], labels: [Label], tags: [String],
                             trainedOn: [(name: String, ids: [String])]) throws {
        let writer = try ArtifactWriter(path: path, kind: .features, stage: "segment-stats", config: config, inputs: inputs)
        for (name, trained) in trainedOn where !trained.isEmpty {
            try writer.file.write("\(LeakageGuard.featuresGroup)/\(name)", strings: trained)
        }
        try writer.file.write("features", floats: features, shape: [ids.count, names.count])
        try writer.file.write("feature_names", strings: names)
        try writer.file.write("ids", strings: ids)
        try writer.file.write("labels", int8s: labels.map(\.code), shape: [ids.count])
        try writer.file.write("tags", strings: tags)
        try writer.commit()
    }

    public var rowCount: Int { ids.count }
    public var columnCount: Int { names.count }

    /// Row index by id.
    public lazy var rowIndex: [String: Int] = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })

    /// Rows `rows` (in that order) as a row-major matrix, optionally restricted to `columns`.
    public func matrix(rows: [Int], columns: [Int]? = nil) -> [Float] {
        let cols = columns ?? Array(0..<columnCount)
        var out = [Float](repeating: 0, count: rows.count * cols.count)
        for (r, row) in rows.enumerated() {
            let base = row * columnCount
            for (c, col) in cols.enumerated() { out[r * cols.count + c] = values[base + col] }
        }
        return out
    }

    /// Looks rows up by id; a missing id is an error naming the file.
    public func rows(for ids: [String], context: String) throws -> [Int] {
        try ids.map {
            guard let r = rowIndex[$0] else { throw ArtifactError.noRow(reader.path, id: $0, context: context) }
            return r
        }
    }

    /// Column of a named feature.
    public func column(named name: String) throws -> Int {
        guard let c = names.firstIndex(of: name) else {
            throw ArtifactError.noFeature(reader.path, name: name, features: names)
        }
        return c
    }
}
