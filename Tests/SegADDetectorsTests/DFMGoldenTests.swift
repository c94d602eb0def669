import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors

/// DFM against sklearn: scripts/detectors/make_dfm_golden.py fits
/// `PCA(n_components=0.97, svd_solver="full")` on the embedded random stage
/// features of 12 training "images" and writes the feature-reconstruction
/// error of every patch of 3 test images (float64). No backbone: the stage
/// features are the inputs.
final class DFMGoldenTests: XCTestCase {
    func testFitAndReconstructionErrorMatchSklearn() throws {
        let meta = try Golden.manifest("dfm.json")
        let shapes = meta["files"] as! [String: [Int]]
        func feature(_ name: String, _ i: Int) throws -> FeatureMap {
            let s = shapes[name]!
            let n = s[1] * s[2] * s[3]
            let all = try Golden.floats("dfm_\(name).f32")
            return FeatureMap(channels: s[1], height: s[2], width: s[3], values: Array(all[(i * n)..<((i + 1) * n)]))
        }
        let train = try (0..<(meta["train"] as! Int)).map { DFM.embed([try feature("train_a", $0), try feature("train_b", $0)]) }
        let dim = train[0].c
        let model = try DFM.principalComponents(train.map(\.values), dim: dim, level: 0.97)
        XCTAssertEqual(model.components.count / dim, meta["k"] as? Int, "kept components")
        XCTAssertLessThan(Golden.relativeError(model.mean, try Golden.floats("dfm_mean.f32")), 1e-5)
        // Rows are orthonormal.
        let k = model.components.count / dim
        for a in 0..<k {
            for b in 0..<k {
                var dot: Float = 0
                for j in 0..<dim { dot += model.components[a * dim + j] * model.components[b * dim + j] }
                XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-5)
            }
        }
        let golden = try Golden.floats("dfm_fre.f32")
        let p = train[0].h * train[0].w
        for i in 0..<(meta["test"] as! Int) {
            let e = DFM.embed([try feature("test_a", i), try feature("test_b", i)])
            let fre = DFM.reconstructionError(e.values, mean: model.mean, components: model.components, dim: dim)
            // float32 apply against float64 sklearn: the error is a small
            // remainder of ‖x − μ‖² (the kept 97%), so bound it relative to the map's max.
            XCTAssertLessThan(Golden.relativeError(fre, Array(golden[(i * p)..<((i + 1) * p)])), 2e-4, "image \(i)")
        }
    }

    /// The state round-trips through DetectorState and the registry, and a
    /// state whose components do not fit the backbone's channels is refused.
    func testStateRoundTripAndRefusals() throws {
        let dim = 3
        let comps: [Float] = [1, 0, 0]
        let net = try XCTUnwrap(try? EfficientNetLite0(path: Golden.weightsPath), "needs the cached EfficientNet-Lite0 weights")
        let channels = DFM.Config().stages.map { net.stages[$0].channels }.reduce(0, +)
        var c = [Float](repeating: 0, count: channels); c[0] = 1
        let dfm = DFM(config: .init(), backbone: net, weightsPath: Golden.weightsPath, mean: [Float](repeating: 0.5, count: channels),
                      components: c, dim: channels, gridHeight: 4, gridWidth: 4, imageHeight: 32, imageWidth: 32)
        let restored = try XCTUnwrap(try DetectorRegistry.restore(dfm.state(), backbone: net) as? DFM)
        XCTAssertEqual(restored.state(), dfm.state())
        var bad = dfm.state()
        bad.tensors["components"] = Tensor(shape: [1, dim], values: comps)
        XCTAssertThrowsError(try DFM(state: bad, backbone: net))
        var badSigma = dfm.state()
        badSigma.config["sigma"] = "1e9"
        XCTAssertThrowsError(try DFM(state: badSigma, backbone: net))
    }
}
