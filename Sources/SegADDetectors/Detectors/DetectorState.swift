import SegADNative

/// A fitted detector as data: its kind, a small string configuration and
/// named float tensors (memory bank, Gaussians, template), so that the
/// artifact layer can store it (e.g. in HDF5) without knowing the detector.
public struct DetectorState: Sendable, Equatable {
    public var kind: String
    public var config: [String: String]
    public var tensors: [String: Tensor]

    public init(kind: String, config: [String: String], tensors: [String: Tensor]) {
        self.kind = kind
        self.config = config
        self.tensors = tensors
    }

    /// The tensor `name`, or a `DetectorError` naming the state and the key.
    public func tensor(_ name: String, shape: [Int]? = nil) throws -> Tensor {
        guard let t = tensors[name] else { throw DetectorError.tensorMissing(kind: kind, name: name) }
        if let s = shape, s != t.shape {
            throw DetectorError.tensorShape(kind: kind, name: name, expected: s, found: t.shape)
        }
        return t
    }

    /// The backbone named in the state, loaded from the weights path it records.
    public func loadBackbone() throws -> Backbone {
        try Backbones.load(name: value("backbone") { $0 }, path: value("weights") { $0 })
    }

    /// Checks that this is a `expected` state fitted with `backbone`.
    public func check(kind expected: String, backbone: Backbone) throws {
        guard kind == expected else { throw DetectorError.wrongKind(kind: kind, expected: expected) }
        if let b = config["backbone"], b != backbone.name {
            throw DetectorError.backbone(kind: expected, fitted: b, given: backbone.name)
        }
    }

    /// The backbone stages recorded under "stages" (comma-separated integers).
    public func stages() throws -> [Int] {
        try value("stages") { s in
            let v = s.split(separator: ",").compactMap { Int($0) }
            return v.isEmpty ? nil : v
        }
    }

    /// The recorded stages, each an index into `backbone.stages`. This
    /// module is built -Ounchecked: an index beyond the backbone would read
    /// outside its table, so it is refused here, explicitly
    /// (docs/reliability.md, "One artifact gate").
    public func stages(of backbone: Backbone) throws -> [Int] {
        let stages = try stages()
        guard stages.allSatisfy({ $0 >= 0 && $0 < backbone.stages.count }) else {
            throw DetectorError.configValue(kind: kind, key: "stages", value: config["stages"] ?? "")
        }
        return stages
    }

    /// The configuration value `key` converted by `parse`, or a `DetectorError`.
    public func value<T>(_ key: String, _ parse: (String) -> T?) throws -> T {
        guard let s = config[key] else { throw DetectorError.configMissing(kind: kind, key: key) }
        guard let v = parse(s) else { throw DetectorError.configValue(kind: kind, key: key, value: s) }
        return v
    }
}

/// An image handed to a detector: `channels` (1 gray or 3 RGB) × height ×
/// width floats in [0, 1], channel-major (C×H×W). All images given to one
/// detector share its working size.
public struct DetectorImage: Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(channels == 1 || channels == 3, "DetectorImage: 1 or 3 channels")
        precondition(values.count == channels * height * width, "DetectorImage: size mismatch")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    /// The mean over channels: the gray image (H×W).
    public var gray: [Float] {
        if channels == 1 { return values }
        let hw = height * width
        return (0..<hw).map { (values[$0] + values[hw + $0] + values[2 * hw + $0]) / 3 }
    }
}

/// A pixel anomaly detector: fitted on good images, it maps each image to an
/// H×W anomaly map of the image's own size; the image score is the map's max.
public protocol PixelDetector: Sendable {
    /// `patchcore`, `padim` or `golden-template`.
    var kind: String { get }
    /// The fitted state, to be stored as an artifact.
    func state() -> DetectorState
    /// Anomaly maps (H×W each) for `images`.
    func apply(_ images: [DetectorImage], progress: StageProgress?) throws -> [[Float]]
}

extension PixelDetector {
    /// The image score: the maximum of the map.
    public static func score(_ map: [Float]) -> Float { map.max() ?? 0 }
}
