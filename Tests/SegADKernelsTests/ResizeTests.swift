// Golden file: Tests/SegADKernelsTests/Fixtures/resize.json, made by
// Tests/SegADNativeTests/Fixtures/make_fixtures.py with an independent
// float64 numpy implementation of torch.nn.functional.interpolate(
// mode="bilinear", align_corners=False, antialias=False) (torch is not
// installed here): up-, down-, mixed and identity resizes of random planes.
import Foundation
import XCTest
@testable import SegADKernels

private let resizeJSON = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/resize.json")

final class ResizeTests: XCTestCase {
    func testMatchesGoldenBilinear() throws {
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: resizeJSON)) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let h = c["height"] as! Int, w = c["width"] as! Int
            let oh = c["toHeight"] as! Int, ow = c["toWidth"] as! Int
            let src = (c["src"] as! [Double]).map { Float($0) }
            let expected = c["expected"] as! [Double]
            let got = Resize.bilinear(src, height: h, width: w, toHeight: oh, toWidth: ow)
            XCTAssertEqual(got.count, expected.count)
            // Inputs are N(0,1); Float weights and sums in Float: a few ulps of
            // values of magnitude ≤ 4, so 1e-5 absolute is ample and still far
            // below any indexing or weighting mistake (≥ 1e-2 here).
            for (i, (a, b)) in zip(got, expected).enumerated() {
                XCTAssertEqual(Double(a), b, accuracy: 1e-5, "\(h)×\(w)→\(oh)×\(ow) at \(i)")
            }
        }
    }

    func testIdentityAndConstant() {
        let src: [Float] = (0..<20).map { Float($0) * 0.5 - 3 }
        XCTAssertEqual(Resize.bilinear(src, height: 4, width: 5, toHeight: 4, toWidth: 5), src)
        let constant = [Float](repeating: 2.25, count: 12)
        XCTAssertTrue(Resize.bilinear(constant, height: 3, width: 4, toHeight: 9, toWidth: 2).allSatisfy { $0 == 2.25 })
    }

    /// Doubling a 1×2 row [0, 1] gives torch's [0, 0.25, 0.75, 1].
    func testHalfPixelConvention() {
        XCTAssertEqual(Resize.bilinear([0, 1], height: 1, width: 2, toHeight: 1, toWidth: 4), [0, 0.25, 0.75, 1])
    }

    func testBufferFormMatchesArrayForm() {
        let src: [Float] = (0..<42).map { sin(Float($0)) }
        var dst = [Float](repeating: .nan, count: 11 * 3)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                Resize.bilinear(s, height: 6, width: 7, toHeight: 11, toWidth: 3, into: d)
            }
        }
        XCTAssertEqual(dst, Resize.bilinear(src, height: 6, width: 7, toHeight: 11, toWidth: 3))
    }
}
