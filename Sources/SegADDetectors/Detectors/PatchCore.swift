import Dispatch
import Foundation
import SegADNative
internal import COpenBLAS

/// PatchCore (Roth et al., CVPR 2022) as anomalib computes it:
///
/// 1. Each requested backbone stage is smoothed by 3×3 average pooling
///    (stride 1, zero padding 1, count_include_pad); the coarser stages are
///    resized bilinearly (align_corners=False) to the first stage's grid and
///    all are concatenated along channels: one C-dimensional embedding per
///    patch position.
/// 2. Fit: the embeddings of all good images form the patch set; a greedy
///    k-center coreset of ⌊ratio·N⌋ patches is kept as the memory bank. The
///    selection works on a seeded sparse random projection of the embeddings:
///    from a random start, repeatedly take the patch farthest (Euclidean) from
///    all chosen so far (the start itself only seeds the distances, as in
///    anomalib's KCenterGreedy).
/// 3. Apply: each patch's score is its Euclidean distance to the nearest
///    memory-bank entry, computed as √max(‖q‖² + ‖m‖² − 2q·m, 0) with the
///    q·m terms from sgemm; the score grid is resized to the image size
///    (bilinear by default; anomalib's `nearest` on request) and blurred with
///    a Gaussian of σ = 4 (kernel 2⌊4σ+½⌋+1, reflect padding).
///
/// The image score is the maximum of the map.
public struct PatchCore: PixelDetector {
    public struct Config: Sendable, Equatable {
        public var stages: [Int] = [2, 4]
        public var coresetRatio: Float = 0.1
        public var projectionDim: Int = 128
        public var seed: UInt64 = 0
        public var sigma: Float = 4
        /// "bilinear" or "nearest".
        public var upsample: String = "bilinear"
        public init() {}
    }

    public let kind = "patchcore"
    public let config: Config
    public let backbone: Backbone
    /// Path of the backbone weights (kept in the state so `init(state:)` can reload them).
    public let weightsPath: String
    /// Memory bank, `count × dim` row-major.
    public let memoryBank: [Float]
    public let dim: Int
    public let imageHeight: Int
    public let imageWidth: Int

    // MARK: - Fit

    /// Fits on good images (all of one size).
    public static func fit(_ images: [DetectorImage], backbone: Backbone, weightsPath: String,
                           config: Config = Config(), progress: StageProgress? = nil) throws -> PatchCore {
        guard let first = images.first else { throw InputError("patchcore", "no training images") }
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width,
                                          stages: config.stages, progress: progress)
        let embedded = feats.map { embed($0) }
        let c = embedded[0].c
        var all = [Float]()
        all.reserveCapacity(embedded.count * embedded[0].values.count)
        for e in embedded { all += e.values }
        let n = all.count / c
        let pd = min(config.projectionDim, c)
        var rng = SplitMix64(seed: config.seed)
        let projection = sparseProjection(inputDim: c, outputDim: pd, using: &rng)
        let start = Int(rng.next() % UInt64(n))
        let count = max(1, Int(Float(n) * config.coresetRatio))
        let picked = kCenterGreedy(all, count: n, dim: c, projection: projection, projectedDim: pd,
                                   select: count, start: start)
        var bank = [Float](repeating: 0, count: picked.count * c)
        for (i, p) in picked.enumerated() {
            for j in 0..<c { bank[i * c + j] = all[p * c + j] }
        }
        return PatchCore(config: config, backbone: backbone, weightsPath: weightsPath, memoryBank: bank, dim: c,
                         imageHeight: first.height, imageWidth: first.width)
    }

    init(config: Config, backbone: Backbone, weightsPath: String, memoryBank: [Float], dim: Int,
         imageHeight: Int, imageWidth: Int) {
        self.config = config
        self.backbone = backbone
        self.weightsPath = weightsPath
        self.memoryBank = memoryBank
        self.dim = dim
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
    }

    // MARK: - State

    public func state() -> DetectorState {
        DetectorState(kind: kind, config: [
            "backbone": backbone.name, "weights": weightsPath,
            "stages": config.stages.map(String.init).joined(separator: ","),
            "coreset_ratio": "\(config.coresetRatio)", "projection_dim": "\(config.projectionDim)",
            "seed": "\(config.seed)", "sigma": "\(config.sigma)", "upsample": config.upsample,
            "image_height": "\(imageHeight)", "image_width": "\(imageWidth)",
        ], tensors: ["memory_bank": Tensor(shape: [memoryBank.count / dim, dim], values: memoryBank)])
    }

    /// Restores a fitted PatchCore; the backbone is loaded by the name and weights path in the state.
    public init(state: DetectorState) throws {
        try self.init(state: state, backbone: state.loadBackbone())
    }

    /// Restores a fitted PatchCore with an already loaded backbone.
    public init(state: DetectorState, backbone: Backbone) throws {
        try state.check(kind: "patchcore", backbone: backbone)
        var c = Config()
        c.stages = try state.stages()
        c.coresetRatio = try state.value("coreset_ratio") { Float($0) }
        c.projectionDim = try state.value("projection_dim") { Int($0) }
        c.seed = try state.value("seed") { UInt64($0) }
        c.sigma = try state.value("sigma") { Float($0) }
        c.upsample = try state.value("upsample") { ["bilinear", "nearest"].contains($0) ? $0 : nil }
        let bank = try state.tensor("memory_bank")
        guard bank.shape.count == 2, bank.shape[0] > 0 else { throw InputError("patchcore state", "tensor memory_bank: expected 2 dimensions") }
        let expected = c.stages.map { backbone.stages[$0].channels }.reduce(0, +)
        guard bank.shape[1] == expected else {
            throw InputError("patchcore state", "tensor memory_bank: \(bank.shape[1]) channels, backbone stages give \(expected)")
        }
        self.init(config: c, backbone: backbone, weightsPath: state.config["weights"] ?? "",
                  memoryBank: bank.values, dim: bank.shape[1],
                  imageHeight: try state.value("image_height") { Int($0) },
                  imageWidth: try state.value("image_width") { Int($0) })
    }

    // MARK: - Apply

    public func apply(_ images: [DetectorImage], progress: StageProgress? = nil) throws -> [[Float]] {
        guard let first = images.first else { return [] }
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width, stages: config.stages)
        var maps: [[Float]] = []
        for (i, f) in feats.enumerated() {
            maps.append(map(embedding: Self.embed(f), height: images[i].height, width: images[i].width))
            progress?.advance(i + 1)
        }
        return maps
    }

    /// The anomaly map of one embedded image.
    func map(embedding e: (values: [Float], h: Int, w: Int, c: Int), height: Int, width: Int) -> [Float] {
        let scores = Self.nearestDistances(e.values, count: e.h * e.w, bank: memoryBank,
                                           bankCount: memoryBank.count / dim, dim: dim)
        return Self.scoreMap(scores, h: e.h, w: e.w, height: height, width: width,
                             sigma: config.sigma, upsample: config.upsample)
    }

    static func scoreMap(_ scores: [Float], h: Int, w: Int, height: Int, width: Int, sigma: Float, upsample: String) -> [Float] {
        let up = upsample == "nearest"
            ? MapOps.nearest(scores, channels: 1, height: h, width: w, toHeight: height, toWidth: width)
            : MapOps.bilinear(scores, channels: 1, height: h, width: w, toHeight: height, toWidth: width)
        return MapOps.gaussianBlur(up, height: height, width: width, sigma: sigma)
    }

    // MARK: - Steps (internal, tested against numpy)

    /// Pools each stage, resizes stages after the first to its grid, concatenates
    /// channels; returns the embedding as positions × channels (row-major).
    static func embed(_ maps: [FeatureMap]) -> (values: [Float], h: Int, w: Int, c: Int) {
        let h = maps[0].height, w = maps[0].width
        var channelsFirst: [Float] = []
        var c = 0
        for m in maps {
            let pooled = MapOps.averagePool3x3(m.values, channels: m.channels, height: m.height, width: m.width)
            channelsFirst += MapOps.bilinear(pooled, channels: m.channels, height: m.height, width: m.width,
                                             toHeight: h, toWidth: w)
            c += m.channels
        }
        let p = h * w
        var out = [Float](repeating: 0, count: p * c)
        for ch in 0..<c {
            for i in 0..<p { out[i * c + ch] = channelsFirst[ch * p + i] }
        }
        return (out, h, w, c)
    }

    /// A sparse random projection (Li, Hastie & Church 2006): each entry is
    /// ±√(1/(density·k)) with probability density/2 each, else 0, with
    /// density 1/√d. Shape d × k, row-major.
    static func sparseProjection(inputDim d: Int, outputDim k: Int, using rng: inout SplitMix64) -> [Float] {
        let density = 1 / Float(d).squareRoot()
        let v = (1 / (density * Float(k))).squareRoot()
        return (0..<(d * k)).map { _ in
            let u = Float(rng.next() >> 40) / Float(1 << 24)
            return u < density / 2 ? -v : (u < density ? v : 0)
        }
    }

    /// Greedy k-center selection of `select` rows of x (count × dim), measured
    /// after projecting x by `projection` (dim × projectedDim); see the type's
    /// doc. Returns the selected row indices in order. O(count·pd·select).
    static func kCenterGreedy(_ x: [Float], count n: Int, dim: Int, projection: [Float]?, projectedDim pd: Int,
                              select: Int, start: Int) -> [Int] {
        var z: [Float]
        let d: Int
        if let proj = projection {
            z = [Float](repeating: 0, count: n * pd)
            d = pd
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(pd), Int32(dim),
                        1, x, Int32(dim), proj, Int32(pd), 0, &z, Int32(pd))
        } else {
            z = x; d = dim
        }
        var minDist = [Float](repeating: .infinity, count: n)
        var picked: [Int] = []
        picked.reserveCapacity(select)
        let workers = Parallel.cores
        let chunk = (n + workers - 1) / workers
        var center = start
        let best = Parallel.Slots<(Float, Int)>(workers, empty: (-1, 0))
        z.withUnsafeBufferPointer { zp in
            minDist.withUnsafeMutableBufferPointer { mp in
                let zb = zp.baseAddress!, mb = mp.baseAddress!
                for _ in 0..<min(select, n) {
                    let c = zb + center * d
                    DispatchQueue.concurrentPerform(iterations: workers) { wi in
                        let lo = wi * chunk, hi = min(n, lo + chunk)
                        var bv: Float = -1, bi = lo
                        var i = lo
                        while i < hi {
                            let row = zb + i * d
                            var s: Float = 0
                            for j in 0..<d { let t = row[j] - c[j]; s += t * t }
                            let m = min(mb[i], s)
                            mb[i] = m
                            if m > bv { bv = m; bi = i }
                            i += 1
                        }
                        best[wi] = (bv, bi)
                    }
                    var bv: Float = -1, bi = 0
                    for wi in 0..<workers where best[wi].0 > bv { bv = best[wi].0; bi = best[wi].1 }
                    mb[bi] = 0
                    picked.append(bi)
                    center = bi
                }
            }
        }
        return picked
    }

    /// For each of `count` query rows (count × dim), the Euclidean distance to
    /// its nearest bank row: √max(‖q‖² + ‖m‖² − 2q·m, 0), the cross terms by
    /// sgemm over bank blocks of 4096 rows. O(count·bankCount·dim).
    static func nearestDistances(_ q: [Float], count: Int, bank: [Float], bankCount: Int, dim: Int) -> [Float] {
        let qn = (0..<count).map { i in (0..<dim).reduce(Float(0)) { $0 + q[i * dim + $1] * q[i * dim + $1] } }
        let bn = (0..<bankCount).map { i in (0..<dim).reduce(Float(0)) { $0 + bank[i * dim + $1] * bank[i * dim + $1] } }
        var best = [Float](repeating: .infinity, count: count)
        let block = 4096
        var prod = [Float](repeating: 0, count: count * min(block, bankCount))
        var b0 = 0
        while b0 < bankCount {
            let nb = min(block, bankCount - b0)
            bank.withUnsafeBufferPointer { bp in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(nb), Int32(dim),
                            -2, q, Int32(dim), bp.baseAddress! + b0 * dim, Int32(dim), 0, &prod, Int32(nb))
            }
            prod.withUnsafeBufferPointer { pp in
                for i in 0..<count {
                    var m = best[i] - qn[i]
                    let row = pp.baseAddress! + i * nb
                    for j in 0..<nb { m = min(m, row[j] + bn[b0 + j]) }
                    best[i] = m + qn[i]
                }
            }
            b0 += nb
        }
        return best.map { max($0, 0).squareRoot() }
    }
}
