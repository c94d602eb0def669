import Foundation
import XCTest
import SegADKernels
import SegADNative
@testable import SegADDetectors

/// The pruned greedy coreset (`PatchCore.kCenterGreedy`) selects exactly the
/// indices of the plain algorithm (`kCenterGreedyPlain`: every patch's
/// distance to every new center, the scalar loop PatchCore used before) for
/// the same projection and start: on random data (continuous, and quantized
/// so that distances tie and the lowest-index rule decides), without a
/// projection, selecting everything, and on real patches (ELPV mono cells
/// through EfficientNet-Lite0, PatchCore's stages and projection).
final class CoresetIdentityTests: XCTestCase {
    func assertIdentical(_ x: [Float], n: Int, dim: Int, projection: [Float]?, pd: Int, select: Int, start: Int,
                         _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let plain = PatchCore.kCenterGreedyPlain(x, count: n, dim: dim, projection: projection, projectedDim: pd,
                                                 select: select, start: start)
        let fast = PatchCore.kCenterGreedy(x, count: n, dim: dim, projection: projection, projectedDim: pd,
                                           select: select, start: start)
        XCTAssertEqual(fast.count, min(select, n), label, file: file, line: line)
        if let k = zip(fast, plain).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("\(label): first difference at step \(k): \(fast[k]) vs plain \(plain[k])", file: file, line: line)
        }
        XCTAssertEqual(fast, plain, label, file: file, line: line)
    }

    func testRandomData() {
        var rng = SplitMix64(seed: 15)
        for (n, dim, pd, select) in [(2000, 24, 16, 300), (1500, 40, 128, 300), (300, 9, 9, 300), (600, 3, 3, 500)] {
            // Clustered data (the regime where pruning works) and uniform noise.
            let centers = (0..<(n / 50) * dim).map { _ in Float(rng.next() >> 40) / Float(1 << 24) * 10 }
            let x: [Float] = (0..<n).flatMap { i -> [Float] in
                let c = Int(rng.next() % UInt64(n / 50))
                return (0..<dim).map { j in centers[c * dim + j] + Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
            }
            let p = min(pd, dim)
            let proj = PatchCore.sparseProjection(inputDim: dim, outputDim: p, using: &rng)
            let start = Int(rng.next() % UInt64(n))
            assertIdentical(x, n: n, dim: dim, projection: proj, pd: p, select: select, start: start, "n \(n) dim \(dim)")
            assertIdentical(x, n: n, dim: dim, projection: nil, pd: dim, select: select, start: start, "n \(n) dim \(dim), no projection")
            // Quantized to a few levels: many exactly equal distances and duplicate rows.
            let q = x.map { ($0 / 2).rounded() }
            assertIdentical(q, n: n, dim: dim, projection: nil, pd: dim, select: select, start: start, "n \(n) dim \(dim), quantized")
        }
        // Selecting more than there are rows, and a single row.
        let x = (0..<40).map { Float($0 % 7) }
        assertIdentical(x, n: 20, dim: 2, projection: nil, pd: 2, select: 25, start: 3, "select > n")
        assertIdentical(x, n: 1, dim: 2, projection: nil, pd: 2, select: 1, start: 0, "one row")
    }

    func testRealPatches() throws {
        let root = Golden.root.appendingPathComponent(".cache/elpv").path
        let labels = root + "/labels.csv"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: labels), "ELPV not fetched")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Golden.weightsPath), "weights not fetched")
        var good: [String] = []
        for line in try String(contentsOfFile: labels, encoding: .utf8).split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            if f.count >= 3, f[2] == "mono", Double(f[1]) == 0 { good.append(root + "/" + f[0]) }
        }
        let size = 128
        let images = try good.prefix(4).map { try DetectorImage.load(path: $0, height: size, width: size) }
        let net = try EfficientNetLite0(path: Golden.weightsPath)
        var config = PatchCore.Config()
        config.coresetRatio = 0.25
        let input = PatchCore.coresetInput(images, backbone: net, config: config)
        let (all, n, c, select) = (input.patches, input.count, input.dim, input.select)
        let (projection, pd, start) = (input.projection, input.projectedDim, input.start)
        assertIdentical(all, n: n, dim: c, projection: projection, pd: pd, select: select, start: start, "ELPV patches")
        // And the fit's memory bank is those rows.
        let fitted = try PatchCore.fit(images, backbone: net, weightsPath: Golden.weightsPath, config: config)
        let picked = PatchCore.kCenterGreedyPlain(all, count: n, dim: c, projection: projection, projectedDim: pd,
                                                  select: select, start: start)
        XCTAssertEqual(fitted.memoryBank, picked.flatMap { all[($0 * c)..<(($0 + 1) * c)] })
    }
}
