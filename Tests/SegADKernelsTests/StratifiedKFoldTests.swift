// Golden file: Golden/stratified_kfold.json, made by
// Golden/make_stratified_kfold.py with sklearn 1.9.1 / numpy 2.4.6: per case,
// the test fold of every row under
// sklearn.model_selection.StratifiedKFold(n_splits=k, shuffle=True,
// random_state=seed).split(zeros(n), y) — 144 cases: six label sets (80 good
// then 40 bad as in score-elpv, 24 + 12 as in the ScoreNew test, two shuffled
// mixes with either class first, a class with fewer rows than k, one class
// only) × k in 2, 3, 5, 10 × seeds 0, 1, 7, 42, 2^31, 2^32 − 1.
import Foundation
import XCTest
import SegADKernels

struct StratifiedKFoldGolden: Decodable {
    struct Case: Decodable {
        var name: String
        var labels: [Int]
        var k: Int
        var seed: UInt32
        var folds: [Int]
    }
    var cases: [Case]
}

final class StratifiedKFoldTests: XCTestCase {
    func testMatchesSklearn() throws {
        let g = try JSONDecoder().decode(StratifiedKFoldGolden.self,
                                         from: Data(contentsOf: goldenURL("stratified_kfold.json")))
        XCTAssertEqual(g.cases.count, 144)
        XCTAssertTrue(g.cases.contains { $0.seed == UInt32.max })
        for c in g.cases {
            XCTAssertEqual(StratifiedKFold.folds(labels: c.labels.map { $0 == 1 }, k: c.k, seed: c.seed), c.folds,
                           "\(c.name) k \(c.k) seed \(c.seed)")
        }
    }

    /// Every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class c; the same
    /// seed gives the same folds, another seed others.
    func testBalancedPerClassAndSeeded() {
        let labels = (0..<103).map { $0 % 4 == 0 }
        let folds = StratifiedKFold.folds(labels: labels, k: 5, seed: 42)
        for c in [false, true] {
            let n = labels.filter { $0 == c }.count
            for f in 0..<5 {
                let count = zip(labels, folds).filter { $0.0 == c && $0.1 == f }.count
                XCTAssertTrue(count == n / 5 || count == (n + 4) / 5, "class \(c) fold \(f): \(count) of \(n)")
            }
        }
        XCTAssertEqual(folds, StratifiedKFold.folds(labels: labels, k: 5, seed: 42))
        XCTAssertNotEqual(folds, StratifiedKFold.folds(labels: labels, k: 5, seed: 43))
        XCTAssertEqual(StratifiedKFold.folds(labels: [], k: 5, seed: 0), [])
    }
}
