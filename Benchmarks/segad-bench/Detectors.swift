// segad-bench patchcore-fit | nn | backbone: the detector benchmarks (see
// BENCHMARKS.md, "PatchCore and the backbone"; scripts/bench/patchcore.sh
// runs them beside their PyTorch counterparts).
//
//     segad-bench patchcore-fit [--images 100] [--size 256] [--width PX] [--ratio 0.1] [--check-plain] [--skip-backbone]
//         Fits PatchCore (EfficientNet-Lite0, stages 2+4) on the first N good
//         ELPV mono cells (labels.csv order) at size×size, as
//         `extract-maps fit --kind patchcore` does; times the whole fit and its
//         backbone part (a separate forward pass first; --skip-backbone skips
//         it, for a peak-RSS measurement of the fit alone). --width makes the
//         cells size×width. --check-plain also runs the plain greedy coreset
//         on the same projected patches and start and checks the selected
//         indices are identical (exits 1 if not).
//     segad-bench nn [--queries 8192] [--bank 10240] [--dim 152]
//         PatchCore's nearest-neighbour search on random data, and sgemm
//         alone on the same M×N×K in the same run, twice: one call on 2
//         threads writing the whole C, and on the search's own tiles (one
//         thread per core); ratio = search rate / the faster of the two.
//     segad-bench nn-pruned [--fit 100] [--images 16] [--size 256] [--width PX] [--ratio 0.1] [--clusters K] [--lloyd N | --no-lloyd]
//         PatchCore's two searches side by side on real patches: fits on the
//         first --fit good ELPV mono cells, embeds the next --images mono
//         cells (good or not) and searches their patches in apply's batches
//         of 8 images, by the brute force and by the pruned search; checks
//         the distances are identical bit for bit (exits 1 if not) and
//         prints both times, the fraction of query–bank values the pruned
//         search evaluated in full, the fraction it tested against the
//         k-dimensional projection bound, and its clusters (--clusters:
//         default ≈ 2√bank; --lloyd: k-means steps, default 4).
//         --export DIR writes the bank (bank.npy, bank × dim), the queries
//         (queries.npy, queries × dim) and the exact nearest distances
//         (nearest.npy) as float32 .npy for scripts/bench/nn_peers.py.
//     segad-bench backbone [--size 256] [--images 16]
//         EfficientNet-Lite0 forward to stage 4 (PatchCore's stages 2+4):
//         images/s one image at a time (both cores through the spinning
//         helper team) and in batches of 8 (one image per core).
//     segad-bench apply [--fit 100] [--images 200] [--size 256] [--ratio 0.1]
//         Fits PatchCore, PaDiM and the golden template on the first --fit
//         good ELPV mono cells, then times each one's apply (the maps of
//         extract-maps' apply stage, in its batches of 32) on the next
//         --images mono cells, good or not: images/s.
//
// Each prints one `RESULT <name> key=value …` line, with the 1-minute load
// average before and after. Weights and ELPV come from .cache (or
// SEGAD_CACHE=DIR).
import Dispatch
import Foundation
import SegADDetectors
import SegADKernels
import SegADNative
internal import COpenBLAS
internal import CConvKernels

func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
    return String(text.split(separator: " ").first ?? "?")
}

func cacheDir() -> String {
    if let d = ProcessInfo.processInfo.environment["SEGAD_CACHE"] { return d }
    return FileManager.default.currentDirectoryPath + "/.cache"
}

func option(_ args: [String], _ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name) else { return fallback }
    guard i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { fail("\(name): expected a positive integer") }
    return v
}

func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let began = ContinuousClock().now
    let r = try body()
    return (r, seconds(since: began))
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
}

func f3(_ x: Double) -> String { String(format: "%.3f", x) }

func randomFloats(_ n: Int, _ rng: inout SplitMix64) -> [Float] {
    (0..<n).map { _ in Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
}

func weights() -> String {
    let path = cacheDir() + "/weights/efficientnet-lite0.pth"
    guard FileManager.default.fileExists(atPath: path) else { fail("\(path): weights not found (run scripts/setup.sh)") }
    return path
}

/// The ELPV mono cells in labels.csv order: (path, good).
func monoCells() throws -> [(path: String, good: Bool)] {
    let root = cacheDir() + "/elpv"
    let labels = try String(contentsOfFile: root + "/labels.csv", encoding: .utf8)
    var cells: [(String, Bool)] = []
    for line in labels.split(separator: "\n") {
        let f = line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        if f.count >= 3, f[2] == "mono" { cells.append((root + "/" + f[0], Double(f[1]) == 0)) }
    }
    return cells
}

func ratioOption(_ args: [String]) -> Float? {
    guard let i = args.firstIndex(of: "--ratio") else { return nil }
    guard i + 1 < args.count, let r = Float(args[i + 1]), r > 0, r <= 1 else { fail("--ratio: expected a number in (0, 1]") }
    return r
}

func benchPatchCoreFit(_ args: [String]) throws {
    let nImages = option(args, "--images", 100), size = option(args, "--size", 256)
    let width = option(args, "--width", size)
    var config = PatchCore.Config()
    if let r = ratioOption(args) { config.coresetRatio = r }
    let good = try monoCells().filter(\.good).map(\.path)
    guard good.count >= nImages else { fail("ELPV labels.csv: \(good.count) good mono cells, --images \(nImages)") }
    let images = try good.prefix(nImages).map { try DetectorImage.load(path: $0, height: size, width: width) }
    let net = try EfficientNetLite0(path: weights())
    let load0 = loadAverage()
    // Warm-up (page in the weights, first-touch allocations).
    _ = net.forwardBatch([net.normalize(images[0].values, channels: images[0].channels, height: size, width: width)],
                         height: size, width: width, stages: config.stages)
    let (_, backboneSeconds) = args.contains("--skip-backbone") ? ((), 0) : timed {
        let inputs = images.map { net.normalize($0.values, channels: $0.channels, height: size, width: width) }
        _ = net.forwardBatch(inputs, height: size, width: width, stages: config.stages)
    }
    let cpu0 = cpuSeconds()
    let (pc, fitSeconds) = try timed {
        try PatchCore.fit(images, backbone: net, weightsPath: weights(), config: config,
                          progress: StageProgress("patchcore-fit", total: images.count, unit: "images"))
    }
    let bankCount = pc.memoryBank.count / pc.dim
    var line = "RESULT patchcore-fit images=\(nImages) size=\(size)\(width == size ? "" : "x\(width)") ratio=\(config.coresetRatio) bank=\(bankCount)"
        + " fit_s=\(f3(fitSeconds)) fit_cpu_s=\(f3(cpuSeconds() - cpu0)) backbone_s=\(f3(backboneSeconds))"
    if args.contains("--check-plain") {
        // The same patches, projection and start as fit, then both selections.
        let input = PatchCore.coresetInput(images, backbone: net, config: config)
        let (all, n, c, count) = (input.patches, input.count, input.dim, input.select)
        let (projection, pd, start) = (input.projection, input.projectedDim, input.start)
        let cpu1 = cpuSeconds()
        let (fast, fastSeconds) = timed {
            PatchCore.kCenterGreedy(all, count: n, dim: c, projection: projection, projectedDim: pd, select: count, start: start)
        }
        let fastCPU = cpuSeconds() - cpu1
        let (plain, plainSeconds) = timed {
            PatchCore.kCenterGreedyPlain(all, count: n, dim: c, projection: projection, projectedDim: pd, select: count, start: start)
        }
        var bank: [Float] = []
        for p in fast { bank += all[(p * c)..<((p + 1) * c)] }
        let identical = fast == plain && bank == pc.memoryBank
        line += " patches=\(n) coreset_s=\(f3(fastSeconds)) coreset_cpu_s=\(f3(fastCPU)) plain_coreset_s=\(f3(plainSeconds)) identical=\(identical)"
        if !identical { print(line + " load=\(load0)/\(loadAverage())"); fail("pruned and plain coresets differ") }
    }
    print(line + " load=\(load0)/\(loadAverage())")
}

func benchNN(_ args: [String]) {
    let q = option(args, "--queries", 8192), m = option(args, "--bank", 10240), d = option(args, "--dim", 152)
    var rng = SplitMix64(seed: 1)
    let queries = randomFloats(q * d, &rng), bank = randomFloats(m * d, &rng)
    let load0 = loadAverage()
    let flops = 2 * Double(q) * Double(m) * Double(d)
    // sgemm alone, 2 threads, the same M×N×K, C written in full.
    segad_openblas_set_threads(Int32(ProcessInfo.processInfo.activeProcessorCount))
    var c = [Float](repeating: 0, count: q * m)
    func gemm() {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(q), Int32(m), Int32(d),
                    -2, queries, Int32(d), bank, Int32(d), 0, &c, Int32(m))
    }
    // sgemm alone on the search's own tiles (queryTile × bankTile × dim,
    // one-threaded, query tiles shared over the cores), C overwritten per tile.
    let qt = PatchCore.queryTile, bt = PatchCore.bankTile
    let cores = ProcessInfo.processInfo.activeProcessorCount
    func tiledGemm() {
        segad_openblas_set_threads(1)
        defer { segad_openblas_set_threads(Int32(cores)) }
        let tiles = (q + qt - 1) / qt
        queries.withUnsafeBufferPointer { qp in
            bank.withUnsafeBufferPointer { bp in
                // Addresses as integers: the workers only read, and both buffers outlive the join.
                let qAddress = Int(bitPattern: qp.baseAddress!), bAddress = Int(bitPattern: bp.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: cores) { w in
                    let qBase = UnsafePointer<Float>(bitPattern: qAddress)!, bBase = UnsafePointer<Float>(bitPattern: bAddress)!
                    let tileC = UnsafeMutablePointer<Float>.allocate(capacity: qt * bt)
                    defer { tileC.deallocate() }
                    for tile in stride(from: w, to: tiles, by: cores) {
                        let q0 = tile * qt, mq = min(qt, q - q0)
                        for b0 in stride(from: 0, to: m, by: bt) {
                            let mb = min(bt, m - b0)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(mq), Int32(mb), Int32(d), -2,
                                        qBase + q0 * d, Int32(d), bBase + b0 * d, Int32(d), 0, tileC, Int32(mb))
                        }
                    }
                }
            }
        }
    }
    gemm()
    var gemmSeconds = Double.infinity, nnSeconds = Double.infinity, tiledSeconds = Double.infinity
    var checksum: Float = 0
    for _ in 0..<5 {
        gemmSeconds = min(gemmSeconds, timed { gemm() }.1)
        tiledSeconds = min(tiledSeconds, timed { tiledGemm() }.1)
        let (r, s) = timed { PatchCore.nearestDistances(queries, count: q, bank: bank, bankCount: m, dim: d) }
        nnSeconds = min(nnSeconds, s)
        checksum = r.reduce(0, +)
    }
    // Check a few rows against a direct computation.
    for i in stride(from: 0, to: q, by: max(1, q / 7)) {
        var bestD = Float.infinity
        for j in 0..<m {
            var s: Float = 0
            for k in 0..<d { let t = queries[i * d + k] - bank[j * d + k]; s += t * t }
            bestD = min(bestD, s)
        }
        let got = PatchCore.nearestDistances(Array(queries[(i * d)..<((i + 1) * d)]), count: 1, bank: bank, bankCount: m, dim: d)[0]
        if abs(got - bestD.squareRoot()) > 1e-3 * max(1, bestD.squareRoot()) { fail("nn: query \(i) distance \(got), direct \(bestD.squareRoot())") }
    }
    let tiledRate = flops / tiledSeconds / 1e9
    let gemmRate = flops / gemmSeconds / 1e9, nnRate = flops / nnSeconds / 1e9
    print("RESULT nn queries=\(q) bank=\(m) dim=\(d) nn_s=\(f3(nnSeconds)) nn_gflops=\(String(format: "%.1f", nnRate))"
          + " sgemm_s=\(f3(gemmSeconds)) sgemm_gflops=\(String(format: "%.1f", gemmRate))"
          + " tiled_sgemm_s=\(f3(tiledSeconds)) tiled_sgemm_gflops=\(String(format: "%.1f", tiledRate))"
          + " ratio=\(String(format: "%.2f", nnRate / max(gemmRate, tiledRate))) checksum=\(checksum) load=\(load0)/\(loadAverage())")
}

/// The first `fit` good mono cells, and every other mono cell (at least `apply`).
func splitMonoCells(fit nFit: Int, apply nApply: Int) throws -> (fit: [String], rest: [String]) {
    let cells = try monoCells()
    let good = cells.filter(\.good).map(\.path)
    guard good.count >= nFit else { fail("ELPV labels.csv: \(good.count) good mono cells, --fit \(nFit)") }
    let fitPaths = Array(good.prefix(nFit))
    let rest = cells.map(\.path).filter { !fitPaths.contains($0) }
    guard rest.count >= nApply else { fail("ELPV labels.csv: \(rest.count) other mono cells, --images \(nApply)") }
    return (fitPaths, rest)
}

func benchNNPruned(_ args: [String]) throws {
    let nFit = option(args, "--fit", 100), nApply = option(args, "--images", 16), size = option(args, "--size", 256)
    let width = option(args, "--width", size)
    var config = PatchCore.Config()
    if let r = ratioOption(args) { config.coresetRatio = r }
    let (fitPaths, rest) = try splitMonoCells(fit: nFit, apply: nApply)
    let net = try EfficientNetLite0(path: weights())
    let fitImages = try fitPaths.map { try DetectorImage.load(path: $0, height: size, width: width) }
    let pc = try PatchCore.fit(fitImages, backbone: net, weightsPath: weights(), config: config)
    let (bank, dim) = (pc.memoryBank, pc.dim)
    let bankCount = bank.count / dim
    let norms = bank.withUnsafeBufferPointer { PatchCore.squaredNorms($0.baseAddress!, count: bankCount, dim: dim) }
    // Queries as apply forms them: the patches of 8 images at a time.
    var batches: [[Float]] = []
    for b in stride(from: 0, to: nApply, by: 8) {
        let images = try rest[b..<min(nApply, b + 8)].map { try DetectorImage.load(path: $0, height: size, width: width) }
        let inputs = images.map { net.normalize($0.values, channels: $0.channels, height: size, width: width) }
        batches.append(net.forwardBatch(inputs, height: size, width: width, stages: config.stages).flatMap { PatchCore.embed($0).values })
    }
    let queries = batches.reduce(0) { $0 + $1.count / dim }
    let clusters = args.contains("--clusters") ? option(args, "--clusters", 1) : nil
    let lloyd = args.contains("--lloyd") ? option(args, "--lloyd", 1) : (args.contains("--no-lloyd") ? 0 : 4)
    let load0 = loadAverage()
    let (index, indexSeconds) = timed { PatchCore.SearchIndex(bank: bank, bankCount: bankCount, dim: dim, clusters: clusters, lloydSteps: lloyd) }
    // The replay maps are measured on first use: once, before the timed runs.
    let (_, mapSeconds) = timed {
        for q in batches {
            _ = PatchCore.nearestDistancesPruned(q, count: q.count / dim, bank: bank, bankNorms: norms, bankCount: bankCount,
                                                 dim: dim, index: index)
        }
    }
    var bruteSeconds = Double.infinity, prunedSeconds = Double.infinity
    var evaluated = 0, bounded = 0
    var identical = true
    for _ in 0..<2 {
        var brute: [[Float]] = [], pruned: [[Float]] = []
        bruteSeconds = min(bruteSeconds, timed {
            for q in batches {
                brute.append(PatchCore.nearestDistances(q, count: q.count / dim, bank: bank, bankNorms: norms, bankCount: bankCount, dim: dim))
            }
        }.1)
        evaluated = 0; bounded = 0
        prunedSeconds = min(prunedSeconds, timed {
            for q in batches {
                guard let r = PatchCore.nearestDistancesPruned(q, count: q.count / dim, bank: bank, bankNorms: norms,
                                                               bankCount: bankCount, dim: dim, index: index) else {
                    fail("nn-pruned: the pruned search declined (no replay map for this BLAS): apply runs the brute force here")
                }
                pruned.append(r.distances)
                evaluated += r.evaluated
                bounded += r.bounded
            }
        }.1)
        identical = identical && zip(brute, pruned).allSatisfy { $0.map(\.bitPattern) == $1.map(\.bitPattern) }
    }
    if let i = args.firstIndex(of: "--export") {
        guard i + 1 < args.count else { fail("--export: expected a folder") }
        let dir = args[i + 1]
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let all = batches.flatMap { $0 }
        let nearest = PatchCore.nearestDistances(all, count: queries, bank: bank, bankNorms: norms, bankCount: bankCount, dim: dim)
        try NPY.write(bank, shape: [bankCount, dim], to: dir + "/bank.npy")
        try NPY.write(all, shape: [queries, dim], to: dir + "/queries.npy")
        try NPY.write(nearest, shape: [queries], to: dir + "/nearest.npy")
    }
    let line = "RESULT nn-pruned fit=\(nFit) images=\(nApply) size=\(size)\(width == size ? "" : "x\(width)") bank=\(bankCount) dim=\(dim)"
        + " queries=\(queries) clusters=\(index.clusters) lloyd=\(lloyd) fraction_evaluated=\(String(format: "%.4f", Double(evaluated) / Double(queries * bankCount)))"
        + " fraction_projected=\(String(format: "%.4f", Double(bounded) / Double(queries * bankCount))) projection_k=\(index.projectionDim)"
        + " center_distances_per_query=\(index.clusters) brute_s=\(f3(bruteSeconds)) pruned_s=\(f3(prunedSeconds))"
        + " speedup=\(String(format: "%.2f", bruteSeconds / prunedSeconds)) index_s=\(f3(indexSeconds)) first_run_s=\(f3(mapSeconds))"
        + " identical=\(identical) load=\(load0)/\(loadAverage())"
    print(line)
    if !identical { fail("pruned and brute-force distances differ") }
}

func benchBackbone(_ args: [String]) throws {
    let size = option(args, "--size", 256), n = option(args, "--images", 16), repeats = option(args, "--repeat", 3)
    let net = try EfficientNetLite0(path: weights())
    var rng = SplitMix64(seed: 2)
    let images = (0..<n).map { _ in randomFloats(3 * size * size, &rng) }
    let stages = Backbones.patchCoreStages(net)
    let load0 = loadAverage()
    _ = net.forward(images[0], height: size, width: size, stages: stages)
    segad_openblas_set_threads(Int32(ProcessInfo.processInfo.activeProcessorCount))
    // The best of `--repeat` passes over the images, each batch size (the
    // PyTorch counterpart, scripts/bench/torch_patchcore.py, does the same).
    var s1 = Double.infinity, s8 = Double.infinity
    for _ in 0..<repeats {
        s1 = min(s1, timed { for x in images { _ = net.forward(x, height: size, width: size, stages: stages) } }.1)
        s8 = min(s8, timed {
            for b in stride(from: 0, to: n, by: 8) {
                _ = net.forwardBatch(Array(images[b..<min(n, b + 8)]), height: size, width: size, stages: stages)
            }
        }.1)
    }
    print("RESULT backbone size=\(size) images=\(n) repeat=\(repeats) stages=\(stages.map(String.init).joined(separator: "+"))"
          + " batch1_images_per_s=\(String(format: "%.2f", Double(n) / s1))"
          + " batch8_images_per_s=\(String(format: "%.2f", Double(n) / s8))"
          + " depthwise_isa=\(String(cString: segad_depthwise_isa())) load=\(load0)/\(loadAverage())")
}

func benchApply(_ args: [String]) throws {
    let nFit = option(args, "--fit", 100), nApply = option(args, "--images", 200), size = option(args, "--size", 256)
    let (fitPaths, rest) = try splitMonoCells(fit: nFit, apply: nApply)
    let fitImages = try fitPaths.map { try DetectorImage.load(path: $0, height: size, width: size) }
    let applyImages = try rest.prefix(nApply).map { try DetectorImage.load(path: $0, height: size, width: size) }
    let net = try EfficientNetLite0(path: weights())
    var pcConfig = PatchCore.Config()
    if let r = ratioOption(args) { pcConfig.coresetRatio = r }
    let detectors: [(String, PixelDetector)] = [
        ("patchcore", try PatchCore.fit(fitImages, backbone: net, weightsPath: weights(), config: pcConfig)),
        ("padim", try PaDiM.fit(fitImages, backbone: net, weightsPath: weights())),
        ("golden-template", try GoldenTemplate.fit(fitImages)),
    ]
    let load0 = loadAverage()
    var line = "RESULT apply fit=\(nFit) images=\(nApply) size=\(size)"
    for (name, detector) in detectors {
        _ = try detector.apply(Array(applyImages.prefix(2)), progress: nil)  // warm-up
        // In batches of 32, as extract-maps' apply stage hands them over.
        let (_, s) = try timed {
            for b in stride(from: 0, to: nApply, by: 32) { _ = try detector.apply(Array(applyImages[b..<min(nApply, b + 32)]), progress: nil) }
        }
        line += " \(name)_images_per_s=\(String(format: "%.2f", Double(nApply) / s))"
    }
    print(line + " load=\(load0)/\(loadAverage())")
}
