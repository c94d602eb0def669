import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors
@testable import SegADKernels

/// PatchCore, PaDiM and the golden template against plain numpy (float64)
/// computations of the same definitions on small random cases, from
/// scripts/detectors/make_detector_golden.py (its resize/pool/blur helpers are
/// themselves checked against torch there). No backbone: stage features are inputs.
final class DetectorGoldenTests: XCTestCase {
    var meta: [String: Any] = [:]
    var shapes: [String: [Int]] = [:]

    override func setUpWithError() throws {
        meta = try Golden.manifest("detectors.json")
        shapes = meta["files"] as! [String: [Int]]
    }

    func load(_ name: String) throws -> [Float] { try Golden.floats("detectors_\(name).f32") }

    /// Item i of an N×C×H×W golden array as a FeatureMap.
    func feature(_ name: String, _ i: Int) throws -> FeatureMap {
        let s = shapes[name]!
        let n = s[1] * s[2] * s[3]
        return FeatureMap(channels: s[1], height: s[2], width: s[3], values: Array(try load(name)[(i * n)..<((i + 1) * n)]))
    }

    func testPatchCoreMatchesNumpy() throws {
        let pc = meta["patchcore"] as! [String: Any]
        let (ntr, nte) = (pc["train"] as! Int, pc["test"] as! Int)
        let image = pc["image"] as! [Int]
        var all: [Float] = []
        var c = 0
        for i in 0..<ntr {
            let e = PatchCore.embed([try feature("pc_feats_a", i), try feature("pc_feats_b", i)])
            all += e.values; c = e.c
        }
        let proj = try load("pc_projection")
        let picked = PatchCore.kCenterGreedy(all, count: all.count / c, dim: c, projection: proj,
                                             projectedDim: shapes["pc_projection"]![1],
                                             select: pc["select"] as! Int, start: pc["start"] as! Int)
        XCTAssertEqual(picked, try load("pc_selected").map { Int($0) })
        var bank = [Float]()
        for p in picked { bank += all[(p * c)..<((p + 1) * c)] }
        var cfg = PatchCore.Config()
        cfg.stages = [0, 1]
        let want = try load("pc_maps")
        let hw = image[0] * image[1]
        for t in 0..<nte {
            let e = PatchCore.embed([try feature("pc_feats_a", ntr + t), try feature("pc_feats_b", ntr + t)])
            let scores = PatchCore.nearestDistances(e.values, count: e.h * e.w, bank: bank, bankCount: picked.count, dim: c)
            let map = PatchCore.scoreMap(scores, h: e.h, w: e.w, height: image[0], width: image[1], sigma: 4, upsample: "bilinear")
            let err = Golden.relativeError(map, Array(want[(t * hw)..<((t + 1) * hw)]))
            XCTAssertLessThanOrEqual(err, 1e-4, "map \(t)")
            print("PatchCore map \(t): relative error \(err)")
        }
    }

    func testPaDiMMatchesNumpy() throws {
        let pd = meta["padim"] as! [String: Any]
        let (ntr, nte) = (pd["train"] as! Int, pd["test"] as! Int)
        let image = pd["image"] as! [Int]
        let channels = try load("pd_channels").map { Int($0) }
        let d = channels.count
        var embedded: [[Float]] = []
        var grid = (0, 0)
        for i in 0..<ntr {
            let e = PaDiM.embed([try feature("pd_feats_a", i), try feature("pd_feats_b", i)], channels: channels)
            embedded.append(e.values); grid = (e.h, e.w)
        }
        let p = grid.0 * grid.1
        let g = try PaDiM.gaussians(embedded, positions: p, d: d, regularization: 0.01)
        XCTAssertLessThanOrEqual(Golden.relativeError(g.mean, try load("pd_mean")), 1e-5)
        let want = try load("pd_maps")
        let hw = image[0] * image[1]
        for t in 0..<nte {
            let e = PaDiM.embed([try feature("pd_feats_a", ntr + t), try feature("pd_feats_b", ntr + t)], channels: channels)
            let dist = PaDiM.mahalanobis(e.values, mean: g.mean, cholesky: g.cholesky, positions: p, d: d)
            let up = MapOps.bilinear(dist, channels: 1, height: grid.0, width: grid.1, toHeight: image[0], toWidth: image[1])
            let map = MapOps.gaussianBlur(up, height: image[0], width: image[1], sigma: 4)
            let err = Golden.relativeError(map, Array(want[(t * hw)..<((t + 1) * hw)]))
            XCTAssertLessThanOrEqual(err, 1e-4, "map \(t)")
            print("PaDiM map \(t): relative error \(err)")
        }
    }

    func testGoldenTemplateMatchesNumpy() throws {
        let gt = meta["golden_template"] as! [String: Any]
        let (ntr, nte) = (gt["train"] as! Int, gt["test"] as! Int)
        let s = shapes["gt_images"]!
        let (h, w) = (s[1], s[2])
        let all = try load("gt_images")
        let images = (0..<(ntr + nte)).map {
            DetectorImage(channels: 1, height: h, width: w, values: Array(all[($0 * h * w)..<(($0 + 1) * h * w)]))
        }
        var cfg = GoldenTemplate.Config()
        cfg.eps = Float(gt["eps"] as! Double)
        let model = try GoldenTemplate.fit(Array(images[..<ntr]), config: cfg)
        // Round trip through the state, as the artifact layer will.
        let restored = try GoldenTemplate(state: model.state())
        let maps = try restored.apply(Array(images[ntr...]))
        let want = try load("gt_maps")
        for t in 0..<nte {
            let err = Golden.relativeError(maps[t], Array(want[(t * h * w)..<((t + 1) * h * w)]))
            XCTAssertLessThanOrEqual(err, 1e-4, "map \(t)")
            print("Golden template map \(t): relative error \(err)")
        }
    }

    func testGaussianKernelSize() {
        XCTAssertEqual(MapOps.gaussianKernel(sigma: 4).count, 33)
        XCTAssertEqual(MapOps.gaussianKernel(sigma: 4).reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertEqual(MapOps.reflect(-1, 5), 1)
        XCTAssertEqual(MapOps.reflect(5, 5), 3)
        XCTAssertEqual(MapOps.reflect(-9, 5), 1)
    }
}
