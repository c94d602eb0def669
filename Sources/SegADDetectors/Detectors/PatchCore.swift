import Dispatch
import Foundation
import SegADNative
import SegADKernels
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
///    q·m terms from sgemm (the pruned search of `apply` gives the same
///    values bit for bit; docs/patchcore.md, "Pruned search"); the score grid is resized to the image size
///    (bilinear by default; anomalib's `nearest` on request) and blurred with
///    a Gaussian of σ = 4 (kernel 2⌊4σ+½⌋+1, reflect padding).
///
/// The image score is the maximum of the map.
public struct PatchCore: NativeDetector {
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

    public let config: Config
    public let backbone: Backbone
    /// Path of the backbone weights (kept in the state so `init(state:)` can reload them).
    public let weightsPath: String
    /// Memory bank, `count × dim` row-major.
    public let memoryBank: [Float]
    public let dim: Int
    public let imageHeight: Int
    public let imageWidth: Int
    /// The search `apply` runs (docs/patchcore.md, "Pruned search"); both
    /// give the same bits. The brute force until the pruned one is measured
    /// faster on a quiet machine; SEGAD_NN_SEARCH=pruned picks the pruned one
    /// (docs/patchcore.md, "Diagnostics").
    package var search: NNSearch = ProcessInfo.processInfo.environment["SEGAD_NN_SEARCH"] == "pruned" ? .pruned : .bruteForce
    /// The pruned search's clusters of `memoryBank`, built on first use.
    let searchIndex = SearchIndexCache()

    // MARK: - Fit

    /// Fits on good images (all of one size).
    public static func fit(_ images: [DetectorImage], backbone: Backbone, weightsPath: String,
                           config: Config = Config(), progress: StageProgress? = nil) throws -> PatchCore {
        guard let first = images.first else { throw DetectorError.noTrainingImages(kind: Self.kindName) }
        let input = coresetInput(images, backbone: backbone, config: config, progress: progress)
        let (all, n, c, count) = (input.patches, input.count, input.dim, input.select)
        let coresetProgress = progress.map { _ in
            StageProgress("fit patchcore coreset", total: min(count, n), unit: "centers")
        }
        let picked = kCenterGreedy(all, count: n, dim: c, projection: input.projection, projectedDim: input.projectedDim,
                                   select: count, start: input.start, progress: coresetProgress)
        var bank = [Float](repeating: 0, count: picked.count * c)
        for (i, p) in picked.enumerated() {
            for j in 0..<c { bank[i * c + j] = all[p * c + j] }
        }
        return PatchCore(config: config, backbone: backbone, weightsPath: weightsPath, memoryBank: bank, dim: c,
                         imageHeight: first.height, imageWidth: first.width)
    }

    /// What the greedy coreset selects from, as `fit` prepares it: every
    /// training patch's embedding (`count` rows of `dim`), the seeded sparse
    /// projection, the seeded start and how many centers to select.
    package struct CoresetInput {
        package var patches: [Float]
        package var count: Int
        package var dim: Int
        package var projection: [Float]
        package var projectedDim: Int
        package var start: Int
        package var select: Int
    }

    /// The backbone pass and draws of `fit` before the coreset (shared with
    /// the coreset benchmark and identity test, so they select from exactly
    /// what `fit` does). `images` must not be empty.
    package static func coresetInput(_ images: [DetectorImage], backbone: Backbone, config: Config,
                                     progress: StageProgress? = nil) -> CoresetInput {
        let first = images[0]
        // Peak memory (docs/architecture.md, "PatchCore fit memory"): the
        // normalized inputs and stage maps live only inside this block; the
        // embeddings go straight into `all`, one image at a time.
        var all = [Float]()
        var c = 0
        do {
            let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
            let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width,
                                              stages: config.stages, progress: progress)
            for f in feats {
                let e = embed(f)
                if c == 0 { c = e.c; all.reserveCapacity(feats.count * e.values.count) }
                all += e.values
            }
        }
        let n = all.count / c
        let pd = min(config.projectionDim, c)
        var rng = SplitMix64(seed: config.seed)
        let projection = sparseProjection(inputDim: c, outputDim: pd, using: &rng)
        let start = Int(rng.next() % UInt64(n))
        return CoresetInput(patches: all, count: n, dim: c, projection: projection, projectedDim: pd, start: start,
                            select: max(1, Int(Float(n) * config.coresetRatio)))
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
        try state.check(kind: Self.kindName, backbone: backbone)
        var c = Config()
        c.stages = try state.stages(of: backbone)
        c.coresetRatio = try state.value("coreset_ratio") { Float($0) }
        c.projectionDim = try state.value("projection_dim") { Int($0) }
        c.seed = try state.value("seed") { UInt64($0) }
        c.sigma = try state.value("sigma") { Float($0) }
        c.upsample = try state.value("upsample") { ["bilinear", "nearest"].contains($0) ? $0 : nil }
        let bank = try state.tensor("memory_bank")
        guard bank.shape.count == 2, bank.shape[0] > 0 else { throw DetectorError.tensorLayout(kind: Self.kindName, name: "memory_bank", expected: "2 dimensions") }
        let expected = c.stages.map { backbone.stages[$0].channels }.reduce(0, +)
        guard bank.shape[1] == expected else {
            throw DetectorError.tensorChannels(kind: Self.kindName, name: "memory_bank", channels: bank.shape[1], expected: expected)
        }
        self.init(config: c, backbone: backbone, weightsPath: state.config["weights"] ?? "",
                  memoryBank: bank.values, dim: bank.shape[1],
                  imageHeight: try state.value("image_height") { Int($0) },
                  imageWidth: try state.value("image_width") { Int($0) })
    }

    // MARK: - Apply

    public func apply(_ images: [DetectorImage], progress: StageProgress? = nil) throws -> [[Float]] {
        guard let first = images.first else { return [] }
        var mark = StageClock.now()  // nil unless segad-bench times the stages
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = backbone.forwardBatch(inputs, height: first.height, width: first.width, stages: config.stages)
        StageClock.lap("patchcore backbone", &mark)
        let bankCount = memoryBank.count / dim
        let bankNorms = memoryBank.withUnsafeBufferPointer { Self.squaredNorms($0.baseAddress!, count: bankCount, dim: dim) }
        // Images in batches: one search over the batch's patches keeps both cores busy.
        var maps: [[Float]] = []
        var i0 = 0
        while i0 < feats.count {
            let batch = (i0..<min(feats.count, i0 + 8)).map { Self.embed(feats[$0]) }
            var queries: [Float] = []
            queries.reserveCapacity(batch.reduce(0) { $0 + $1.values.count })
            for e in batch { queries += e.values }
            StageClock.lap("patchcore embed", &mark)
            let (scores, evaluated) = nearestDistances(queries, count: queries.count / dim, bankNorms: bankNorms)
            StageClock.lap(evaluated == nil ? "patchcore nn (brute)" : "patchcore nn (pruned)", &mark)
            var offset = 0
            for (k, e) in batch.enumerated() {
                let p = e.h * e.w
                maps.append(Self.scoreMap(Array(scores[offset..<(offset + p)]), h: e.h, w: e.w,
                                          height: images[i0 + k].height, width: images[i0 + k].width,
                                          sigma: config.sigma, upsample: config.upsample))
                offset += p
                progress?.advance(i0 + k + 1)
            }
            StageClock.lap("patchcore upsample and blur", &mark)
            i0 += batch.count
        }
        return maps
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
    package static func embed(_ maps: [FeatureMap]) -> (values: [Float], h: Int, w: Int, c: Int) {
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
    package static func sparseProjection(inputDim d: Int, outputDim k: Int, using rng: inout SplitMix64) -> [Float] {
        let density = 1 / Float(d).squareRoot()
        let v = (1 / (density * Float(k))).squareRoot()
        return (0..<(d * k)).map { _ in
            let u = Float(rng.next() >> 40) / Float(1 << 24)
            return u < density / 2 ? -v : (u < density ? v : 0)
        }
    }
}

// MARK: - Registry (NativeDetector)

extension PatchCore {
    public static let kindName = "patchcore"
    public static let needsBackbone = true
    public static let fitOptions: [DetectorFitOption] = [.coresetRatio]
    public static let stateBounds: [StateBound] = [.finiteTensor("memory_bank", rank: 2)]

    public static func fit(_ images: [DetectorImage], backbone: FittingBackbone?, options: DetectorFitOptions,
                           progress: StageProgress?) throws -> PatchCore {
        guard let backbone else { throw DetectorError.backboneMissing(kind: kindName) }
        var c = Config()
        c.seed = options.seed
        if let r = options.coresetRatio { c.coresetRatio = r }
        return try fit(images, backbone: backbone.network, weightsPath: backbone.weightsPath, config: c, progress: progress)
    }

    public static func restore(_ state: DetectorState, backbone: Backbone?) throws -> PatchCore {
        try backbone.map { try PatchCore(state: state, backbone: $0) } ?? PatchCore(state: state)
    }
}
