// Golden file: Golden/clopper_pearson.json, made by
// Golden/make_clopper_pearson.py with scipy 1.17.1 (beta.ppf).
import Foundation
import XCTest
@testable import SegADKernels

struct ClopperPearsonGolden: Decodable {
    struct Case: Decodable { var k: Int; var n: Int; var lower: Double; var upper: Double }
    var level: Double
    var cases: [Case]
}

final class ClopperPearsonTests: XCTestCase {
    func testMatchesScipyBetaQuantiles() throws {
        let g = try JSONDecoder().decode(ClopperPearsonGolden.self, from: Data(contentsOf: goldenURL("clopper_pearson.json")))
        XCTAssertGreaterThan(g.cases.count, 10)
        for c in g.cases {
            let (lo, hi) = ClopperPearson.interval(events: c.k, trials: c.n, level: g.level)
            // Bisection to 1e-15 relative; the CDF sum is good to ~1e-13.
            XCTAssertEqual(lo, c.lower, accuracy: 1e-9 * max(c.lower, 1e-12), "k=\(c.k) n=\(c.n)")
            XCTAssertEqual(hi, c.upper, accuracy: 1e-9 * c.upper, "k=\(c.k) n=\(c.n)")
        }
    }

    /// The threshold lets at most ⌊target·n⌋ held-out scores reach it, ties included.
    func testFalseAlarmPointIsWithinTargetByConstruction() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 2, 9, 10, 99, 100, 101, 1000] {
            for target in [0.001, 0.01, 0.05, 0.1, 0.5] {
                // Scores on a coarse grid, so ties are common.
                let scores = (0..<n).map { _ in Double(rng.next() % 13) / 4 }
                let p = FalseAlarmPoint.choose(goodScores: scores, target: target)
                let alarms = scores.filter { $0 >= p.threshold }.count
                XCTAssertEqual(alarms, p.falseAlarms)
                XCTAssertLessThanOrEqual(alarms, Int((target * Double(n) + 1e-9).rounded(.down)), "n=\(n) target=\(target)")
                XCTAssertLessThanOrEqual(p.rate, target + 1e-12)
                XCTAssertTrue(p.interval.lower <= p.rate && p.rate <= p.interval.upper)
            }
        }
        // No ties: exactly the allowed number; a = 0: just above the highest score.
        let distinct = (0..<200).map(Double.init)
        XCTAssertEqual(FalseAlarmPoint.choose(goodScores: distinct, target: 0.01).falseAlarms, 2)
        let zero = FalseAlarmPoint.choose(goodScores: Array(distinct.prefix(50)), target: 0.01)
        XCTAssertEqual(zero.falseAlarms, 0)
        XCTAssertEqual(zero.threshold, 49 + 49e-6)
        XCTAssertEqual(FalseAlarmPoint.choose(goodScores: distinct, target: 0.01).threshold, 197.5)
        XCTAssertEqual(zero.interval.upper, ClopperPearson.interval(events: 0, trials: 50).upper)
    }
}
