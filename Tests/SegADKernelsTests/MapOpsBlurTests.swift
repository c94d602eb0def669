import XCTest
@testable import SegADKernels

/// The vectorized Gaussian blur gives the one-value-at-a-time definition's
/// values bit for bit, at every size relative to the kernel (no interior
/// column, a partial vector, one pixel) and on values of every sign.
final class MapOpsBlurTests: XCTestCase {
    func testVectorizedBlurEqualsScalarBitForBit() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state) >> 40) / Float(1 << 20)
        }
        let shapes = [(1, 1), (1, 40), (40, 1), (7, 9), (33, 33), (34, 41), (64, 64), (80, 32), (45, 71), (256, 100)]
        for sigma: Float in [4, 1.5, 0.5] {
            for (h, w) in shapes {
                var x = (0..<(h * w)).map { _ in next() }
                if x.count > 3 { x[0] = 0; x[1] = -0.0; x[2] = 1e-30 }
                let fast = MapOps.gaussianBlur(x, height: h, width: w, sigma: sigma)
                let reference = MapOps.gaussianBlurScalar(x, height: h, width: w, sigma: sigma)
                XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), "\(h)x\(w) sigma \(sigma)")
            }
        }
    }
}
