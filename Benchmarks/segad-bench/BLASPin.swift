// segad-bench blas-pin: what the OpenBLAS pin costs (docs/determinism.md;
// BENCHMARKS.md, "The same bits on every CPU").
//
//     segad-bench blas-pin [--size 256] [--images 16] [--fit 40] [--apply 64] [--repeat 3]
//         Side by side in one process, taking turns to go first, round
//         by round: the pinned kernels (Haswell) and the family OpenBLAS
//         itself chose for this CPU when it loaded (Zen, SkylakeX, …; the
//         same code on a Haswell or Zen machine, so there they must tie). Times the
//         backbone (EfficientNet-Lite0 to stage 4, one image at a time, on
//         --images random images at size×size) and the PatchCore and PaDiM
//         apply (fitted once, pinned, on the first --fit good ELPV mono
//         cells; applied to the next --apply cells in batches of 32). Best
//         of --repeat rounds each; prints images/s for both and whether the
//         maps came out bit-identical (they do only when both are one family).
import Foundation
import SegADDetectors
import SegADKernels
internal import CBLASPin

func benchBLASPin(_ args: [String]) throws {
    let size = option(args, "--size", 256), n = option(args, "--images", 16), repeats = option(args, "--repeat", 3)
    let nFit = option(args, "--fit", 40), nApply = option(args, "--apply", 64)
    let pinned = String(cString: segad_blas_core()), native = String(cString: segad_blas_detected_core())
    guard segad_blas_pinned() == 1 else { fail("OpenBLAS is not pinned here (no AVX2 and FMA, or no DYNAMIC_ARCH build): nothing to compare") }
    let net = try EfficientNetLite0(path: weights())
    var rng = SplitMix64(seed: 2)
    let images = (0..<n).map { _ in randomFloats(3 * size * size, &rng) }
    let stages = Backbones.patchCoreStages(net)
    let (fitPaths, rest) = try splitMonoCells(fit: nFit, apply: nApply)
    let fitImages = try fitPaths.map { try DetectorImage.load(path: $0, height: size, width: size) }
    let applyImages = try rest.prefix(nApply).map { try DetectorImage.load(path: $0, height: size, width: size) }
    let detectors: [(String, PixelDetector)] = [
        ("patchcore", try PatchCore.fit(fitImages, backbone: net, weightsPath: weights(), config: PatchCore.Config())),
        ("padim", try PaDiM.fit(fitImages, backbone: net, weightsPath: weights())),
    ]
    let load0 = loadAverage()
    // seconds[core][task], the best round; maps[core][detector] from the last round.
    var best: [String: [String: Double]] = [:]
    var maps: [String: [String: [[Float]]]] = [:]
    for round in 0..<repeats {
        // Each family goes first every other round; the best round counts.
        for core in round % 2 == 0 ? [pinned, native] : [native, pinned] {
            guard segad_blas_select(core) == 1 else { fail("OpenBLAS did not switch to \(core)") }
            _ = net.forward(images[0], height: size, width: size, stages: stages)  // warm-up
            let s = timed { for x in images { _ = net.forward(x, height: size, width: size, stages: stages) } }.1
            best[core, default: [:]]["backbone"] = min(best[core]?["backbone"] ?? .infinity, s)
            for (name, detector) in detectors {
                var out: [[Float]] = []
                let s = try timed {
                    for b in stride(from: 0, to: nApply, by: 32) {
                        out += try detector.apply(Array(applyImages[b..<min(nApply, b + 32)]), progress: nil)
                    }
                }.1
                best[core, default: [:]][name] = min(best[core]?[name] ?? .infinity, s)
                maps[core, default: [:]][name] = out
            }
        }
    }
    guard segad_blas_select(pinned) == 1 else { fail("OpenBLAS did not switch back to \(pinned)") }
    func rate(_ core: String, _ task: String, _ count: Int) -> String { String(format: "%.2f", Double(count) / best[core]![task]!) }
    var line = "RESULT blas-pin pinned=\(pinned) native=\(native) size=\(size) images=\(n) fit=\(nFit) apply=\(nApply) repeat=\(repeats)"
    line += " backbone_images_per_s=\(rate(pinned, "backbone", n))/\(rate(native, "backbone", n))"
    for (name, _) in detectors {
        line += " \(name)_images_per_s=\(rate(pinned, name, nApply))/\(rate(native, name, nApply))"
        line += " \(name)_same_bits=\(maps[pinned]![name]! == maps[native]![name]!)"
    }
    print(line + " load=\(load0)/\(loadAverage())")
}
