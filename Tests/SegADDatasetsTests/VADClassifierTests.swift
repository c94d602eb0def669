import XCTest
@testable import SegADDatasets

final class VADClassifierTests: XCTestCase {
    /// At the optimum of ½‖w‖² + c·Σ log(1 + e^(−y z)), the gradient is zero:
    /// w = c·Σ (yᵢ′ − pᵢ) xᵢ and Σ (yᵢ′ − pᵢ) = 0 (yᵢ′ ∈ {0, 1}).
    func testNewtonReachesTheRegularizedOptimum() {
        var x: [Double] = [], y: [Bool] = []
        var s: UInt64 = 42
        func u() -> Double { s = s &* 6364136223846793005 &+ 1; return Double(s >> 11) / Double(1 << 53) - 0.5 }
        for i in 0..<200 {
            let bad = i % 3 == 0
            x += [u() + (bad ? 0.4 : 0), u(), u() - (bad ? 0.2 : 0)]
            y.append(bad)
        }
        let model = LogisticRegression.fit(x, rows: 200, columns: 3, labels: y, c: 2)
        var grad = model.weights, gb = 0.0
        for i in 0..<200 {
            let p = 1 / (1 + exp(-model.decision(x[(i * 3)..<(i * 3 + 3)])))
            let r = 2 * (p - (y[i] ? 1 : 0))
            for j in 0..<3 { grad[j] += r * x[i * 3 + j] }
            gb += r
        }
        for g in grad + [gb] { XCTAssertEqual(g, 0, accuracy: 1e-7) }
        XCTAssertGreaterThan(model.weights[0], 0)
        XCTAssertLessThan(model.weights[2], 0)
    }

    func testCholeskySolve() {
        let a: [Double] = [4, 2, 0, 2, 5, 1, 0, 1, 3]
        let x = LogisticRegression.solveSPD(a, [2, 3, 4], 3)
        for i in 0..<3 {
            XCTAssertEqual((0..<3).map { a[i * 3 + $0] * x[$0] }.reduce(0, +), [2.0, 3, 4][i], accuracy: 1e-12)
        }
    }
}
