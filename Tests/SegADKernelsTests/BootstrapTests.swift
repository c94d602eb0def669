// Golden file: Golden/bootstrap.json, made by Golden/make_bootstrap.py: two
// small fixed groups (seeded numpy draws, rounded to 0.1 so scores tie), 300
// resamples from SplitMix64 seed 7 reproduced in Python, each resample's
// AUROC by sklearn.metrics.roc_auc_score and FPR@95TPR by numpy.quantile
// (bad, 0.05), the interval numpy.quantile(mean over groups ×100, [0.025, 0.975]).
import Foundation
import XCTest
import SegADKernels

struct BootstrapGolden: Decodable {
    struct Group: Decodable { var scores: [Double]; var labels: [Bool] }
    var groups: [Group]
    var resamples: Int
    var seed: UInt64
    var first_indices: [[Int]]
    var auroc: [[Double]]
    var fpr: [[Double]]
    var auroc_interval: [Double]
    var fpr_interval: [Double]
}

final class BootstrapTests: XCTestCase {
    func load() throws -> BootstrapGolden {
        try JSONDecoder().decode(BootstrapGolden.self, from: Data(contentsOf: goldenURL("bootstrap.json")))
    }

    func testIndicesMatchTheDocumentedDraws() throws {
        let g = try load()
        var rng = SplitMix64(seed: g.seed)
        var drawn: [[Int]] = []
        for _ in 0..<3 { for group in g.groups { drawn.append(Bootstrap.stratifiedIndices(labels: group.labels, rng: &rng)) } }
        XCTAssertEqual(drawn, g.first_indices)
        // Stratified: every resample keeps each group's good and bad counts.
        for (idx, group) in zip(drawn, g.groups + g.groups + g.groups) {
            XCTAssertEqual(idx.filter { group.labels[$0] }.count, group.labels.filter { $0 }.count)
            XCTAssertEqual(idx.count, group.labels.count)
        }
    }

    func testReplicatesAndIntervalMatchNumpy() throws {
        let g = try load()
        let groups = g.groups.map { Bootstrap.Group(scores: $0.scores, labels: $0.labels) }
        let reps = Bootstrap.replicates(groups: groups, resamples: g.resamples, seed: g.seed)
        XCTAssertEqual(reps.count, g.resamples)
        for b in 0..<g.resamples {
            for k in groups.indices {
                XCTAssertEqual(reps[b][k].auroc, g.auroc[b][k], accuracy: 1e-12, "resample \(b), group \(k)")
                XCTAssertEqual(reps[b][k].fpr, g.fpr[b][k], accuracy: 1e-12, "resample \(b), group \(k)")
            }
        }
        let meanA = reps.map { 100 * $0.map(\.auroc).reduce(0, +) / Double($0.count) }
        let meanF = reps.map { 100 * $0.map(\.fpr).reduce(0, +) / Double($0.count) }
        let a = Bootstrap.percentileInterval(meanA), f = Bootstrap.percentileInterval(meanF)
        XCTAssertEqual(a.low, g.auroc_interval[0], accuracy: 1e-9)
        XCTAssertEqual(a.high, g.auroc_interval[1], accuracy: 1e-9)
        XCTAssertEqual(f.low, g.fpr_interval[0], accuracy: 1e-9)
        XCTAssertEqual(f.high, g.fpr_interval[1], accuracy: 1e-9)
        // Another seed draws other resamples.
        let other = Bootstrap.replicates(groups: groups, resamples: 20, seed: g.seed + 1)
        XCTAssertNotEqual(other.map { $0.map(\.auroc) }, reps.prefix(20).map { $0.map(\.auroc) })
    }

    func testIntervalOfNaNOrNothingIsNaN() {
        XCTAssertTrue(Bootstrap.percentileInterval([]).low.isNaN)
        XCTAssertTrue(Bootstrap.percentileInterval([1, .nan, 2]).high.isNaN)
    }
}
