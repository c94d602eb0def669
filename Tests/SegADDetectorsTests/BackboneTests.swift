import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors

/// EfficientNet-Lite0 against PyTorch. The golden tensors come from
/// scripts/detectors/make_backbone_golden.py (torch 2.13 CPU, a forward pass
/// written with torch.nn.functional for the same weights): two normalized
/// 3×64×96 inputs and all seven stage outputs. Needs the weights that set-up
/// fetches into .cache/weights (skipped without them).
final class BackboneTests: XCTestCase {
    func testEfficientNetLite0MatchesTorch() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Golden.weightsPath), "weights not fetched")
        let net = try EfficientNetLite0(path: Golden.weightsPath)
        let meta = try Golden.manifest("backbone.json")
        let input = try Golden.floats("backbone_input.f32")
        let shape = (meta["input"] as! [String: Any])["shape"] as! [Int]
        let (n, h, w) = (shape[0], shape[2], shape[3])
        let images = (0..<n).map { Array(input[($0 * 3 * h * w)..<(($0 + 1) * 3 * h * w)]) }
        let out = net.forwardBatch(images, height: h, width: w, stages: Array(0..<7))
        for (s, st) in (meta["stages"] as! [[String: Any]]).enumerated() {
            let want = try Golden.floats(st["file"] as! String)
            let ws = st["shape"] as! [Int]
            var got: [Float] = []
            for i in 0..<n {
                XCTAssertEqual([out[i][s].channels, out[i][s].height, out[i][s].width], Array(ws[1...]))
                got += out[i][s].values
            }
            let err = Golden.relativeError(got, want)
            XCTAssertLessThanOrEqual(err, 1e-4, "stage \(s)")
            print("stage \(s) \(ws): relative error \(err)")
        }
    }

    func testWrongShapeNamesTheKey() throws {
        var weights = ["_conv_stem.weight": Tensor(shape: [32, 3, 3, 3], values: .init(repeating: 0, count: 864))]
        for p in ["weight", "bias", "running_mean", "running_var"] {
            weights["_bn0.\(p)"] = Tensor(shape: [31], values: .init(repeating: 1, count: 31))
        }
        XCTAssertThrowsError(try EfficientNetLite0(weights: weights, source: "w.pth")) { e in
            XCTAssertEqual("\(e)", "w.pth: key _bn0.weight: expected shape [32], found [31]")
        }
        weights = [:]
        XCTAssertThrowsError(try EfficientNetLite0(weights: weights, source: "w.pth")) { e in
            XCTAssertEqual("\(e)", "w.pth: key _conv_stem.weight missing")
        }
    }
}
