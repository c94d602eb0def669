import Foundation
import XCTest
import SegADKernels
import SegADNative
@testable import SegADDetectors

/// The pruned nearest-neighbour search (`PatchCore.nearestDistancesPruned`)
/// gives the brute force's distances bit for bit (docs/patchcore.md,
/// "Pruned search"): on uniform random, clustered, tied (duplicate bank
/// rows, duplicate queries, queries equal to bank rows) and real-patch banks
/// (ELPV cells through EfficientNet-Lite0), a bank of one row, one query,
/// and through `apply` (maps identical with either search).
final class PrunedSearchTests: XCTestCase {
    /// Both searches on the same input; fails on the first differing bit.
    /// Returns the fraction of query–bank values the pruned one evaluated.
    @discardableResult
    func assertSame(_ q: [Float], _ bank: [Float], dim: Int, clusters: Int? = nil, lloydSteps: Int = 4, _ label: String,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let count = q.count / dim, bankCount = bank.count / dim
        let norms = bank.withUnsafeBufferPointer { PatchCore.squaredNorms($0.baseAddress!, count: bankCount, dim: dim) }
        let brute = PatchCore.nearestDistances(q, count: count, bank: bank, bankNorms: norms, bankCount: bankCount, dim: dim)
        let index = PatchCore.SearchIndex(bank: bank, bankCount: bankCount, dim: dim, clusters: clusters, lloydSteps: lloydSteps)
        let pruned = try XCTUnwrap(PatchCore.nearestDistancesPruned(q, count: count, bank: bank, bankNorms: norms,
                                                                    bankCount: bankCount, dim: dim, index: index),
                                   "\(label): no replay map", file: file, line: line)
        XCTAssertEqual(pruned.distances.count, count, label, file: file, line: line)
        if let i = brute.indices.first(where: { pruned.distances[$0].bitPattern != brute[$0].bitPattern }) {
            XCTFail("\(label): query \(i): pruned \(pruned.distances[i]) vs brute force \(brute[i])", file: file, line: line)
        }
        return Double(pruned.evaluated) / Double(count * bankCount)
    }

    /// The tile shapes these tests use can be replayed on this machine's BLAS
    /// (elsewhere the search falls back to the brute force, checked in `testFallback`).
    func requireReplay(dim: Int) throws {
        try XCTSkipIf(PatchCore.replayMap(.init(rows: PatchCore.queryTile, cols: PatchCore.bankTile, dim: dim)) == nil,
                      "this BLAS's sgemm cells cannot be replayed here: apply runs the brute force")
    }

    func uniform(_ n: Int, _ rng: inout SplitMix64, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in (Float(rng.next() >> 40) / Float(1 << 24) - 0.5) * scale }
    }

    func testReplayMapExplainsEverySgemmCell() throws {
        let dim = 152
        try requireReplay(dim: dim)
        // Tile shapes of the brute force: full, and the remainders of both dimensions.
        for (rows, cols) in [(256, 1024), (256, 384), (100, 1024), (7, 13), (1, 1)] {
            let map = try XCTUnwrap(PatchCore.replayMap(.init(rows: rows, cols: cols, dim: dim)), "\(rows)×\(cols)")
            // Replay a fresh random tile (not one the map was measured on) cell by cell.
            var rng = SplitMix64(seed: UInt64(rows * 7 + cols))
            let a = uniform(rows * dim, &rng, scale: 8), b = uniform(cols * dim, &rng, scale: 8)
            let c = PatchCore.sgemmCells(a, rows: rows, b, cols: cols, dim: dim)
            let replayed = PatchCore.replayedCells(a, rows: rows, b, cols: cols, dim: dim, map: map)
            if let k = c.indices.first(where: { replayed[$0].bitPattern != c[$0].bitPattern }) {
                XCTFail("\(rows)×\(cols): cell (\(k / cols), \(k % cols)) replayed \(replayed[k]), sgemm \(c[k])")
            }
            // A single chain everywhere would not give these bits (the map is needed).
            if rows == 256 && cols == 1024 {
                let chain = PatchCore.replayedCells(a, rows: rows, b, cols: cols, dim: dim, map: [UInt8](repeating: 0, count: rows * cols))
                XCTAssertNotEqual(chain.map(\.bitPattern), c.map(\.bitPattern))
            }
        }
    }

    func testRandomBanks() throws {
        let dim = 152
        try requireReplay(dim: dim)
        var rng = SplitMix64(seed: 24)
        // 1100 bank rows: a full bank tile and a remainder; 300 queries: a full query tile and a remainder.
        let bank = uniform(1100 * dim, &rng, scale: 4)
        let q = uniform(300 * dim, &rng, scale: 4)
        try assertSame(q, bank, dim: dim, "uniform")
        try assertSame(q, bank, dim: dim, clusters: 1, "uniform, one cluster")
        try assertSame(q, bank, dim: dim, lloydSteps: 0, "uniform, centers at the first rows")
        try assertSame(Array(q[0..<(40 * dim)]), bank, dim: dim, clusters: 1100, lloydSteps: 0,
                       "uniform, every row a cluster")
    }

    func testClusteredBanks() throws {
        let dim = 152
        try requireReplay(dim: dim)
        var rng = SplitMix64(seed: 25)
        let centers = uniform(30 * dim, &rng, scale: 20)
        func draw(_ n: Int, spread: Float) -> [Float] {
            (0..<n).flatMap { _ -> [Float] in
                let c = Int(rng.next() % 30)
                return (0..<dim).map { centers[c * dim + $0] + (Float(rng.next() >> 40) / Float(1 << 24) - 0.5) * spread }
            }
        }
        let bank = draw(2100, spread: 1)
        // Queries near the clusters (as normal patches are) and far from all (anomalies).
        let q = draw(500, spread: 1.5) + uniform(40 * dim, &rng, scale: 60)
        let fraction = try assertSame(q, bank, dim: dim, "clustered")
        // The bound prunes here: far fewer values than the brute force.
        XCTAssertLessThan(fraction, 0.5, "clustered: fraction evaluated")
    }

    func testTiedBanks() throws {
        let dim = 152
        try requireReplay(dim: dim)
        var rng = SplitMix64(seed: 26)
        // Few distinct rows, each repeated: duplicate bank rows and equal distances.
        let distinct = (0..<40).map { _ in uniform(dim, &rng, scale: 3).map { ($0 * 2).rounded() / 2 } }
        let bank = (0..<1100).flatMap { _ in distinct[Int(rng.next() % 40)] }
        // Queries: bank rows themselves, duplicated queries, and quantized noise.
        var q: [Float] = []
        for i in 0..<120 { q += bank[((i * 7) % 1100 * dim)..<((i * 7) % 1100 * dim + dim)] }
        let noise = uniform(60 * dim, &rng, scale: 3).map { ($0 * 2).rounded() / 2 }
        q += noise + noise + noise
        try assertSame(q, bank, dim: dim, "tied")
        // All-zero bank and queries: every value is 0.
        try assertSame([Float](repeating: 0, count: 30 * dim), [Float](repeating: 0, count: 50 * dim), dim: dim, "zeros")
    }

    func testEdgeCases() throws {
        let dim = 152
        try requireReplay(dim: dim)
        var rng = SplitMix64(seed: 27)
        let one = uniform(dim, &rng, scale: 2)
        try assertSame(uniform(300 * dim, &rng, scale: 2), one, dim: dim, "bank of one row")
        try assertSame(one, one, dim: dim, "one query equal to the one bank row")
        let bank = uniform(1030 * dim, &rng, scale: 2)
        try assertSame(Array(bank[(1024 * dim)..<(1025 * dim)]), bank, dim: dim, "one query, a bank row past the first tile")
        try assertSame(bank, bank, dim: dim, "queries equal to the bank rows")
    }

    func testFallback() {
        // Values the bound does not cover: the pruned search declines, `apply`'s search runs the brute force.
        let dim = 4
        let bank: [Float] = [1, 2, 3, 4, .infinity, 0, 0, 0]
        let index = PatchCore.SearchIndex(bank: bank, bankCount: 2, dim: dim)
        let norms = bank.withUnsafeBufferPointer { PatchCore.squaredNorms($0.baseAddress!, count: 2, dim: dim) }
        XCTAssertNil(PatchCore.nearestDistancesPruned([1, 1, 1, 1], count: 1, bank: bank, bankNorms: norms,
                                                      bankCount: 2, dim: dim, index: index))
        let huge: [Float] = [1e20, 0, 0, 0]
        let finite = PatchCore.SearchIndex(bank: Array(bank[0..<4]), bankCount: 1, dim: dim)
        XCTAssertNil(PatchCore.nearestDistancesPruned(huge, count: 1, bank: Array(bank[0..<4]), bankNorms: [30],
                                                      bankCount: 1, dim: dim, index: finite))
    }

    func testRealPatches() throws {
        let root = Golden.root.appendingPathComponent(".cache/elpv").path
        let labels = root + "/labels.csv"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: labels), "ELPV not fetched")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Golden.weightsPath), "weights not fetched")
        var good: [String] = [], other: [String] = []
        for line in try String(contentsOfFile: labels, encoding: .utf8).split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            guard f.count >= 3, f[2] == "mono" else { continue }
            if Double(f[1]) == 0 { good.append(root + "/" + f[0]) } else { other.append(root + "/" + f[0]) }
        }
        let size = 128
        let fitImages = try good.prefix(6).map { try DetectorImage.load(path: $0, height: size, width: size) }
        let testImages = try (good.dropFirst(6).prefix(2) + other.prefix(2)).map {
            try DetectorImage.load(path: $0, height: size, width: size)
        }
        let net = try EfficientNetLite0(path: Golden.weightsPath)
        var config = PatchCore.Config()
        config.coresetRatio = 0.25
        var detector = try PatchCore.fit(fitImages, backbone: net, weightsPath: Golden.weightsPath, config: config)
        try requireReplay(dim: detector.dim)
        // The patches of the test images against the fitted bank.
        let inputs = testImages.map { net.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let q = net.forwardBatch(inputs, height: size, width: size, stages: config.stages).flatMap { PatchCore.embed($0).values }
        let fraction = try assertSame(q, detector.memoryBank, dim: detector.dim, "ELPV patches")
        print("pruned search on ELPV patches: bank \(detector.memoryBank.count / detector.dim), queries \(q.count / detector.dim), "
              + "fraction evaluated \(fraction)")
        // The fit images' own patches (each at distance 0 from a bank row or near one).
        let fitInputs = fitImages.prefix(2).map { net.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let own = net.forwardBatch(fitInputs, height: size, width: size, stages: config.stages).flatMap { PatchCore.embed($0).values }
        try assertSame(own, detector.memoryBank, dim: detector.dim, "ELPV training patches")
        // Through apply: the same maps bit for bit with either search (and apply's pruned search does run).
        detector.search = .pruned
        let norms = detector.memoryBank.withUnsafeBufferPointer {
            PatchCore.squaredNorms($0.baseAddress!, count: detector.memoryBank.count / detector.dim, dim: detector.dim)
        }
        XCTAssertNotNil(detector.nearestDistances(q, count: q.count / detector.dim, bankNorms: norms).evaluated)
        let pruned = try detector.apply(testImages)
        detector.search = .bruteForce
        let brute = try detector.apply(testImages)
        XCTAssertEqual(pruned.map { $0.map(\.bitPattern) }, brute.map { $0.map(\.bitPattern) })
    }
}
