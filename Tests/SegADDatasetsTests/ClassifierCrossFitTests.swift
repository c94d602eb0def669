import Foundation
import XCTest
import SegADKernels
import SegADMethod
import SegADCore
@testable import SegADDatasets

/// Cross-fitting of the supervised classifier g(I) (docs/design.md, "Invariants", 2).
final class ClassifierCrossFitTests: XCTestCase {
    /// A set where the classifier can memorize its training rows but knows
    /// nothing: its inputs are 100 dimensions of pure noise for 80 training
    /// rows (separable, so an L2 logistic regression fits them nearly
    /// perfectly), while one detector feature carries the real signal. The
    /// classifier's training rows are the forest's training rows.
    ///
    /// With in-sample scores the classifier column separates the forest's
    /// training rows perfectly, the forest trusts it, and test AUROC falls
    /// well below the forest without it (checked, so the test can fail);
    /// with cross-fitted scores the column is noise on training rows too and
    /// SegAD with the classifier stays within noise of SegAD without it.
    func testCrossFittedScoresDoNotLetTheForestTrustAMemorizingClassifier() throws {
        var rng = SplitMix64(seed: 2024)
        let train = 80, test = 400, dims = 100, n = train + test
        let labels = (0..<n).map { $0 % 2 == 1 }
        var noise = [Double](repeating: 0, count: n * dims)
        for i in 0..<(n * dims) { noise[i] = rng.normal() }
        // Detector features: one informative (shift 1.2 σ), three noise.
        let detectorColumns = 4
        var detector = [Double](repeating: 0, count: n * detectorColumns)
        for i in 0..<n {
            detector[i * detectorColumns] = rng.normal() + (labels[i] ? 1.2 : 0)
            for j in 1..<detectorColumns { detector[i * detectorColumns + j] = rng.normal() }
        }
        let trainRows = Array(0..<train), testRows = Array(train..<n)
        let fit = try ClassifierCrossFit.fit(noise, columns: dims, labels: labels, classifierRows: trainRows,
                                             forestRows: trainRows, k: 5, seed: 0, c: 1, source: "synthetic")
        func full(_ i: Int) -> Double { fit.full.score(noise[(i * dims)..<((i + 1) * dims)]) }
        let inSample = (0..<n).map(full)
        var crossFitted = inSample
        for (r, i) in trainRows.enumerated() {
            crossFitted[i] = fit.folds[fit.foldOfForestRow[r]].score(noise[(i * dims)..<((i + 1) * dims)])
        }
        // The classifier memorizes: in-sample perfect, out of sample chance.
        XCTAssertEqual(Metrics.auroc(scores: trainRows.map { inSample[$0] }, labels: trainRows.map { labels[$0] }), 1, accuracy: 1e-9)
        XCTAssertLessThan(abs(Metrics.auroc(scores: testRows.map { inSample[$0] }, labels: testRows.map { labels[$0] }) - 0.5), 0.08)

        func segadAUROC(_ classifier: [Double]?) throws -> Double {
            let columns = detectorColumns + (classifier == nil ? 0 : 1)
            func rows(_ ids: [Int]) -> [Float] {
                ids.flatMap { i -> [Float] in
                    (0..<detectorColumns).map { Float(detector[i * detectorColumns + $0]) } + (classifier.map { [Float($0[i])] } ?? [])
                }
            }
            var aurocs: [Double] = []
            for seed in 0..<3 {
                var p = BRFParameters(numParallelTree: 20)
                p.seed = seed
                let booster = try BoostedRandomForest.train(features: rows(trainRows), rows: train, columns: columns,
                                                            labels: trainRows.map { labels[$0] ? 1 : 0 }, parameters: p)
                let scores = try BoostedRandomForest.scores(booster, features: rows(testRows), rows: test, columns: columns)
                aurocs.append(Metrics.auroc(scores: scores, labels: testRows.map { labels[$0] }))
            }
            return aurocs.reduce(0, +) / Double(aurocs.count)
        }
        let without = try segadAUROC(nil)
        let withCrossFitted = try segadAUROC(crossFitted)
        let withInSample = try segadAUROC(inSample)
        print("memorizing classifier: SegAD AUROC without \(without), cross-fitted \(withCrossFitted), in-sample \(withInSample)")
        XCTAssertGreaterThan(without, 0.7, "the detector feature carries signal")
        XCTAssertGreaterThanOrEqual(withCrossFitted, without - 0.03,
                                    "cross-fitted: \(withCrossFitted), without classifier: \(without)")
        XCTAssertLessThan(withInSample, without - 0.05,
                          "in-sample scores must hurt here (else this test could not fail): \(withInSample) vs \(without)")
    }

    /// Each forest row's score comes from a fold model fitted without it:
    /// the fold models differ from the full one, and a forest row never is
    /// in its own fold model's training rows (checked through the fit's
    /// training sets: refitting a fold model on `classifier-train` minus the
    /// fold gives the same weights).
    func testFoldModelsExcludeTheirFold() throws {
        var rng = SplitMix64(seed: 7)
        let n = 60, d = 5
        let labels = (0..<n).map { $0 % 3 == 0 }
        let x = (0..<(n * d)).map { i in rng.normal() + (labels[i / d] && i % d == 0 ? 1 : 0) }
        let classifierRows = Array(0..<45), forestRows = Array(20..<60)
        let fit = try ClassifierCrossFit.fit(x, columns: d, labels: labels, classifierRows: classifierRows,
                                             forestRows: forestRows, k: 5, seed: 3, c: 1, source: "t")
        XCTAssertEqual(fit.folds.count, 5)
        XCTAssertEqual(fit.foldOfForestRow, StratifiedKFold.folds(labels: forestRows.map { labels[$0] }, k: 5, seed: 3))
        for f in 0..<5 {
            let held = Set(zip(forestRows, fit.foldOfForestRow).filter { $0.1 == f }.map(\.0))
            XCTAssertFalse(held.isEmpty)
            let again = StandardizedLogistic.fit(x, columns: d, rows: classifierRows.filter { !held.contains($0) }, labels: labels, c: 1)
            XCTAssertEqual(again.model.weights, fit.folds[f].model.weights)
            XCTAssertNotEqual(fit.folds[f].model.weights, fit.full.model.weights)
        }
        // A fold left without bad classifier rows is refused in one line.
        let onlyGoodOutside = labels.indices.filter { !labels[$0] } + [0]
        XCTAssertThrowsError(try ClassifierCrossFit.fit(x, columns: d, labels: labels, classifierRows: onlyGoodOutside,
                                                        forestRows: [0] + Array(1..<10), k: 2, seed: 0, c: 1, source: "m.json")) {
            let what = "cross-fitting fold 2 of 2 ('classifier-train' minus the fold's 'segad-train' rows)"
            XCTAssertEqual($0 as? ClassifierError, .needsBothClasses("m.json", what: what))
            XCTAssertEqual("\($0)", "m.json: \(what) needs good and bad rows")  // the printed line
        }
    }

    /// Inner cross-validation picks strong regularization for pure noise and
    /// weak regularization for a clean signal, from the model's rows only.
    func testInnerCrossValidationChoosesC() {
        var rng = SplitMix64(seed: 11)
        let n = 80, d = 30
        let labels = (0..<n).map { $0 % 2 == 0 }
        let noise = (0..<(n * d)).map { _ in rng.normal() }
        XCTAssertEqual(StandardizedLogistic.chooseC(noise, columns: d, rows: Array(0..<n), labels: labels,
                                                    grid: ClassifierCrossFit.cGrid, k: 5, seed: 0), 0.01)
        let signal = (0..<(n * 2)).map { i in rng.normal() * 0.3 + (i % 2 == 0 && labels[i / 2] ? 2 : 0) }
        XCTAssertGreaterThanOrEqual(StandardizedLogistic.chooseC(signal, columns: 2, rows: Array(0..<n), labels: labels,
                                                                 grid: ClassifierCrossFit.cGrid, k: 5, seed: 0), 1)
        // Rows outside `rows` play no part.
        var poisoned = noise
        for i in (n / 2 * d)..<(n * d) { poisoned[i] = labels[i / d] ? 5 : -5 }
        XCTAssertEqual(StandardizedLogistic.chooseC(poisoned, columns: d, rows: Array(0..<(n / 2)), labels: labels,
                                                    grid: ClassifierCrossFit.cGrid, k: 5, seed: 0), 0.01)
    }

    /// A manifest whose classifier-train names a test row of the same seed is refused on load.
    func testManifestRefusesClassifierTrainOnTestRows() throws {
        let json = """
        {"format": "segad-manifest", "version": 1, "name": "t", "items": [
          {"id": "a", "label": "good"}, {"id": "b", "label": "bad"}, {"id": "c", "label": "good"}],
         "seeds": {"0": {"classifier-train": ["a", "b"], "segad-train": ["a"], "test": ["b", "c"]}}}
        """
        let path = NSTemporaryDirectory() + "/cf-manifest-\(getpid()).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try Manifest.load(path: path)) {
            XCTAssertEqual($0 as? ManifestError, .trainedAndTested(path, seed: "0", role: .classifierTrain, id: "b"))
        }
    }
}

extension SplitMix64 {
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double { sqrt(-2 * log(max(unit(), 1e-300))) * cos(2 * .pi * unit()) }
}
