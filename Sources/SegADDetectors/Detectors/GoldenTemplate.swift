import Foundation
import SegADNative
import SegADKernels

/// The golden-template baseline for aligned parts: the per-pixel mean μ and
/// standard deviation σ (population, ddof 0) of the gray good images; an
/// image's map is |x − μ| / (σ + ε), blurred with a Gaussian of σ_blur = 4
/// (reflect padding, as the other detectors). No backbone.
public struct GoldenTemplate: NativeDetector {
    public struct Config: Sendable, Equatable {
        public var eps: Float = 0.01
        public var sigma: Float = 4
        public init() {}
    }

    public let config: Config
    public let mean: [Float]
    public let std: [Float]
    public let height: Int
    public let width: Int

    public static func fit(_ images: [DetectorImage], config: Config = Config(), progress: StageProgress? = nil) throws -> GoldenTemplate {
        guard let first = images.first else { throw DetectorError.noTrainingImages(kind: Self.kindName) }
        let (h, w) = (first.height, first.width)
        var sum = [Double](repeating: 0, count: h * w), sq = sum
        for (i, im) in images.enumerated() {
            guard im.height == h, im.width == w else {
                throw DetectorError.imageSize(kind: Self.kindName, index: i, height: im.height, width: im.width, expectedHeight: h, expectedWidth: w)
            }
            let g = im.gray
            for j in 0..<(h * w) { let v = Double(g[j]); sum[j] += v; sq[j] += v * v }
            progress?.advance(i + 1)
        }
        let n = Double(images.count)
        let mean = sum.map { $0 / n }
        let std = zip(sq, mean).map { (max($0 / n - $1 * $1, 0)).squareRoot() }
        return GoldenTemplate(config: config, mean: mean.map(Float.init), std: std.map(Float.init), height: h, width: w)
    }

    init(config: Config, mean: [Float], std: [Float], height: Int, width: Int) {
        self.config = config
        self.mean = mean
        self.std = std
        self.height = height
        self.width = width
    }

    public func state() -> DetectorState {
        DetectorState(kind: kind, config: ["eps": "\(config.eps)", "sigma": "\(config.sigma)"],
                      tensors: ["mean": Tensor(shape: [height, width], values: mean),
                                "std": Tensor(shape: [height, width], values: std)])
    }

    public init(state: DetectorState) throws {
        guard state.kind == Self.kindName else {
            throw DetectorError.wrongKind(kind: state.kind, expected: Self.kindName)
        }
        var c = Config()
        c.eps = try state.value("eps") { Float($0) }
        c.sigma = try state.value("sigma") { Float($0) }
        let m = try state.tensor("mean")
        guard m.shape.count == 2 else { throw DetectorError.tensorLayout(kind: Self.kindName, name: "mean", expected: "2 dimensions") }
        let s = try state.tensor("std", shape: m.shape)
        self.init(config: c, mean: m.values, std: s.values, height: m.shape[0], width: m.shape[1])
    }

    // MARK: - Registry (NativeDetector)

    public static let kindName = "golden-template"
    public static let needsBackbone = false
    public static let fitOptions: [DetectorFitOption] = []
    public static let stateBounds: [StateBound] = [.decimal("eps", positive: true), .imageTensor("mean"), .imageTensor("std"),
                                                   .nonNegativeTensor("std")]

    public static func fit(_ images: [DetectorImage], backbone: FittingBackbone?, options: DetectorFitOptions,
                           progress: StageProgress?) throws -> GoldenTemplate {
        try fit(images, progress: progress)
    }

    public static func restore(_ state: DetectorState, backbone: Backbone?) throws -> GoldenTemplate {
        try GoldenTemplate(state: state)
    }

    public func apply(_ images: [DetectorImage], progress: StageProgress? = nil) throws -> [[Float]] {
        var mark = StageClock.now()  // nil unless segad-bench times the stages
        return try images.enumerated().map { i, im in
            guard im.height == height, im.width == width else {
                throw DetectorError.templateSize(kind: Self.kindName, index: i, height: im.height, width: im.width, templateHeight: height, templateWidth: width)
            }
            let g = im.gray
            var z = [Float](repeating: 0, count: height * width)
            for j in z.indices { z[j] = abs(g[j] - mean[j]) / (std[j] + config.eps) }
            progress?.advance(i + 1)
            StageClock.lap("golden-template deviation", &mark)
            let blurred = MapOps.gaussianBlur(z, height: height, width: width, sigma: config.sigma)
            StageClock.lap("golden-template blur", &mark)
            return blurred
        }
    }
}
