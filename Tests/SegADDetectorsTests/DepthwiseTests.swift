import XCTest
import SegADKernels
@testable import SegADDetectors

/// The fused depthwise kernel against the plain definition, and the forward
/// pass's independence of its thread count.
final class DepthwiseTests: XCTestCase {
    /// relu6(b + Σ_{ky,kx} w·relu6(x)) with TF "SAME" padding, written as the
    /// definition: taps outside the input skipped, the rest added from the
    /// bias in the order ky, kx — the order the kernel promises, so the
    /// results must be equal, not just close.
    func naive(_ x: [Float], channels: Int, h: Int, w: Int, weight: [Float], bias: [Float], k: Int, s: Int)
        -> (values: [Float], oh: Int, ow: Int) {
        let (oh, pt) = ConvOps.same(h, kernel: k, stride: s), (ow, pl) = ConvOps.same(w, kernel: k, stride: s)
        var y = [Float](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var acc = bias[c]
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * s + ky - pt, ix = ox * s + kx - pl
                            guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                            acc += weight[(c * k + ky) * k + kx] * min(max(x[(c * h + iy) * w + ix], 0), 6)
                        }
                    }
                    y[(c * oh + oy) * ow + ox] = min(max(acc, 0), 6)
                }
            }
        }
        return (y, oh, ow)
    }

    func testFusedDepthwiseEqualsDefinition() {
        var rng = SplitMix64(seed: 15)
        // Sizes around the 16-column and 2-row blocks, odd and even, tiny ones.
        let shapes = [(1, 1), (2, 3), (7, 9), (16, 16), (17, 33), (32, 31), (5, 40)]
        for k in [3, 5] {
            for s in [1, 2] {
                for (h, w) in shapes {
                    let channels = 3
                    // Inputs in [−2, 8] so both clamps of the input bite.
                    let x = (0..<(channels * h * w)).map { _ in rng.unitFloat() * 10 - 2 }
                    let weight = (0..<(channels * k * k)).map { _ in rng.unitFloat() - 0.5 }
                    let bias = (0..<channels).map { _ in rng.unitFloat() * 4 - 1 }
                    let want = naive(x, channels: channels, h: h, w: w, weight: weight, bias: bias, k: k, s: s)
                    let g = ConvOps.DepthwisePlane(h: h, w: w, kernel: k, stride: s)
                    XCTAssertEqual([g.oh, g.ow], [want.oh, want.ow])
                    var got = [Float](repeating: .nan, count: channels * g.oh * g.ow)
                    var scratch = [Float](repeating: .nan, count: g.count)
                    x.withUnsafeBufferPointer { xp in weight.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
                        got.withUnsafeMutableBufferPointer { yp in scratch.withUnsafeMutableBufferPointer { sp in
                            // Two calls on disjoint channel ranges, as two threads would.
                            for part in [0..<1, 1..<channels] {
                                ConvOps.depthwiseReLU6(xp.baseAddress!, plane: g, channels: part, weight: wp.baseAddress!,
                                                       bias: bp.baseAddress!, into: yp.baseAddress!, scratch: sp.baseAddress!)
                            }
                        } }
                    } } }
                    XCTAssertEqual(got, want.values, "k \(k) s \(s) \(h)×\(w)")
                }
            }
        }
    }

    /// The ImageNet network (the test is skipped when the weights are not
    /// fetched) and a random 3×h×w input in [−2, 2).
    func networkAndImage(height h: Int, width w: Int, seed: UInt64) throws -> (EfficientNetLite0, [Float]) {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Golden.weightsPath), "weights not fetched")
        var rng = SplitMix64(seed: seed)
        return (try EfficientNetLite0(path: Golden.weightsPath), (0..<(3 * h * w)).map { _ in rng.unitFloat() * 4 - 2 })
    }

    /// Every stage of a forward pass on an odd-sized image has the same values
    /// on 1, 2 or 3 threads and through `forwardBatch`.
    func testForwardIndependentOfThreads() throws {
        let (h, w) = (45, 67)
        let (net, image) = try networkAndImage(height: h, width: w, seed: 16)
        let stages = Array(0..<7)
        let one = BLASThreads.with(1) { net.forward(image, height: h, width: w, stages: stages, threads: 1) }
        for threads in [2, 3] {
            let many = BLASThreads.with(1) { net.forward(image, height: h, width: w, stages: stages, threads: threads) }
            XCTAssertEqual(many, one, "\(threads) threads")
        }
        let batch = net.forwardBatch([image, image, image], height: h, width: w, stages: stages)
        for maps in batch { XCTAssertEqual(maps, one) }
        XCTAssertEqual(net.forward(image, height: h, width: w, stages: stages), one)
    }

    /// The kernel on bands of output rows, reading a window of input rows
    /// (as the fused blocks do), equals one call on the whole tensor.
    func testDepthwiseBandsOfAWindowEqualWhole() {
        var rng = SplitMix64(seed: 17)
        for (k, s) in [(3, 1), (3, 2), (5, 1), (5, 2)] {
            for (h, w) in [(23, 37), (40, 16), (9, 50)] {
                let channels = 2
                let x = (0..<(channels * h * w)).map { _ in rng.unitFloat() * 10 - 2 }
                let weight = (0..<(channels * k * k)).map { _ in rng.unitFloat() - 0.5 }
                let bias = (0..<channels).map { _ in rng.unitFloat() * 4 - 1 }
                let g = ConvOps.DepthwisePlane(h: h, w: w, kernel: k, stride: s)
                var whole = [Float](repeating: .nan, count: channels * g.oh * g.ow)
                var banded = whole
                var scratch = [Float](repeating: .nan, count: g.count)
                x.withUnsafeBufferPointer { xp in weight.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        whole.withUnsafeMutableBufferPointer { yp in
                            ConvOps.depthwiseReLU6(xp.baseAddress!, plane: g, channels: 0..<channels, weight: wp.baseAddress!,
                                                   bias: bp.baseAddress!, into: yp.baseAddress!, scratch: sp.baseAddress!)
                        }
                        banded.withUnsafeMutableBufferPointer { yp in
                            // Bands of 3 rows (not a multiple of the kernel's 4-row
                            // blocks), each from a window holding just the input rows
                            // it reads, copied with a stride wider than a channel.
                            for oy in stride(from: 0, to: g.oh, by: 3) {
                                let rows = oy..<min(g.oh, oy + 3)
                                let first = max(0, rows.lowerBound * s - g.padTop)
                                let last = min(h, (rows.upperBound - 1) * s - g.padTop + k)
                                let stride = (last - first) * w + 5
                                var window = [Float](repeating: .nan, count: channels * stride)
                                for c in 0..<channels {
                                    for i in 0..<((last - first) * w) { window[c * stride + i] = x[(c * h + first) * w + i] }
                                }
                                window.withUnsafeBufferPointer { win in
                                    ConvOps.depthwiseReLU6(win.baseAddress!, plane: g, channels: 0..<channels, rows: rows,
                                                           window: (stride, first), weight: wp.baseAddress!,
                                                           bias: bp.baseAddress!, into: yp.baseAddress!, scratch: sp.baseAddress!)
                                }
                            }
                        }
                    }
                } } }
                XCTAssertEqual(banded, whole, "k \(k) s \(s) \(h)×\(w)")
                XCTAssertFalse(whole.contains { $0.isNaN }, "every output written")
            }
        }
    }

    /// im2col against its definition, for whole matrices and windows of
    /// columns, both strides the backbones use and odd sizes (the stride-2
    /// copy goes 16 at a time in the middle of a row, one by one at its ends).
    func testIm2colEqualsDefinition() {
        var rng = SplitMix64(seed: 18)
        for (k, s, pad) in [(3, 2, 0), (3, 2, 1), (3, 1, 1), (7, 2, 3), (1, 2, 0)] {
            for (h, w) in [(5, 7), (40, 71), (33, 96)] {
                let cin = 2
                let oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1
                let x = (0..<(cin * h * w)).map { _ in rng.unitFloat() }
                var want = [Float](repeating: 0, count: cin * k * k * oh * ow)
                for r in 0..<(cin * k * k) {
                    let ci = r / (k * k), ky = r / k % k, kx = r % k
                    for p in 0..<(oh * ow) {
                        let iy = p / ow * s + ky - pad, ix = p % ow * s + kx - pad
                        if iy >= 0 && iy < h && ix >= 0 && ix < w { want[r * oh * ow + p] = x[(ci * h + iy) * w + ix] }
                    }
                }
                var whole = [Float](repeating: .nan, count: want.count)
                x.withUnsafeBufferPointer { xp in
                    whole.withUnsafeMutableBufferPointer { cp in
                        // Two column ranges, as two threads would.
                        let half = oh * ow / 2
                        for part in [0..<half, half..<(oh * ow)] {
                            ConvOps.im2col(xp.baseAddress!, cin: cin, h: h, w: w, kernel: k, stride: s, padTop: pad,
                                           padLeft: pad, oh: oh, ow: ow, columns: part, into: cp.baseAddress!)
                        }
                    }
                }
                XCTAssertEqual(whole, want, "k \(k) s \(s) pad \(pad) \(h)×\(w)")
                // A window of columns [a, b) with its own row stride.
                let a = oh * ow / 3, b = min(oh * ow, a + 37)
                var window = [Float](repeating: .nan, count: cin * k * k * 40)
                x.withUnsafeBufferPointer { xp in
                    window.withUnsafeMutableBufferPointer { cp in
                        ConvOps.im2col(xp.baseAddress!, cin: cin, h: h, w: w, kernel: k, stride: s, padTop: pad,
                                       padLeft: pad, oh: oh, ow: ow, columns: a..<b, into: cp.baseAddress!, window: (40, a))
                    }
                }
                for r in 0..<(cin * k * k) {
                    XCTAssertEqual(Array(window[(r * 40)..<(r * 40 + b - a)]), Array(want[(r * oh * ow + a)..<(r * oh * ow + b)]),
                                   "window, k \(k) s \(s) \(h)×\(w) row \(r)")
                }
            }
        }
    }

    /// The forward pass with every expand block fused (bands of output rows
    /// from per-thread windows) equals the unfused pass, on an odd size, at
    /// 1, 2 and 3 threads, every stage.
    func testFusedForwardEqualsUnfused() throws {
        let (h, w) = (83, 61)
        let (net, image) = try networkAndImage(height: h, width: w, seed: 19)
        let stages = Array(0..<7)
        let plain = BLASThreads.with(1) {
            net.forward(image, height: h, width: w, stages: stages, threads: 1, fuseAbove: .max)
        }
        for threads in [1, 2, 3] {
            let fused = BLASThreads.with(1) {
                net.forward(image, height: h, width: w, stages: stages, threads: threads, fuseAbove: 0)
            }
            XCTAssertEqual(fused, plain, "\(threads) threads")
        }
    }

    /// The spin team runs every part of every run exactly once, and a
    /// second session while one is running falls back to `Parallel.run`
    /// with the same effect.
    func testSpinTeamRunsEveryPartOnce() {
        let parts = Parallel.cores
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 2 * 64 * parts)
        counts.initialize(repeating: 0, count: 2 * 64 * parts)
        defer { counts.deallocate() }
        let shared = SharedPointer(counts)
        DispatchQueue.concurrentPerform(iterations: 2) { session in
            Parallel.session(parts: parts) { run in
                for _ in 0..<500 {
                    run { part in shared[(session * parts + part) * 64] += 1 }
                }
            }
        }
        for session in 0..<2 {
            for part in 0..<parts { XCTAssertEqual(counts[(session * parts + part) * 64], 500, "session \(session) part \(part)") }
        }
        // One part: runs inline.
        var ran = 0
        Parallel.session(parts: 1) { run in run { _ in ran += 1 } }
        XCTAssertEqual(ran, 1)
    }
}
