import Dispatch
import Foundation
import SegADNative
import SegADKernels
internal import COpenBLAS

/// PaDiM (Defard et al., ICPR 2021) as anomalib computes it:
///
/// 1. The requested backbone stages are resized (nearest, as anomalib) to the
///    first stage's grid and concatenated; a seeded random subset of `d`
///    channels is kept (the subset's order is part of the state).
/// 2. Fit: at every patch position, the mean μ and the covariance
///    Σ = Σᵢ(xᵢ−μ)(xᵢ−μ)ᵀ/(N−1) + 0.01·I of the good images' embeddings;
///    Σ is stored as its Cholesky factor L (LLᵀ = Σ, LAPACK spotrf).
/// 3. Apply: the Mahalanobis distance √((x−μ)ᵀΣ⁻¹(x−μ)) = ‖L⁻¹(x−μ)‖ (a
///    triangular solve) per position; the grid is resized bilinearly to the
///    image size and blurred with a Gaussian of σ = 4.
public struct PaDiM: NativeDetector {
    public struct Config: Sendable, Equatable {
        public var stages: [Int] = [2, 3, 4]
        public var features: Int = 100
        public var seed: UInt64 = 0
        public var sigma: Float = 4
        public var regularization: Float = 0.01
        public init() {}
    }

    public let config: Config
    public let backbone: Backbone
    public let weightsPath: String
    /// Selected channel indices into the concatenated stages.
    public let channels: [Int]
    /// Means, positions × d.
    public let mean: [Float]
    /// Lower Cholesky factors, positions × d × d (row-major, upper part zero).
    public let cholesky: [Float]
    public let gridHeight: Int
    public let gridWidth: Int
    public let imageHeight: Int
    public let imageWidth: Int

    var d: Int { channels.count }

    public static func fit(_ images: [DetectorImage], backbone: Backbone, weightsPath: String,
                           config: Config = Config(), progress: StageProgress? = nil) throws -> PaDiM {
        guard let first = images.first else { throw DetectorError.noTrainingImages(kind: Self.kindName) }
        guard images.count >= 2 else { throw DetectorError.tooFewTrainingImages(kind: Self.kindName, minimum: 2) }
        let total = config.stages.map { backbone.stages[$0].channels }.reduce(0, +)
        let d = min(config.features, total)
        var rng = SplitMix64(seed: config.seed)
        var pool = Array(0..<total)
        for i in 0..<d { pool.swapAt(i, i + Int(rng.next() % UInt64(total - i))) }
        let channels = Array(pool[0..<d])
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width,
                                          stages: config.stages, progress: progress)
        let embedded = feats.map { embed($0, channels: channels) }
        let g = try gaussians(embedded.map { $0.values }, positions: embedded[0].h * embedded[0].w, d: d,
                              regularization: config.regularization)
        return PaDiM(config: config, backbone: backbone, weightsPath: weightsPath, channels: channels,
                     mean: g.mean, cholesky: g.cholesky, gridHeight: embedded[0].h, gridWidth: embedded[0].w,
                     imageHeight: first.height, imageWidth: first.width)
    }

    init(config: Config, backbone: Backbone, weightsPath: String, channels: [Int], mean: [Float], cholesky: [Float],
         gridHeight: Int, gridWidth: Int, imageHeight: Int, imageWidth: Int) {
        self.config = config
        self.backbone = backbone
        self.weightsPath = weightsPath
        self.channels = channels
        self.mean = mean
        self.cholesky = cholesky
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
    }

    public func state() -> DetectorState {
        let p = gridHeight * gridWidth
        return DetectorState(kind: kind, config: [
            "backbone": backbone.name, "weights": weightsPath,
            "stages": config.stages.map(String.init).joined(separator: ","),
            "features": "\(config.features)", "seed": "\(config.seed)", "sigma": "\(config.sigma)",
            "regularization": "\(config.regularization)",
            "image_height": "\(imageHeight)", "image_width": "\(imageWidth)",
        ], tensors: [
            "channels": Tensor(shape: [d], values: channels.map(Float.init)),
            "mean": Tensor(shape: [gridHeight, gridWidth, d], values: mean),
            // The lower triangle only, row by row (docs/patchcore.md, "Pipeline
            // load"): half the bytes to store, read and checksum; restored
            // to the full factor, upper part zero, bit for bit.
            "cholesky_packed": Tensor(shape: [p, d * (d + 1) / 2], values: Self.packLower(cholesky, positions: p, d: d)),
        ])
    }

    /// The lower triangles of `p` row-major d×d matrices, each row i's
    /// entries 0…i in turn.
    static func packLower(_ full: [Float], positions p: Int, d: Int) -> [Float] {
        let n = d * (d + 1) / 2
        var out = [Float](repeating: 0, count: p * n)
        full.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { o in
                for pos in 0..<p {
                    var k = pos * n
                    for i in 0..<d {
                        let row = pos * d * d + i * d
                        for j in 0...i { o[k] = f[row + j]; k += 1 }
                    }
                }
            }
        }
        return out
    }

    /// The full row-major d×d matrices (upper part zero) of `packLower`'s
    /// output. Each element is written once (no zero-fill pass first): at a
    /// pipeline's load this is the largest tensor (docs/patchcore.md,
    /// "Pipeline load").
    static func unpackLower(_ packed: [Float], positions p: Int, d: Int) -> [Float] {
        let n = d * (d + 1) / 2
        return packed.withUnsafeBufferPointer { q in
            [Float](unsafeUninitializedCapacity: p * d * d) { o, count in
                LargePages.advise(UnsafeMutableRawPointer(o.baseAddress!), bytes: p * d * d * MemoryLayout<Float>.stride)
                var src = q.baseAddress!
                var dst = o.baseAddress!
                for _ in 0..<p {
                    for i in 0..<d {
                        dst.initialize(from: src, count: i + 1)
                        (dst + i + 1).initialize(repeating: 0, count: d - i - 1)
                        src += i + 1
                        dst += d
                    }
                }
                precondition(src == q.baseAddress! + p * n)
                count = p * d * d
            }
        }
    }

    public init(state: DetectorState) throws {
        try self.init(state: state, backbone: state.loadBackbone())
    }

    public init(state: DetectorState, backbone: Backbone) throws {
        try state.check(kind: Self.kindName, backbone: backbone)
        var c = Config()
        c.stages = try state.stages(of: backbone)
        c.features = try state.value("features") { Int($0) }
        c.seed = try state.value("seed") { UInt64($0) }
        c.sigma = try state.value("sigma") { Float($0) }
        c.regularization = try state.value("regularization") { Float($0) }
        let ch = try state.tensor("channels")
        let d = ch.count
        let mean = try state.tensor("mean")
        guard mean.shape.count == 3, mean.shape[2] == d else { throw DetectorError.tensorLayout(kind: Self.kindName, name: "mean", expected: "shape [H, W, \(d)]") }
        let p = mean.shape[0] * mean.shape[1]
        // The packed lower triangle (states written now), or the full
        // factor (states and pipelines written before it was packed).
        let cholesky: [Float]
        if state.tensors["cholesky_packed"] != nil {
            cholesky = Self.unpackLower(try state.tensor("cholesky_packed", shape: [p, d * (d + 1) / 2]).values,
                                        positions: p, d: d)
        } else {
            cholesky = try state.tensor("cholesky", shape: [p, d, d]).values
        }
        // Channel indices select from the concatenated stages (`embed`):
        // whole numbers below their channel count, checked before any
        // conversion (a NaN or out-of-range Float → Int is undefined here).
        let total = c.stages.map { backbone.stages[$0].channels }.reduce(0, +)
        var channels: [Int] = []
        channels.reserveCapacity(d)
        for v in ch.values {
            guard v >= 0, v < Float(total), let index = Int(exactly: v) else {
                throw DetectorError.tensorLayout(kind: Self.kindName, name: "channels",
                                                 expected: "whole channel indices in 0…\(total - 1), found \(v)")
            }
            channels.append(index)
        }
        self.init(config: c, backbone: backbone, weightsPath: state.config["weights"] ?? "",
                  channels: channels, mean: mean.values, cholesky: cholesky,
                  gridHeight: mean.shape[0], gridWidth: mean.shape[1],
                  imageHeight: try state.value("image_height") { Int($0) },
                  imageWidth: try state.value("image_width") { Int($0) })
    }

    public func apply(_ images: [DetectorImage], progress: StageProgress? = nil) throws -> [[Float]] {
        guard let first = images.first else { return [] }
        var mark = StageClock.now()  // nil unless segad-bench times the stages
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width, stages: config.stages)
        StageClock.lap("padim backbone", &mark)
        var embeddings: [[Float]] = []
        for (i, f) in feats.enumerated() {
            let e = Self.embed(f, channels: channels)
            guard e.h == gridHeight, e.w == gridWidth else {
                throw DetectorError.featureGrid(kind: Self.kindName, index: i, height: e.h, width: e.w, fittedHeight: gridHeight, fittedWidth: gridWidth)
            }
            embeddings.append(e.values)
        }
        StageClock.lap("padim embed", &mark)
        let distances = Self.mahalanobis(batch: embeddings, mean: mean, cholesky: cholesky, positions: gridHeight * gridWidth, d: d)
        StageClock.lap("padim mahalanobis", &mark)
        var maps: [[Float]] = []
        for (i, dist) in distances.enumerated() {
            let (height, width) = (images[i].height, images[i].width)
            let up = MapOps.bilinear(dist, channels: 1, height: gridHeight, width: gridWidth, toHeight: height, toWidth: width)
            maps.append(MapOps.gaussianBlur(up, height: height, width: width, sigma: config.sigma))
            progress?.advance(i + 1)
        }
        StageClock.lap("padim upsample and blur", &mark)
        return maps
    }

    // MARK: - Steps (internal, tested against numpy)

    /// Stages resized (nearest) to the first one's grid, concatenated, the
    /// chosen channels kept: positions × d (row-major).
    static func embed(_ maps: [FeatureMap], channels: [Int]) -> (values: [Float], h: Int, w: Int) {
        let h = maps[0].height, w = maps[0].width, p = h * w
        var all: [Float] = []
        for m in maps {
            all += MapOps.nearest(m.values, channels: m.channels, height: m.height, width: m.width, toHeight: h, toWidth: w)
        }
        let d = channels.count
        var out = [Float](repeating: 0, count: p * d)
        for (j, ch) in channels.enumerated() {
            for i in 0..<p { out[i * d + j] = all[ch * p + i] }
        }
        return (out, h, w)
    }

    /// Per-position means and lower Cholesky factors of the regularized
    /// covariance, from N embeddings (each positions × d). Positions are spread
    /// over the cores. Throws when a covariance is not positive definite.
    static func gaussians(_ e: [[Float]], positions p: Int, d: Int, regularization: Float) throws
        -> (mean: [Float], cholesky: [Float]) {
        let n = e.count
        var sum = [Float](repeating: 0, count: p * d)
        for x in e { for i in 0..<(p * d) { sum[i] += x[i] } }
        let mean = sum.map { $0 / Float(n) }
        let chol = Parallel.Slots<[Float]>(p, empty: [])
        let failed = Parallel.Counter()
        let workers = Parallel.cores
        BLASThreads.with(1) {
            DispatchQueue.concurrentPerform(iterations: workers) { wi in
                var xs = [Float](repeating: 0, count: n * d)
                var pos = wi
                while pos < p {
                    for (k, x) in e.enumerated() {
                        for j in 0..<d { xs[k * d + j] = x[pos * d + j] - mean[pos * d + j] }
                    }
                    var cov = [Float](repeating: 0, count: d * d)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n),
                                1 / Float(n - 1), xs, Int32(d), xs, Int32(d), 0, &cov, Int32(d))
                    for j in 0..<d { cov[j * d + j] += regularization }
                    // Column-major "U" on a symmetric matrix = row-major lower factor L.
                    var info: Int32 = 0
                    var dd = Int32(d)
                    var lda = Int32(d)
                    "U".withCString { u in spotrf_(u, &dd, &cov, &lda, &info) }
                    if info != 0 { _ = failed.increment() }
                    for r in 0..<d { for c in (r + 1)..<d { cov[r * d + c] = 0 } }
                    chol[pos] = cov
                    pos += workers
                }
            }
        }
        if failed.current > 0 { throw DetectorError.notPositiveDefinite(kind: Self.kindName) }
        var flat = [Float]()
        flat.reserveCapacity(p * d * d)
        for i in 0..<p { flat += chol[i] }
        return (mean, flat)
    }

    /// ‖L⁻¹(x − μ)‖ at every position (forward substitution, strsv).
    static func mahalanobis(_ x: [Float], mean: [Float], cholesky: [Float], positions p: Int, d: Int) -> [Float] {
        var out = [Float](repeating: 0, count: p)
        var v = [Float](repeating: 0, count: d)
        x.withUnsafeBufferPointer { xp in
            mean.withUnsafeBufferPointer { mp in
                cholesky.withUnsafeBufferPointer { cp in
                    v.withUnsafeMutableBufferPointer { vp in
                        for pos in 0..<p {
                            out[pos] = distance(xp.baseAddress! + pos * d, mp.baseAddress! + pos * d,
                                                cp.baseAddress! + pos * d * d, d: d, scratch: vp.baseAddress!)
                        }
                    }
                }
            }
        }
        return out
    }

    /// `mahalanobis` of each embedding of a batch, with the same values bit
    /// for bit: the loop runs over positions outside and images inside, so
    /// each position's factor (d² floats; 100 MB for all positions at
    /// 640×256, far beyond any cache) is read from memory once per batch
    /// instead of once per image, and the positions are split over the cores
    /// in contiguous ranges. Every (image, position) pair runs `distance` on
    /// the same operands as `mahalanobis` does, so nothing depends on the
    /// batch or the thread count (docs/patchcore.md, "Per-stage floors").
    static func mahalanobis(batch xs: [[Float]], mean: [Float], cholesky: [Float], positions p: Int, d: Int) -> [[Float]] {
        let n = xs.count
        guard n > 0, p > 0 else { return xs.map { _ in [] } }
        var out = [Float](repeating: 0, count: n * p)
        let workers = min(Parallel.cores, p)
        BLASThreads.with(1) {
            mean.withUnsafeBufferPointer { mp in
                cholesky.withUnsafeBufferPointer { cp in
                    out.withUnsafeMutableBufferPointer { op in
                        // Workers read the batch, the means and the factors and
                        // write only their own positions' slots of `out`.
                        let mean = SharedPointer(mp), factors = SharedPointer(cp), o = SharedPointer(op)
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let v = UnsafeMutablePointer<Float>.allocate(capacity: d)
                            defer { v.deallocate() }
                            for pos in (p * w / workers)..<(p * (w + 1) / workers) {
                                for (k, x) in xs.enumerated() {
                                    o[k * p + pos] = x.withUnsafeBufferPointer { xp in
                                        distance(xp.baseAddress! + pos * d, mean + pos * d, factors + pos * d * d, d: d, scratch: v)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<n).map { Array(out[($0 * p)..<(($0 + 1) * p)]) }
    }

    /// ‖L⁻¹(x − μ)‖ at one position: the difference into `scratch`, forward
    /// substitution by strsv on the row-major lower factor, then the sum of
    /// squares in index order. The one place this arithmetic is written, so
    /// both `mahalanobis` give the same bits.
    @inline(__always)
    static func distance(_ x: UnsafePointer<Float>, _ mu: UnsafePointer<Float>, _ factor: UnsafePointer<Float>,
                         d: Int, scratch v: UnsafeMutablePointer<Float>) -> Float {
        for j in 0..<d { v[j] = x[j] - mu[j] }
        cblas_strsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(d), factor, Int32(d), v, 1)
        var s: Float = 0
        for j in 0..<d { s += v[j] * v[j] }
        return s.squareRoot()
    }
}

// MARK: - Registry (NativeDetector)

extension PaDiM {
    public static let kindName = "padim"
    public static let needsBackbone = true
    public static let fitOptions: [DetectorFitOption] = []
    public static let stateBounds: [StateBound] = [.decimal("regularization", positive: false), .channelCount("features"),
                                                   .channelIndices("channels"), .finiteTensor("mean", rank: 3),
                                                   .finiteTensor("cholesky", rank: 3), .finiteTensor("cholesky_packed", rank: 2)]

    public static func fit(_ images: [DetectorImage], backbone: FittingBackbone?, options: DetectorFitOptions,
                           progress: StageProgress?) throws -> PaDiM {
        guard let backbone else { throw DetectorError.backboneMissing(kind: kindName) }
        var c = Config()
        c.seed = options.seed
        return try fit(images, backbone: backbone.network, weightsPath: backbone.weightsPath, config: c, progress: progress)
    }

    public static func restore(_ state: DetectorState, backbone: Backbone?) throws -> PaDiM {
        try backbone.map { try PaDiM(state: state, backbone: $0) } ?? PaDiM(state: state)
    }
}
