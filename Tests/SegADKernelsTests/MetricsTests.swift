// Golden file: Golden/metrics.json, made by Golden/make_golden.py
// (sklearn.metrics.roc_auc_score; FPR@95TPR as thr = numpy.quantile(bad, 0.05),
// FPR = mean(~(good < thr)); numpy.mean / numpy.std; numpy.quantile 'linear').
import Foundation
import XCTest
import SegADKernels

struct MetricsGolden: Decodable {
    struct Case: Decodable {
        var name: String
        var scores: [Double]
        var labels: [Bool]
        var auroc: Double
        var fpr95tpr: Double
    }
    struct MeanStd: Decodable { var values: [Double]; var mean: Double; var std: Double }
    struct QuantileCase: Decodable { var values: [Double]; var qs: [Double]; var expected: [Double] }
    var cases: [Case]
    var meanStd: [MeanStd]
    var quantiles: [QuantileCase]
}

final class MetricsTests: XCTestCase {
    func load() throws -> MetricsGolden {
        try JSONDecoder().decode(MetricsGolden.self, from: Data(contentsOf: goldenURL("metrics.json")))
    }

    func testAUROCAndFPR() throws {
        let g = try load()
        XCTAssertGreaterThan(g.cases.count, 10)
        for c in g.cases {
            XCTAssertEqual(Metrics.auroc(scores: c.scores, labels: c.labels), c.auroc, accuracy: 1e-9, c.name)
            XCTAssertEqual(Metrics.fprAtTPR95(scores: c.scores, labels: c.labels), c.fpr95tpr, accuracy: 1e-9, c.name)
        }
    }

    func testOneClassAbsentIsNaN() {
        XCTAssertTrue(Metrics.auroc(scores: [1, 2], labels: [true, true]).isNaN)
        XCTAssertTrue(Metrics.auroc(scores: [1, 2], labels: [false, false]).isNaN)
        XCTAssertTrue(Metrics.fprAtTPR95(scores: [1, 2], labels: [false, false]).isNaN)
        XCTAssertTrue(Metrics.auroc(scores: [], labels: []).isNaN)
    }

    func testMeanStd() throws {
        for c in try load().meanStd {
            let r = Metrics.meanStd(c.values)
            XCTAssertEqual(r.mean, c.mean, accuracy: 1e-12 * max(1, abs(c.mean)))
            XCTAssertEqual(r.std, c.std, accuracy: 1e-12 * max(1, abs(c.std)))
        }
        XCTAssertTrue(Metrics.meanStd([]).mean.isNaN)
    }

    func testQuantile() throws {
        for c in try load().quantiles {
            for (q, e) in zip(c.qs, c.expected) {
                XCTAssertEqual(Quantile.linear(c.values, q: q), e, "n \(c.values.count) q \(q)")
            }
        }
        XCTAssertTrue(Quantile.linear([], q: 0.5).isNaN)
        XCTAssertTrue(Quantile.linear([1, .nan, 3], q: 0.5).isNaN)
    }
}
