import Foundation
import XCTest
import SegADKernels
import SegADNative
@testable import SegADDetectors

/// The per-stage work of the line-speed round (docs/patchcore.md,
/// "Per-stage floors"): PaDiM's batched Mahalanobis distances equal the
/// per-image ones bit for bit, and the stage clock reports each detector's
/// stages without changing a map.
final class StageTimingTests: XCTestCase {
    func images(_ n: Int, seed: UInt64) -> [DetectorImage] { TinyDetectors.images(n, seed: seed) }

    /// Random lower factors (positive diagonal, zero above it, as the fit
    /// leaves them), means and embeddings; the batch, split over the cores
    /// by position, gives each image exactly its own `mahalanobis`.
    func testBatchedMahalanobisEqualsPerImageBitForBit() {
        var rng = SplitMix64(seed: 11)
        func r() -> Float { Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
        for (p, d, n) in [(1, 1, 1), (37, 10, 3), (64, 100, 5), (5, 17, 1)] {
            var factors = [Float](repeating: 0, count: p * d * d)
            for pos in 0..<p {
                for i in 0..<d {
                    for j in 0...i { factors[pos * d * d + i * d + j] = i == j ? 0.5 + abs(r()) : r() }
                }
            }
            let mean = (0..<(p * d)).map { _ in r() }
            let xs = (0..<n).map { _ in (0..<(p * d)).map { _ in 4 * r() } }
            let batch = PaDiM.mahalanobis(batch: xs, mean: mean, cholesky: factors, positions: p, d: d)
            XCTAssertEqual(batch.count, n)
            for (k, x) in xs.enumerated() {
                let alone = PaDiM.mahalanobis(x, mean: mean, cholesky: factors, positions: p, d: d)
                XCTAssertEqual(batch[k].map(\.bitPattern), alone.map(\.bitPattern), "p \(p) d \(d) image \(k)")
            }
        }
    }

    /// PaDiM's apply (batched distances) gives the maps of the per-image
    /// path it replaced: distances, bilinear upsampling, blur, one image at a time.
    func testPaDiMApplyEqualsThePerImagePath() throws {
        let net = try TinyDetectors.backbone()
        let pd = try TinyDetectors.padim(images(6, seed: 12), backbone: net)
        let test = images(3, seed: 13)
        let maps = try pd.apply(test, progress: nil)
        let inputs = test.map { net.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let feats = net.forwardBatch(inputs, height: 64, width: 64, stages: pd.config.stages)
        for (i, image) in test.enumerated() {
            let e = PaDiM.embed(feats[i], channels: pd.channels)
            let dist = PaDiM.mahalanobis(e.values, mean: pd.mean, cholesky: pd.cholesky, positions: e.h * e.w, d: pd.d)
            let up = MapOps.bilinear(dist, channels: 1, height: e.h, width: e.w, toHeight: image.height, toWidth: image.width)
            let expected = MapOps.gaussianBlur(up, height: image.height, width: image.width, sigma: pd.config.sigma)
            XCTAssertEqual(maps[i].map(\.bitPattern), expected.map(\.bitPattern), "image \(i)")
        }
    }

    /// With a sink, each detector reports its stages in order; the maps are
    /// the ones an untimed apply gives. Without one, nothing is reported.
    func testStageClockReportsEachDetectorsStagesWithoutChangingMaps() throws {
        let net = try TinyDetectors.backbone()
        let train = images(6, seed: 14), test = images(3, seed: 15)
        var pc = try TinyDetectors.patchCore(train, backbone: net)
        pc.search = .bruteForce
        let detectors: [any PixelDetector] = [
            pc,
            try TinyDetectors.padim(train, backbone: net),
            try GoldenTemplate.fit(train),
        ]
        let untimed = try detectors.map { try $0.apply(test, progress: nil) }
        final class Log: @unchecked Sendable { var stages: [String] = [] }
        let log = Log()
        StageClock.sink = { stage, duration in
            XCTAssertGreaterThanOrEqual(duration, .zero)
            log.stages.append(stage)
        }
        defer { StageClock.sink = nil }
        let timed = try detectors.map { try $0.apply(test, progress: nil) }
        StageClock.sink = nil
        XCTAssertEqual(timed.map { $0.map { $0.map(\.bitPattern) } }, untimed.map { $0.map { $0.map(\.bitPattern) } })
        XCTAssertEqual(Array(Set(log.stages)).sorted(), [
            "golden-template blur", "golden-template deviation",
            "padim backbone", "padim embed", "padim mahalanobis", "padim upsample and blur",
            "patchcore backbone", "patchcore embed", "patchcore nn (brute)", "patchcore upsample and blur",
        ])
        XCTAssertEqual(log.stages.prefix(4), ["patchcore backbone", "patchcore embed", "patchcore nn (brute)", "patchcore upsample and blur"])
        XCTAssertEqual(log.stages.filter { $0 == "golden-template blur" }.count, test.count)
        log.stages = []
        _ = try detectors.map { try $0.apply(test, progress: nil) }
        XCTAssertEqual(log.stages, [])
    }
}
