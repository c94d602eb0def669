import Foundation
import XCTest
@testable import SegADDetectors
import CBLASPin

/// The OpenBLAS pin (docs/determinism.md) holds in this very process, the
/// test runner: the Haswell kernels on a CPU with AVX2 and FMA, and the
/// fixed thread count after the backbone's single-threaded BLAS.
final class BLASPinTests: XCTestCase {
    func testThePinHoldsInTheTestRunner() throws {
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
        try XCTSkipUnless(flags.contains("avx2") && flags.contains("fma"), "no AVX2 and FMA: OpenBLAS keeps its own choice")
        XCTAssertEqual(segad_blas_pinned(), 1)
        XCTAssertEqual(String(cString: segad_blas_core()).lowercased(), "haswell")
        XCTAssertEqual(segad_blas_thread_count(), SEGAD_BLAS_THREADS)
        let seen = BLASThreads.with(1) { segad_blas_thread_count() }
        XCTAssertEqual(seen, 1)
        XCTAssertEqual(segad_blas_thread_count(), SEGAD_BLAS_THREADS, "back to the fixed count, not the CPU count")
    }

    /// segad_blas_select goes through OpenBLAS's own start-up and back, and
    /// leaves the caller's environment as it was.
    func testSelectSwitchesAndRestoresTheEnvironment() throws {
        try XCTSkipUnless(segad_blas_pinned() == 1, "OpenBLAS is not pinned here")
        let before = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        XCTAssertEqual(segad_blas_select("Prescott"), 1)
        XCTAssertEqual(String(cString: segad_blas_core()).lowercased(), "prescott")
        XCTAssertEqual(segad_blas_select("Haswell"), 1)
        XCTAssertEqual(String(cString: segad_blas_core()).lowercased(), "haswell")
        XCTAssertEqual(getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }, before)
    }
}
