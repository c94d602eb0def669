import Foundation
import SegADNative
import SegADKernels

/// A maps artifact: N pixel anomaly maps of one detector (N×H×W float32,
/// one HDF5 chunk per map), with the items' ids, labels and each map's max.
///
/// Datasets: `maps` (N×H×W float32), `ids` (N strings), `labels` (N int8:
/// 0 good, 1 bad, -1 uncertain, -2 unknown), `max_scores` (N float32).
/// The config records `detector`, the detector's name.
public final class MapsArtifact {
    public let reader: ArtifactReader
    public let detector: String
    public let ids: [String]
    public let labels: [Label]
    public let maxScores: [Float]
    public let height: Int
    public let width: Int
    private let dataset: HDF5Dataset

    public init(path: String) throws {
        reader = try ArtifactReader(path: path, expecting: .maps)
        guard let detector = reader.config["detector"] as? String else {
            throw ArtifactError.noDetectorName(path)
        }
        self.detector = detector
        ids = try reader.file.readStrings("ids")
        labels = try MapsArtifact.readLabels(reader.file, count: ids.count)
        maxScores = try reader.file.readFloats("max_scores").values
        dataset = try reader.file.openDataset("maps")
        let shape = dataset.shape
        guard shape.count == 3, shape[0] == ids.count, maxScores.count == ids.count else {
            throw ArtifactError.mapsShape(path, shape: shape, ids: ids.count)
        }
        // A map's sides within the CLI's bounds (docs/reliability.md, "One artifact gate").
        guard (1...Bounds.maxSide).contains(shape[1]), (1...Bounds.maxSide).contains(shape[2]) else {
            throw ArtifactError.configValue(path, key: "maps size", value: "\(shape[1])x\(shape[2])",
                                            expected: "sides 1…\(Bounds.maxSide)")
        }
        height = shape[1]
        width = shape[2]
    }

    public var count: Int { ids.count }
    public var pixelsPerMap: Int { height * width }

    /// Reads maps `start ..< start+count` into `buffer` (count·H·W floats).
    public func readMaps(_ start: Int, count: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        try dataset.readRows(start, count: count, into: buffer)
    }

    static func readLabels(_ file: HDF5File, count: Int) throws -> [Label] {
        let codes = try file.readInt64s("labels").values
        guard codes.count == count else { throw ArtifactError.labelCount(file.path, rows: codes.count, ids: count) }
        return try codes.map {
            guard let l = Label(code: $0) else { throw ArtifactError.labelCode(file.path, code: $0) }
            return l
        }
    }
}

/// Streams maps into a new maps artifact, one map at a time.
public final class MapsArtifactWriter {
    private let writer: ArtifactWriter
    private let dataset: HDF5Dataset
    public let height: Int
    public let width: Int
    private var ids: [String] = []
    private var labels: [Int8] = []
    private var maxima: [Float] = []
    private let capacity: Int
    /// Extra string datasets written on commit (e.g. LeakageGuard's ids).
    public var strings: [String: [String]] = [:]
    /// Extra int64 datasets written on commit after `strings` (a shard's positions).
    public var int64s: [String: [Int64]] = [:]

    public init(path: String, detector: String, count: Int, height: Int, width: Int,
                config: [String: Any], inputs: [ArtifactInput], stage: String = "extract-maps") throws {
        var config = config
        config["detector"] = detector
        writer = try ArtifactWriter(path: path, kind: .maps, stage: stage, config: config, inputs: inputs)
        dataset = try writer.file.createFloatDataset("maps", shape: [count, height, width], chunks: [1, height, width])
        self.height = height
        self.width = width
        capacity = count
    }

    /// Appends one map (H·W floats, row-major); its max is recorded.
    public func append(id: String, label: Label, map: UnsafeBufferPointer<Float>) throws {
        precondition(map.count == height * width && ids.count < capacity)
        try dataset.writeRows(ids.count, map)
        ids.append(id)
        labels.append(label.code)
        maxima.append(SegmentStats.maximum(map))
    }

    public func commit() throws {
        guard ids.count == capacity else { throw ArtifactError.incompleteMaps(writer.path, wrote: ids.count, capacity: capacity) }
        try writer.file.write("ids", strings: ids)
        try writer.file.write("labels", int8s: labels, shape: [labels.count])
        try writer.file.write("max_scores", floats: maxima, shape: [maxima.count])
        for (name, values) in strings.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            try writer.file.write(name, strings: values)
        }
        for (name, values) in int64s.sorted(by: { $0.key < $1.key }) {
            try writer.file.write(name, int64s: values, shape: [values.count])
        }
        try writer.commit()
    }
}

extension MapsArtifact {
    static func readLabels(_ file: HDF5File, group: String, count: Int) throws -> [Label] {
        let codes = try file.readInt64s("\(group)/labels").values
        guard codes.count == count else { throw ArtifactError.groupLabelCount(file.path, group: group, rows: codes.count, expected: count) }
        return try codes.map {
            guard let l = Label(code: $0) else { throw ArtifactError.labelCode(file.path, code: $0) }
            return l
        }
    }
}
