import Foundation
import XCTest
import SegADKernels
import SegADNative
@testable import SegADDetectors

/// Fit → state → restore → apply gives the same maps, with the tiny
/// ResNet-18-layout fixture as a fast backbone.
final class DetectorStateTests: XCTestCase {
    func images(_ n: Int, seed: UInt64) -> [DetectorImage] { TinyDetectors.images(n, seed: seed) }

    func testRoundTrips() throws {
        let net = try TinyDetectors.backbone()
        let train = images(6, seed: 1), test = images(2, seed: 2)
        let pc = try TinyDetectors.patchCore(train, backbone: net)
        let pd = try TinyDetectors.padim(train, backbone: net)
        let gt = try GoldenTemplate.fit(train)
        for d in [pc, pd, gt] as [PixelDetector] {
            let state = d.state()
            let restored = try DetectorRegistry.restore(state)
            XCTAssertEqual(restored.state(), state, d.kind)
            let a = try d.apply(test, progress: nil), b = try restored.apply(test, progress: nil)
            XCTAssertEqual(a, b, d.kind)
            XCTAssertEqual(a[0].count, 64 * 64)
            XCTAssertTrue(a.allSatisfy { $0.allSatisfy { $0.isFinite && $0 >= 0 } }, d.kind)
        }
        XCTAssertEqual(pc.state().tensors["memory_bank"]?.shape, [Int(Float(6 * 8 * 8) * 0.25), 8 + 16])
    }

    /// PaDiM's state stores the Cholesky factors' lower triangles only
    /// (docs/patchcore.md, "Pipeline load"): the restored factor is the
    /// fitted one bit for bit, so are the maps; a state that holds the full
    /// factor (written before) restores to the same detector.
    func testPaDiMStoresThePackedLowerTriangleAndRestoresItExactly() throws {
        let net = try TinyDetectors.backbone()
        let pd = try TinyDetectors.padim(images(6, seed: 4), backbone: net)
        let state = pd.state()
        let p = pd.gridHeight * pd.gridWidth, d = 10
        XCTAssertNil(state.tensors["cholesky"])
        XCTAssertEqual(state.tensors["cholesky_packed"]?.shape, [p, d * (d + 1) / 2])
        let restored = try PaDiM(state: state, backbone: net)
        XCTAssertEqual(restored.cholesky.map(\.bitPattern), pd.cholesky.map(\.bitPattern))
        var older = state
        older.tensors["cholesky_packed"] = nil
        older.tensors["cholesky"] = Tensor(shape: [p, d, d], values: pd.cholesky)
        let fromOlder = try PaDiM(state: older, backbone: net)
        XCTAssertEqual(fromOlder.cholesky.map(\.bitPattern), pd.cholesky.map(\.bitPattern))
        let test = images(2, seed: 5)
        let a = try pd.apply(test, progress: nil)
        XCTAssertEqual(try restored.apply(test, progress: nil), a)
        XCTAssertEqual(try fromOlder.apply(test, progress: nil), a)
        // Rows beyond the diagonal are zero in the fitted factor: packing drops nothing.
        XCTAssertEqual(PaDiM.unpackLower(PaDiM.packLower(pd.cholesky, positions: p, d: d), positions: p, d: d), pd.cholesky)
    }

    /// PatchCore and PaDiM on one backbone share its pass inside
    /// `SharedForward.sharing` (as a saved pipeline scores): the second
    /// detector's pass is answered from the first's, and both maps are the
    /// ones their own passes give, bit for bit.
    func testDetectorsOnOneBackboneShareItsPassWithTheSameMaps() throws {
        let net = try TinyDetectors.backbone()
        let train = images(6, seed: 6), test = images(3, seed: 7)
        let pc = try TinyDetectors.patchCore(train, backbone: net)
        let pd = try TinyDetectors.padim(train, backbone: net)
        let alone = [try pc.apply(test, progress: nil), try pd.apply(test, progress: nil)]
        let shared = SharedForward()
        let together = try SharedForward.sharing(in: shared) {
            [try pc.apply(test, progress: nil), try pd.apply(test, progress: nil)]
        }
        XCTAssertEqual(shared.hits, 1)
        XCTAssertEqual(together.map { $0.map { $0.map(\.bitPattern) } }, alone.map { $0.map { $0.map(\.bitPattern) } })
        // Other images are not answered from the kept pass.
        let other = images(3, seed: 8)
        let again = try SharedForward.sharing(in: shared) { [try pc.apply(test, progress: nil), try pd.apply(other, progress: nil)] }
        XCTAssertEqual(again[1], try pd.apply(other, progress: nil))
    }

    func testBadStateNamesTheFault() throws {
        var s = try GoldenTemplate.fit(images(3, seed: 3)).state()
        s.tensors["std"] = Tensor(shape: [2], values: [1, 1])
        XCTAssertThrowsError(try DetectorRegistry.restore(s)) { e in
            XCTAssertEqual(e as? DetectorError, .tensorShape(kind: "golden-template", name: "std", expected: [64, 64], found: [2]))
            XCTAssertEqual("\(e)", "golden-template state: tensor std: expected shape [64, 64], found [2]")  // the printed line
        }
        s.kind = "nope"
        XCTAssertThrowsError(try DetectorRegistry.restore(s)) { e in
            XCTAssertEqual(e as? DetectorError, .unknownKind(kind: "nope", known: DetectorRegistry.names))
        }
    }
}
