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

    /// Every stage of a forward pass on an odd-sized image has the same values
    /// on 1, 2 or 3 threads and through `forwardBatch`.
    func testForwardIndependentOfThreads() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Golden.weightsPath), "weights not fetched")
        let net = try EfficientNetLite0(path: Golden.weightsPath)
        var rng = SplitMix64(seed: 16)
        let (h, w) = (45, 67)
        let image = (0..<(3 * h * w)).map { _ in rng.unitFloat() * 4 - 2 }
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
}
