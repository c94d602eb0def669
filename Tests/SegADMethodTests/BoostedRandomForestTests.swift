import Foundation
import XCTest
import SegADCore
import SegADMethod
import SegADNative
import _TestSupport

final class BoostedRandomForestTests: XCTestCase {
    /// `rows × columns` features: every third row is bad; the first half of
    /// the features shift with the label, the rest are noise; ~6% NaN.
    private func dataSet(rows: Int = 120, columns: Int = 12, seed: UInt64 = 42)
        -> (features: [Float], labels: [Int]) {
        var rng = SplitMix64(seed: seed)
        var features: [Float] = []
        var labels: [Int] = []
        for r in 0..<rows {
            let bad = r % 3 == 2
            labels.append(bad ? 1 : 0)
            for c in 0..<columns {
                let noise = rng.unitFloat() * 2 - 1
                let shift: Float = bad && c < columns / 2 ? 0.6 : 0
                let missing = rng.unitFloat() < 0.06
                features.append(missing ? .nan : noise + shift + Float(c))
            }
        }
        return (features, labels)
    }

    private func train(_ data: (features: [Float], labels: [Int]), _ parameters: BRFParameters = .init(),
                       columns: Int = 12) throws -> XGBBooster {
        try BoostedRandomForest.train(features: data.features, rows: data.labels.count, columns: columns,
                                      labels: data.labels, parameters: parameters)
    }

    // MARK: parameters

    func testDefaultsAreThePapers() {
        let p = BRFParameters()
        let expected: [(String, String)] = [
            ("booster", "gbtree"), ("objective", "binary:logitraw"), ("tree_method", "hist"),
            ("num_parallel_tree", "200"), ("max_depth", "5"), ("eta", "0.3"), ("subsample", "0.6"),
            ("colsample_bytree", "0.6"), ("colsample_bynode", "0.6"), ("alpha", "1.0"),
            ("seed", "0"), ("nthread", "1"), ("verbosity", "0"),
        ]
        XCTAssertEqual(p.rounds, 10)
        XCTAssertEqual(p.xgboostParameters.map(\.0), expected.map(\.0))
        XCTAssertEqual(p.xgboostParameters.map(\.1), expected.map(\.1))
    }

    func testScalePosWeightResolvesToGoodOverBadWithFullPrecision() {
        let resolved = BRFParameters(seed: 7, threads: 2).resolved(goodRows: 1000, badRows: 3)
        XCTAssertEqual(resolved.scalePosWeight, 1000.0 / 3.0)
        let dict = Dictionary(uniqueKeysWithValues: resolved.xgboostParameters)
        XCTAssertEqual(dict["scale_pos_weight"], "333.3333333333333")
        XCTAssertEqual(dict["seed"], "7")
        XCTAssertEqual(dict["nthread"], "2")
        // A given weight is kept.
        XCTAssertEqual(BRFParameters(scalePosWeight: 1.5).resolved(goodRows: 10, badRows: 1).scalePosWeight, 1.5)
    }

    func testParametersDecodeFromPartialJSONAndRoundTrip() throws {
        let partial = try JSONDecoder().decode(BRFParameters.self, from: Data(#"{"seed": 333, "threads": 2}"#.utf8))
        XCTAssertEqual(partial, BRFParameters(seed: 333, threads: 2))
        let full = BRFParameters(rounds: 3, scalePosWeight: 0.25, seed: 9)
        let back = try JSONDecoder().decode(BRFParameters.self, from: JSONEncoder().encode(full))
        XCTAssertEqual(back, full)
    }

    // MARK: validation

    func testRefusesOneClassAndEmptyInput() {
        let data = dataSet(rows: 30)
        XCTAssertThrowsError(try BoostedRandomForest.train(
            features: data.features, rows: 30, columns: 12, labels: Array(repeating: 0, count: 30),
            parameters: .init())) { error in
            XCTAssertEqual("\(error)", "BRF training data: both classes are needed, got 30 good and 0 bad rows")
        }
        XCTAssertThrowsError(try BoostedRandomForest.train(
            features: [], rows: 0, columns: 12, labels: [], parameters: .init())) { error in
            XCTAssertEqual("\(error)", "BRF training data: no rows")
        }
        var labels = data.labels
        labels[4] = 2
        XCTAssertThrowsError(try BoostedRandomForest.train(
            features: data.features, rows: 30, columns: 12, labels: labels, parameters: .init())) { error in
            XCTAssertTrue("\(error)".contains("label 2 in row 4"), "\(error)")
        }
        XCTAssertThrowsError(try BoostedRandomForest.train(
            features: data.features, rows: 30, columns: 11, labels: data.labels, parameters: .init()))
    }

    func testBadXGBoostParameterSurfacesXGBoostsText() {
        XCTAssertThrowsError(try train(dataSet(rows: 30), BRFParameters(treeMethod: "no-such-method"))) { error in
            guard let error = error as? XGBoostError else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("no-such-method"), error.message)
        }
    }

    // MARK: model

    func testModelHasAllTreesAndSeparatesTrainingData() throws {
        let data = dataSet()
        let booster = try train(data)
        let json = try booster.jsonModel()
        let model = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let learner = model?["learner"] as? [String: Any]
        let gbm = (learner?["gradient_booster"] as? [String: Any])?["model"] as? [String: Any]
        XCTAssertEqual((gbm?["trees"] as? [Any])?.count, 10 * 200)
        // scale_pos_weight = 80 good / 40 bad reached XGBoost.
        let objective = learner?["objective"] as? [String: Any]
        let loss = objective?["reg_loss_param"] as? [String: Any]
        XCTAssertEqual((loss?["scale_pos_weight"] as? String).flatMap(Double.init), 2)

        let scores = try BoostedRandomForest.scores(booster, features: data.features, rows: 120, columns: 12)
        XCTAssertEqual(scores.count, 120)
        let good = zip(scores, data.labels).filter { $0.1 == 0 }.map(\.0)
        let bad = zip(scores, data.labels).filter { $0.1 == 1 }.map(\.0)
        XCTAssertGreaterThan(bad.reduce(0, +) / Double(bad.count), good.reduce(0, +) / Double(good.count))
        XCTAssertEqual(try BoostedRandomForest.scores(booster, features: [], rows: 0, columns: 12), [])
    }

    /// Python xgboost (pip `xgboost-cpu`) loads the Swift-trained model and
    /// predicts the same margins. Both sum the same float32 leaf values over
    /// the same trees; the order of summation may differ, so margins agree to
    /// float32 rounding (~1e-7 relative per addition over 2000 trees), well
    /// inside the 1e-5 tolerance. Fails if python3 or xgboost is missing.
    func testPythonXGBoostPredictsTheSameMargins() throws {
        let data = dataSet()
        let booster = try train(data, BRFParameters(seed: 3))
        let margins = try BoostedRandomForest.scores(booster, features: data.features, rows: 120, columns: 12)

        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("segad-brf-parity-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try booster.jsonModel().write(to: dir.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        // Float's description round-trips exactly; NaN is written "nan".
        var csv = ""
        for r in 0..<120 {
            csv += data.features[(r * 12)..<(r * 12 + 12)].map { $0.isNaN ? "nan" : "\($0)" }
                .joined(separator: ",") + "\n"
        }
        try csv.write(to: dir.appendingPathComponent("features.csv"), atomically: true, encoding: .utf8)
        let script = """
        import json, sys
        import numpy as np
        import xgboost
        d = sys.argv[1]
        X = np.loadtxt(d + "/features.csv", delimiter=",", dtype=np.float64, ndmin=2).astype(np.float32)
        booster = xgboost.Booster(model_file=d + "/model.json")
        margins = booster.predict(xgboost.DMatrix(X, missing=np.nan), output_margin=True)
        json.dump({"version": xgboost.__version__, "trees": len(booster.get_dump()),
                   "margins": [float(v) for v in margins]}, open(d + "/python.json", "w"))
        """
        try script.write(to: dir.appendingPathComponent("predict.py"), atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", dir.appendingPathComponent("predict.py").path, dir.path]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let errorText = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return XCTFail("python3 xgboost could not load or predict the model (exit \(process.terminationStatus)): \(errorText)")
        }

        let result = try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("python.json"))) as? [String: Any]
        XCTAssertEqual(result?["trees"] as? Int, 2000)
        let python = try XCTUnwrap(result?["margins"] as? [Double])
        XCTAssertEqual(python.count, margins.count)
        var maxAbs = 0.0, maxRel = 0.0
        for (i, (s, p)) in zip(margins, python).enumerated() {
            let abs = Swift.abs(s - p), rel = abs / max(Swift.abs(p), .leastNormalMagnitude)
            maxAbs = max(maxAbs, abs)
            maxRel = max(maxRel, rel)
            XCTAssertTrue(abs <= 1e-5 || rel <= 1e-5, "row \(i): Swift \(s) vs Python \(p)")
        }
        print("BRF parity vs python xgboost \(result?["version"] ?? "?") (Swift links \(XGBBooster.libraryVersion)): "
              + "max |Δ| \(maxAbs), max rel \(maxRel), margins in [\(margins.min()!), \(margins.max()!)]")
    }

    // MARK: determinism

    func testSameSeedGivesIdenticalModel() throws {
        let data = dataSet()
        XCTAssertEqual(try train(data, BRFParameters(seed: 5)).jsonModel(),
                       try train(data, BRFParameters(seed: 5)).jsonModel())
    }

    func testDifferentSeedGivesDifferentModel() throws {
        let data = dataSet()
        let a = try train(data, BRFParameters(seed: 5)), b = try train(data, BRFParameters(seed: 6))
        XCTAssertNotEqual(try a.jsonModel(), try b.jsonModel())
        XCTAssertNotEqual(try BoostedRandomForest.scores(a, features: data.features, rows: 120, columns: 12),
                          try BoostedRandomForest.scores(b, features: data.features, rows: 120, columns: 12))
    }

    func testOneAndTwoThreadsGiveIdenticalMargins() throws {
        let data = dataSet()
        let one = try train(data, BRFParameters(seed: 5, threads: 1))
        let two = try train(data, BRFParameters(seed: 5, threads: 2))
        let a = try BoostedRandomForest.scores(one, features: data.features, rows: 120, columns: 12)
        let b = try BoostedRandomForest.scores(two, features: data.features, rows: 120, columns: 12)
        let maxDiff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        print("BRF threads 1 vs 2: max |Δ margin| \(maxDiff)")
        XCTAssertEqual(a, b)
        // `nthread` is not part of the saved model, so the JSON is identical too.
        XCTAssertEqual(try one.jsonModel(), try two.jsonModel())
    }
}
