import Foundation
import SegADNative
import SegADKernels
internal import COpenBLAS

/// DFM, deep feature modelling (Ahuja et al., 2019; anomalib's `Dfm` with
/// `score_type = "fre"`): training-free on the backbone, like PaDiM and
/// PatchCore, but with one linear model for the whole image.
///
/// 1. Embedding: the requested backbone stages resized (nearest) to the
///    first stage's grid and concatenated, every channel kept (PaDiM's
///    embedding without its random channel subset): one C-vector per patch.
/// 2. Fit: every patch of every good image is a sample; their mean μ and the
///    principal components of their covariance (float64, LAPACK dsyev),
///    keeping the fewest k whose explained variance ratio sums to more than
///    `varianceLevel` (0.97, sklearn's `PCA(n_components=0.97)` rule).
/// 3. Apply: each patch's feature-reconstruction error
///    ‖(x − μ) − W Wᵀ(x − μ)‖² (W: C×k, the kept components); the grid is
///    resized bilinearly to the image size and blurred with a Gaussian of
///    σ = 4, as the other detectors' maps.
///
/// The image score is the map's maximum. The state holds μ and W (k × C).
public struct DFM: NativeDetector {
    public struct Config: Sendable, Equatable {
        public var stages: [Int] = [2, 4]
        public var varianceLevel: Double = 0.97
        public var sigma: Float = 4
        public init() {}
    }

    public let config: Config
    public let backbone: Backbone
    public let weightsPath: String
    /// μ, C floats.
    public let mean: [Float]
    /// The kept principal components, k × C row-major (orthonormal rows).
    public let components: [Float]
    public let dim: Int
    public let gridHeight: Int
    public let gridWidth: Int
    public let imageHeight: Int
    public let imageWidth: Int

    var k: Int { components.count / dim }

    public static func fit(_ images: [DetectorImage], backbone: Backbone, weightsPath: String,
                           config: Config = Config(), progress: StageProgress? = nil) throws -> DFM {
        guard let first = images.first else { throw DetectorError.noTrainingImages(kind: Self.kindName) }
        guard images.count >= 2 else { throw DetectorError.tooFewTrainingImages(kind: Self.kindName, minimum: 2) }
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width,
                                          stages: config.stages, progress: progress)
        let embedded = feats.map { embed($0) }
        let dim = embedded[0].c
        let model = try principalComponents(embedded.map { $0.values }, dim: dim, level: config.varianceLevel)
        return DFM(config: config, backbone: backbone, weightsPath: weightsPath, mean: model.mean,
                   components: model.components, dim: dim, gridHeight: embedded[0].h, gridWidth: embedded[0].w,
                   imageHeight: first.height, imageWidth: first.width)
    }

    init(config: Config, backbone: Backbone, weightsPath: String, mean: [Float], components: [Float], dim: Int,
         gridHeight: Int, gridWidth: Int, imageHeight: Int, imageWidth: Int) {
        self.config = config
        self.backbone = backbone
        self.weightsPath = weightsPath
        self.mean = mean
        self.components = components
        self.dim = dim
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
    }

    public func state() -> DetectorState {
        DetectorState(kind: kind, config: [
            "backbone": backbone.name, "weights": weightsPath,
            "stages": config.stages.map(String.init).joined(separator: ","),
            "variance_level": "\(config.varianceLevel)", "sigma": "\(config.sigma)",
            "grid_height": "\(gridHeight)", "grid_width": "\(gridWidth)",
            "image_height": "\(imageHeight)", "image_width": "\(imageWidth)",
        ], tensors: [
            "mean": Tensor(shape: [dim], values: mean),
            "components": Tensor(shape: [k, dim], values: components),
        ])
    }

    public init(state: DetectorState) throws {
        try self.init(state: state, backbone: state.loadBackbone())
    }

    public init(state: DetectorState, backbone: Backbone) throws {
        try state.check(kind: Self.kindName, backbone: backbone)
        var c = Config()
        c.stages = try state.stages()
        guard c.stages.allSatisfy({ backbone.stages.indices.contains($0) }) else {
            throw DetectorError.configValue(kind: Self.kindName, key: "stages", value: state.config["stages"] ?? "")
        }
        c.varianceLevel = try state.value("variance_level") { Double($0).flatMap { $0 > 0 && $0 <= 1 ? $0 : nil } }
        c.sigma = try state.value("sigma") { Float($0).flatMap { $0.isFinite && $0 > 0 && $0 <= 64 ? $0 : nil } }
        let expected = c.stages.map { backbone.stages[$0].channels }.reduce(0, +)
        let mean = try state.tensor("mean", shape: [expected])
        let comp = try state.tensor("components")
        guard comp.shape.count == 2, comp.shape[1] == expected, comp.shape[0] >= 1, comp.shape[0] <= expected else {
            throw DetectorError.tensorLayout(kind: Self.kindName, name: "components", expected: "shape [k, \(expected)], 1 ≤ k ≤ \(expected)")
        }
        // Sides within the working-size limit (8192, Bounds.maxSide of SegADCore).
        let side = { (key: String) in try state.value(key) { Int($0).flatMap { (1...8192).contains($0) ? $0 : nil } } }
        self.init(config: c, backbone: backbone, weightsPath: state.config["weights"] ?? "", mean: mean.values,
                  components: comp.values, dim: expected, gridHeight: try side("grid_height"), gridWidth: try side("grid_width"),
                  imageHeight: try side("image_height"), imageWidth: try side("image_width"))
    }

    public func apply(_ images: [DetectorImage], progress: StageProgress? = nil) throws -> [[Float]] {
        guard let first = images.first else { return [] }
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width, stages: config.stages)
        var maps: [[Float]] = []
        for (i, f) in feats.enumerated() {
            let e = Self.embed(f)
            guard e.h == gridHeight, e.w == gridWidth else {
                throw DetectorError.featureGrid(kind: Self.kindName, index: i, height: e.h, width: e.w, fittedHeight: gridHeight, fittedWidth: gridWidth)
            }
            let error = Self.reconstructionError(e.values, mean: mean, components: components, dim: dim)
            let up = MapOps.bilinear(error, channels: 1, height: gridHeight, width: gridWidth,
                                     toHeight: images[i].height, toWidth: images[i].width)
            maps.append(MapOps.gaussianBlur(up, height: images[i].height, width: images[i].width, sigma: config.sigma))
            progress?.advance(i + 1)
        }
        return maps
    }

    // MARK: - Steps (internal, tested against sklearn)

    /// Stages resized (nearest) to the first one's grid and concatenated:
    /// positions × C (row-major).
    static func embed(_ maps: [FeatureMap]) -> (values: [Float], h: Int, w: Int, c: Int) {
        let c = maps.map(\.channels).reduce(0, +)
        let e = PaDiM.embed(maps, channels: Array(0..<c))
        return (e.values, e.h, e.w, c)
    }

    /// μ and the kept principal components (k × dim, float32) of every row of
    /// `samples` (each array: some rows of `dim`). The covariance and its
    /// eigendecomposition are float64; a component's sign is fixed so that
    /// its largest-magnitude entry is positive (the error does not depend on it).
    static func principalComponents(_ samples: [[Float]], dim: Int, level: Double) throws -> (mean: [Float], components: [Float]) {
        let n = samples.reduce(0) { $0 + $1.count / dim }
        guard n >= 2 else { throw DetectorError.tooFewTrainingImages(kind: Self.kindName, minimum: 2) }
        var sum = [Double](repeating: 0, count: dim)
        for s in samples { for i in 0..<s.count { sum[i % dim] += Double(s[i]) } }
        let mu = sum.map { $0 / Double(n) }
        // Centred rows in float64, then C = XᵀX / (n − 1) by dsyrk-equivalent dgemm.
        var cov = [Double](repeating: 0, count: dim * dim)
        let block = 4096
        var x = [Double](repeating: 0, count: block * dim)
        var rows = 0
        func flush() {
            guard rows > 0 else { return }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(dim), Int32(dim), Int32(rows),
                        1, x, Int32(dim), x, Int32(dim), 1, &cov, Int32(dim))
            rows = 0
        }
        for s in samples {
            for r in 0..<(s.count / dim) {
                for j in 0..<dim { x[rows * dim + j] = Double(s[r * dim + j]) - mu[j] }
                rows += 1
                if rows == block { flush() }
            }
        }
        flush()
        for i in cov.indices { cov[i] /= Double(n - 1) }
        // dsyev: eigenvalues ascending, eigenvectors in the columns of the
        // column-major result = the rows of `cov` read row-major.
        var values = [Double](repeating: 0, count: dim)
        var info: Int32 = 0
        var nn = Int32(dim), lda = Int32(dim), lwork: Int32 = -1
        var query = 0.0
        "V".withCString { v in "U".withCString { u in dsyev_(v, u, &nn, &cov, &lda, &values, &query, &lwork, &info) } }
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        "V".withCString { v in "U".withCString { u in dsyev_(v, u, &nn, &cov, &lda, &values, &work, &lwork, &info) } }
        guard info == 0 else { throw DetectorError.configValue(kind: Self.kindName, key: "covariance", value: "eigendecomposition failed (info \(info))") }
        let order = Array((0..<dim).reversed())
        let total = values.reduce(0) { $0 + max($1, 0) }
        var kept = 0, cumulative = 0.0
        for i in order {
            kept += 1
            cumulative += max(values[i], 0)
            if total <= 0 || cumulative / total > level { break }
        }
        var comps = [Float](repeating: 0, count: kept * dim)
        for (r, i) in order.prefix(kept).enumerated() {
            let v = Array(cov[(i * dim)..<((i + 1) * dim)])
            let big = v.indices.max { abs(v[$0]) < abs(v[$1]) } ?? 0
            let sign: Double = v[big] < 0 ? -1 : 1
            for j in 0..<dim { comps[r * dim + j] = Float(sign * v[j]) }
        }
        return (mu.map(Float.init), comps)
    }

    /// ‖r − Wᵀ(W r)‖² per row of `x` (positions × dim), r = x − μ; W: k × dim.
    static func reconstructionError(_ x: [Float], mean: [Float], components: [Float], dim: Int) -> [Float] {
        let p = x.count / dim, k = components.count / dim
        var r = x
        for i in 0..<p { for j in 0..<dim { r[i * dim + j] -= mean[j] } }
        var proj = [Float](repeating: 0, count: p * k)
        var recon = [Float](repeating: 0, count: p * dim)
        BLASThreads.with(1) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(p), Int32(k), Int32(dim),
                        1, r, Int32(dim), components, Int32(dim), 0, &proj, Int32(k))
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(p), Int32(dim), Int32(k),
                        1, proj, Int32(k), components, Int32(dim), 0, &recon, Int32(dim))
        }
        var out = [Float](repeating: 0, count: p)
        for i in 0..<p {
            var s: Float = 0
            for j in 0..<dim { let d = r[i * dim + j] - recon[i * dim + j]; s += d * d }
            out[i] = s
        }
        return out
    }
}

// MARK: - Registry (NativeDetector)

extension DFM {
    public static let kindName = "dfm"
    public static let needsBackbone = true
    public static let fitOptions: [DetectorFitOption] = []
    public static let stateBounds: [StateBound] = [.finiteTensor("mean", rank: 1), .finiteTensor("components", rank: 2)]

    public static func fit(_ images: [DetectorImage], backbone: FittingBackbone?, options: DetectorFitOptions,
                           progress: StageProgress?) throws -> DFM {
        guard let backbone else { throw DetectorError.backboneMissing(kind: kindName) }
        return try fit(images, backbone: backbone.network, weightsPath: backbone.weightsPath, progress: progress)
    }

    public static func restore(_ state: DetectorState, backbone: Backbone?) throws -> DFM {
        try backbone.map { try DFM(state: state, backbone: $0) } ?? DFM(state: state)
    }
}
