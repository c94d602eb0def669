import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors

/// torchvision-style ResNets against a torch forward pass: tiny random
/// networks with torchvision's key names in the ResNet-18 (basic blocks,
/// [2, 2, 2, 2]) and Wide-ResNet-50-2 (bottlenecks, [3, 4, 6, 3]) layouts,
/// saved in the zip format (scripts/detectors/make_resnet_golden.py).
final class ResNetTests: XCTestCase {
    func check(_ name: String) throws {
        let path = try Golden.checkpointFixture(name)
        let net = try ResNet(path: path, name: name)
        let meta = try Golden.manifest("resnet.json")
        let shape = (meta["input"] as! [String: Any])["shape"] as! [Int]
        let input = try Golden.floats("resnet_input.f32")
        let out = net.forward(input, height: shape[2], width: shape[3], stages: [0, 1, 2, 3])
        let stages = (meta["nets"] as! [String: Any])[name] as! [[String: Any]]
        for (s, st) in stages.enumerated() {
            let ws = st["shape"] as! [Int]
            XCTAssertEqual([out[s].channels, out[s].height, out[s].width], Array(ws[1...]))
            XCTAssertEqual(net.stages[s].channels, ws[1])
            let err = Golden.relativeError(out[s].values, try Golden.floats(st["file"] as! String))
            XCTAssertLessThanOrEqual(err, 1e-4, "\(name) stage \(s)")
            print("\(name) stage \(s): relative error \(err)")
        }
    }

    func testResNet18Layout() throws { try check("tiny_resnet18") }
    func testWideResNet50Layout() throws { try check("tiny_wide_resnet50_2") }

    func testMissingDownsampleNamesTheKey() throws {
        let path = try Golden.checkpointFixture("tiny_resnet18")
        var w = try Checkpoint.load(path: path)
        w["layer2.0.downsample.0.weight"] = nil
        XCTAssertThrowsError(try ResNet(weights: w, source: "r.pth")) { e in
            XCTAssertEqual("\(e)", "r.pth: key layer2.0.downsample.0.weight missing")
        }
        w = try Checkpoint.load(path: path)
        w["layer3.1.bn2.running_var"] = Tensor(shape: [3], values: [1, 1, 1])
        XCTAssertThrowsError(try ResNet(weights: w, source: "r.pth")) { e in
            XCTAssertEqual("\(e)", "r.pth: key layer3.1.bn2.running_var: expected shape [16], found [3]")
        }
    }
}
