import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// The three regimes of `make images` (docs/regimes.md), chosen from the
/// number of bad images in the folder:
///
/// - `goodOnly` (no bad image): SegAD trains on held-out good images against
///   synthetic defects placed by segment (the one-class protocol of
///   `vad-oneclass`); its test rows are held-out good images and synthetic
///   defects made from them.
/// - `fewBad` (fewer than `make images`' FEW_BAD): the real bad images join
///   the synthetic ones (the paper's low-shot protocol); each seed tests
///   ⌈n·test-fraction⌉ of the n real bad images (repeated stratified splits).
/// - `supervised` (enough bad images): the split of `ImagesManifest.split`,
///   unchanged.
public enum ImagesRegime: String, CaseIterable, Sendable {
    case goodOnly = "good-only"
    case fewBad = "few-bad"
    case supervised

    /// Good images each seed needs to train SegAD in the good-only and
    /// few-bad regimes: one per fold of save-pipeline's 5-fold out-of-fold
    /// scores, each beside its synthetic defect.
    public static let minTrainGood = 5
    /// Held-out good images each seed needs (the operating point and the
    /// false-alarm rate are measured on them).
    public static let minHeldOutGood = 2

    /// Tag of a synthetic defect's manifest item.
    public static let syntheticTag = "synthetic"
    /// The id of the synthetic defect made from good image `id`.
    public static func syntheticId(of id: String) -> String { "synthetic_" + id }

    /// The roles of every seed in the good-only and few-bad regimes. The
    /// detector pool and the good images' split are those of the supervised
    /// rule (a hash of the id and the seed, docs/manifest.md); the real bad
    /// images are split per seed by rank: ordered by unit("S:ID"), the first
    /// ⌈n·testFraction⌉ are `test`, the rest `segad-train` (one bad image is
    /// always tested, so every seed measures a real defect).
    static func split(regime: ImagesRegime, good: [String], bad: [String], uncertain: [String], seeds: [Int],
                      pool: [String], poolFraction: Double, testFraction: Double,
                      fixed: [String: ImagesManifest.FixedRole] = [:], minimumPool: Int = 1,
                      source: (good: String, bad: String)) throws -> [Int: [Manifest.Role: [String]]] {
        guard !good.isEmpty else { throw ImagesManifestError.noImages(source.good, label: "good") }
        switch regime {
        case .goodOnly where !bad.isEmpty, .fewBad where bad.isEmpty, .supervised:
            throw ImagesManifestError.regimeMismatch(source.bad, regime: regime.rawValue, bad: bad.count)
        default: break
        }
        // The pool: the kept pool file's ids or the hash rule's draw
        // (ImagesManifest.pool), the same as in the supervised regime.
        try ImagesManifest.checkPool(pool, good: good.count, poolFraction: poolFraction, minimumPool: minimumPool, source: source.good)
        let inPool = Set(pool)
        let others = good.filter { !inPool.contains($0) }
        var result: [Int: [Manifest.Role: [String]]] = [:]
        for seed in seeds {
            func isTest(_ id: String) -> Bool {
                fixed[id].map { $0 == .test } ?? (ImagesManifest.unit("\(seed):\(id)") < testFraction)
            }
            let gTest = others.filter(isTest), gTrain = others.filter { !isTest($0) }
            guard gTrain.count >= minTrainGood, gTest.count >= minHeldOutGood else {
                throw ImagesManifestError.tooFewGoodForRegime(source.good, regime: regime.rawValue, good: good.count,
                                                             pool: pool.count, seed: seed, train: gTrain.count, heldOut: gTest.count)
            }
            let nTest = min(bad.count, Int((testFraction * Double(bad.count) - 1e-9).rounded(.up)))
            let ranked = bad.sorted { ImagesManifest.unit("\(seed):\($0)") < ImagesManifest.unit("\(seed):\($1)") }
            let tested = Set(ranked.prefix(max(bad.isEmpty ? 0 : 1, nTest)))
            // A CSV's split column fixes a bad row's role as it fixes a good row's.
            func badIsTest(_ id: String) -> Bool { fixed[id].map { $0 == .test } ?? tested.contains(id) }
            let bTest = bad.filter(badIsTest), bTrain = bad.filter { !badIsTest($0) }
            result[seed] = [.detectorTrain: pool, .segadTrain: gTrain + bTrain, .test: gTest + bTest + uncertain]
        }
        return result
    }
}

/// `build-dataset images-synthetic`: one synthetic defect on every good
/// image outside the detector pool, and the regime's manifest — the base
/// manifest plus those defects as bad items tagged `synthetic`.
///
/// Per seed, a good image's defect takes the image's own role: the defect of
/// a `segad-train` image joins `segad-train`; the defect of a `test` (held-out)
/// image joins `test` in the good-only regime (the synthetic-defect AUROC)
/// and is left out in the few-bad regime (real defects are tested). So a test
/// image never becomes training data, in any form.
///
/// The defect is `SyntheticDefects.apply` (the `vad-oneclass` code: a blur
/// or a thin gray rectangle in a random segment or part of one), drawn from
/// a numpy-compatible `RandomState` seeded by the image's id alone (the
/// first 4 bytes of SHA-256("synthetic:ID"), big-endian), so adding images to
/// the folder leaves every earlier image's defect as it was.
public enum ImagesSynthetic {
    public struct Options {
        /// The base manifest (`images-manifest --regime good-only|few-bad`).
        public var manifest: String
        /// The static label map (derived or drawn), gray values are labels.
        public var segmentation: String
        public var segments: Int
        public var regime: ImagesRegime
        /// Folder of the synthetic PNGs.
        public var imagesOut: String
        /// The regime's manifest to write.
        public var output: String
        public init(manifest: String, segmentation: String, segments: Int, regime: ImagesRegime, imagesOut: String, output: String) {
            self.manifest = manifest; self.segmentation = segmentation; self.segments = segments; self.regime = regime
            self.imagesOut = imagesOut; self.output = output
        }
    }

    /// The fewest pixels a segment must cover in the label map for a
    /// synthetic defect: 0.1% of the map, at least 16 (a 4×4 patch). A
    /// smaller segment gives a defect of a few pixels, which a blur often
    /// leaves unchanged and which teaches SegAD nothing.
    public static func minSegmentPixels(height: Int, width: Int) -> Int {
        max(16, Int((Double(height * width) * 0.001).rounded(.up)))
    }

    /// Refuses a label map with a present segment smaller than `minSegmentPixels`.
    public static func checkSegments(_ labels: [UInt8], height: Int, width: Int, path: String) throws {
        var counts = [Int](repeating: 0, count: 256)
        for l in labels { counts[Int(l)] += 1 }
        let need = minSegmentPixels(height: height, width: width)
        if let small = counts.indices.first(where: { counts[$0] > 0 && counts[$0] < need }) {
            throw InputError(path, "segment \(small) covers \(counts[small]) pixels of the \(height)x\(width) map; a synthetic defect needs a segment of at least \(need) pixels (0.1% of the map, at least 16): lower SEGMENTS or draw a label map without tiny segments")
        }
    }

    /// The image's own random stream: RandomState(first 4 bytes of SHA-256("synthetic:ID")).
    public static func randomState(id: String) -> RandomState {
        var sha = SHA256()
        sha.update(Array("synthetic:\(id)".utf8))
        let d = sha.finalize()
        return RandomState(seed: d.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    public static func run(_ o: Options) throws {
        guard o.regime != .supervised else { throw InputError("--regime", "synthetic defects are for the good-only and few-bad regimes") }
        let base = try Manifest.load(path: o.manifest)
        let (labelMap, lh, lw) = try VADSegmentation.labels(of: o.segmentation, segments: o.segments)
        try checkSegments(labelMap, height: lh, width: lw, path: o.segmentation)
        let seeds = base.seedList
        let pool = Set(seeds.flatMap { base.ids(.detectorTrain, seed: $0) })
        let index = base.index
        // Every good image outside the pool that some seed trains on or holds out.
        let used = Set(seeds.flatMap { base.ids(.segadTrain, seed: $0) + base.ids(.test, seed: $0) })
        let sources = base.items.filter { $0.label == .good && !pool.contains($0.id) && used.contains($0.id) }

        let fm = FileManager.default
        try fm.createDirectory(atPath: o.imagesOut, withIntermediateDirectories: true)
        let manifestFolder = (o.output as NSString).deletingLastPathComponent
        let relativeFolder = ELPVManifest.relativePath(from: manifestFolder.isEmpty ? "." : manifestFolder, to: o.imagesOut)
        var synthetic: [ManifestItem] = []
        let progress = StageProgress("images-synthetic", total: sources.count, unit: "images")
        for item in sources {
            guard let image = item.image else { throw InputError(o.manifest, "item '\(item.id)' names no image") }
            let path = base.resolve(image)
            let png = try SyntheticDefects.readImage(path)
            let labels = VADSegmentation.nearest(labelMap, height: lh, width: lw, toHeight: png.height, toWidth: png.width)
            var rng = randomState(id: item.id)
            let (out, _, _) = try SyntheticDefects.apply(png, labels: labels, rng: &rng, path: path)
            let id = ImagesRegime.syntheticId(of: item.id)
            let file = id + ".png"
            let target = (o.imagesOut as NSString).appendingPathComponent(file)
            let tmp = target + ".tmp-\(getpid())"
            TemporaryLock.claim(tmp)
            defer { TemporaryLock.release(tmp) }
            try SyntheticDefects.write(out, to: tmp)
            guard rename(tmp, target) == 0 else { unlink(tmp); throw InputError(target, "cannot move file into place") }
            synthetic.append(ManifestItem(id: id, label: .bad, image: ELPVManifest.join(relativeFolder, file),
                                          tags: [ImagesRegime.syntheticTag]))
            progress.advance()
        }
        let known = Set(synthetic.map(\.id))
        if let clash = base.items.first(where: { known.contains($0.id) }) {
            throw InputError(o.manifest, "item '\(clash.id)' takes the id of a synthetic defect; rename its file")
        }

        // Each defect follows its source image's role, seed by seed.
        var roles: [Int: [Manifest.Role: [String]]] = [:]
        for seed in seeds {
            var r = base.seeds[seed]!
            let train = r[.segadTrain] ?? [], test = r[.test] ?? []
            let trainSyn = train.filter { index[$0].map { base.items[$0].label == .good } ?? false && !pool.contains($0) }
                .map(ImagesRegime.syntheticId)
            r[.segadTrain] = train + trainSyn
            if o.regime == .goodOnly {
                let goodTest = test.filter { index[$0].map { base.items[$0].label == .good } ?? false }
                let rest = test.filter { !(index[$0].map { base.items[$0].label == .good } ?? false) }
                r[.test] = goodTest + goodTest.map(ImagesRegime.syntheticId) + rest
            }
            roles[seed] = r
        }
        let manifest = Manifest(name: base.name, className: base.className, items: base.items + synthetic, seeds: roles,
                                root: base.root, path: o.output)
        try ELPVManifest.writeAtomically(try manifest.jsonData() + Data("\n".utf8), to: o.output)
        _ = try Manifest.load(path: o.output)
        let per = seeds.first.map { roles[$0]! }
        FileHandle.standardError.write(Data(("images-synthetic: \(synthetic.count) synthetic defects (\(o.regime.rawValue)) → \(o.imagesOut); "
            + "seed \(seeds.first ?? 0): \(per?[.segadTrain]?.count ?? 0) segad-train, \(per?[.test]?.count ?? 0) test → \(o.output)\n").utf8))
    }
}
