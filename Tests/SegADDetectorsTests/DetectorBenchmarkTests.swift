import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors
internal import COpenBLAS

/// Speed measurements, run only when asked and only in release builds:
///
///     SEGAD_BENCH=1 swift test -c release --filter DetectorBenchmarkTests
///
/// Prints OpenBLAS sgemm GFLOP/s (2 threads), EfficientNet-Lite0 forward
/// images/s at 256×256 (stages 0…4, batch of 16 over both cores), and the
/// PatchCore nearest-neighbour search GFLOP/s (1024 queries × 20480-entry
/// bank × 152 channels, 2·q·m·d flops). PyTorch's number for the same forward
/// comes from scripts/detectors/bench_torch_backbone.py.
final class DetectorBenchmarkTests: XCTestCase {
    func timed(_ body: () -> Void) -> Double {
        let t = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
    }

    func testSpeed() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SEGAD_BENCH"] == "1", "set SEGAD_BENCH=1")
        try XCTSkipIf(_isDebugAssertConfiguration(), "benchmarks refuse debug builds")
        var rng = SplitMix64(seed: 1)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.next() >> 40) / Float(1 << 24) - 0.5 } }

        // sgemm peak on this machine, both cores.
        segad_openblas_set_threads(Int32(Parallel.cores))
        let n = 1536
        let a = random(n * n), b = random(n * n)
        var c = [Float](repeating: 0, count: n * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        let reps = 5
        let tg = timed { for _ in 0..<reps {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        } }
        let gemm = 2 * Double(n * n * n) * Double(reps) / tg / 1e9
        print(String(format: "BENCH sgemm %dx%dx%d: %.1f GFLOP/s", n, n, n, gemm))

        // PatchCore nearest-neighbour search.
        let (q, m, d) = (1024, 20480, 152)
        let queries = random(q * d), bank = random(m * d)
        _ = PatchCore.nearestDistances(queries, count: q, bank: bank, bankCount: m, dim: d)
        let tn = timed { _ = PatchCore.nearestDistances(queries, count: q, bank: bank, bankCount: m, dim: d) }
        let nn = 2 * Double(q) * Double(m) * Double(d) / tn / 1e9
        print(String(format: "BENCH PatchCore NN search q=%d m=%d d=%d: %.1f GFLOP/s (%.0f%% of sgemm)", q, m, d, nn, 100 * nn / gemm))

        // Backbone forward.
        guard FileManager.default.fileExists(atPath: Golden.weightsPath) else { return }
        let net = try EfficientNetLite0(path: Golden.weightsPath)
        let images = (0..<16).map { _ in random(3 * 256 * 256) }
        _ = net.forwardBatch(Array(images[0..<2]), height: 256, width: 256, stages: [4])
        let tb = timed { _ = net.forwardBatch(images, height: 256, width: 256, stages: [2, 4]) }
        print(String(format: "BENCH EfficientNet-Lite0 forward 256x256 to stage 4: %.1f images/s", Double(images.count) / tb))
        let tf = timed { _ = net.forwardBatch(images, height: 256, width: 256, stages: [6]) }
        print(String(format: "BENCH EfficientNet-Lite0 forward 256x256 all stages: %.1f images/s", Double(images.count) / tf))
    }
}
