import XCTest
import SegADNative

final class XGBoostTests: XCTestCase {
    static let limits = XGBModelLimits(maxDepth: 20, maxTrees: 1_000_000)

    /// 40 rows × 2 features: feature 0 separates the classes, feature 1 is
    /// noise with some missing values.
    private static func tinyData() -> (values: [Float], labels: [Float]) {
        var values: [Float] = []
        var labels: [Float] = []
        for i in 0..<40 {
            let bad = i % 2 == 1
            values.append(bad ? 1 + Float(i) / 40 : -1 - Float(i) / 40)
            values.append(i % 5 == 0 ? .nan : Float((i * 7) % 11))
            labels.append(bad ? 1 : 0)
        }
        return (values, labels)
    }

    static func trainTiny(rounds: Int = 3) throws -> (XGBBooster, XGBDMatrix, [Float]) {
        let (values, labels) = Self.tinyData()
        let matrix = try XGBDMatrix(values: values, rows: 40, columns: 2)
        try matrix.setLabels(labels)
        let booster = try XGBBooster(training: matrix)
        for (name, value) in [("objective", "binary:logitraw"), ("max_depth", "2"), ("eta", "0.5"),
                              ("nthread", "1"), ("verbosity", "0"), ("seed", "0")] {
            try booster.setParameter(name, value)
        }
        for i in 0..<rounds { try booster.updateOneIteration(i, matrix) }
        return (booster, matrix, labels)
    }

    func testLibraryVersion() {
        let parts = XGBBooster.libraryVersion.split(separator: ".")
        XCTAssertEqual(parts.count, 3, XGBBooster.libraryVersion)
        XCTAssertTrue(parts.allSatisfy { Int($0) != nil }, XGBBooster.libraryVersion)
    }

    func testDMatrixShapeLabelsAndWeights() throws {
        let (values, labels) = Self.tinyData()
        let matrix = try XGBDMatrix(values: values, rows: 40, columns: 2)
        XCTAssertEqual(matrix.rows, 40)
        XCTAssertEqual(matrix.columns, 2)
        try matrix.setLabels(labels)
        try matrix.setWeights(Array(repeating: 2, count: 40))
        // Wrong lengths are programmer errors (preconditions), not tested here.
    }

    func testWeightsChangeTheModel() throws {
        let (plain, matrix, labels) = try Self.trainTiny()
        let (values, _) = Self.tinyData()
        let weighted = try XGBDMatrix(values: values, rows: 40, columns: 2)
        try weighted.setLabels(labels)
        try weighted.setWeights(labels.map { $0 == 1 ? 5 : 1 })
        let booster = try XGBBooster(training: weighted)
        for (name, value) in [("objective", "binary:logitraw"), ("max_depth", "2"), ("eta", "0.5"),
                              ("nthread", "1"), ("verbosity", "0"), ("seed", "0")] {
            try booster.setParameter(name, value)
        }
        for i in 0..<3 { try booster.updateOneIteration(i, weighted) }
        let a = try plain.predictMargins(matrix), b = try booster.predictMargins(matrix)
        // Up-weighting the bad rows pushes the margins towards "bad": the bad
        // rows' leaves grow, pure good leaves stay as they were.
        for (x, y) in zip(a, b) { XCTAssertGreaterThanOrEqual(y, x) }
        XCTAssertGreaterThan(b.reduce(0, +), a.reduce(0, +) + 1)
    }

    func testTinyModelSeparatesClassesAndContributionsSumToMargins() throws {
        let (booster, matrix, labels) = try Self.trainTiny()
        let margins = try booster.predictMargins(matrix)
        XCTAssertEqual(margins.count, 40)
        for (m, y) in zip(margins, labels) {
            XCTAssertEqual(m > 0, y == 1, "margin \(m) for label \(y)")
        }
        let contributions = try booster.contributions(matrix)
        XCTAssertEqual(contributions.rows, 40)
        XCTAssertEqual(contributions.columns, 3) // 2 features + bias
        for r in 0..<40 {
            let row = contributions.values[(r * 3)..<(r * 3 + 3)]
            XCTAssertEqual(row.reduce(0, +), margins[r], accuracy: 1e-5 * max(1, abs(margins[r])))
        }
    }

    func testMarginsUseEveryRound() throws {
        // More rounds must move the margins: prediction is not stuck at round 1.
        let (one, matrix, _) = try Self.trainTiny(rounds: 1)
        let (three, _, _) = try Self.trainTiny(rounds: 3)
        XCTAssertNotEqual(try one.predictMargins(matrix), try three.predictMargins(matrix))
    }

    func testBadParameterCarriesXGBoostsMessage() throws {
        let (values, labels) = Self.tinyData()
        let matrix = try XGBDMatrix(values: values, rows: 40, columns: 2)
        try matrix.setLabels(labels)
        let booster = try XGBBooster(training: matrix)
        try booster.setParameter("verbosity", "0")
        do {
            // XGBoost checks parameters lazily: the error can come at either call.
            try booster.setParameter("objective", "binary:no-such-objective")
            try booster.updateOneIteration(0, matrix)
            XCTFail("an unknown objective was accepted")
        } catch let error as XGBoostError {
            XCTAssertEqual(error.code, -1)
            XCTAssertFalse(error.description.contains("Stack trace"), error.description)
            XCTAssertTrue(error.message.contains("no-such-objective"), error.message)
            XCTAssertTrue(error.message.contains("Unknown objective"), error.message)
            XCTAssertFalse(error.description.contains("\n"), error.description)
            XCTAssertTrue(error.description.hasPrefix("XGBoosterUpdateOneIter(0) failed (-1): ")
                          || error.description.hasPrefix("XGBoosterSetParam"), error.description)
        }
    }

    func testLoadingGarbageThrows() {
        XCTAssertThrowsError(try XGBBooster(json: "{not a model", source: "m.json", limits: Self.limits)) { error in
            XCTAssertEqual(error as? XGBModelError, .notJSON("m.json"), "\(error)")
        }
    }

    func testJSONRoundTripGivesIdenticalMargins() throws {
        let (booster, matrix, _) = try Self.trainTiny()
        let json = try booster.jsonModel()
        XCTAssertTrue(json.hasPrefix("{"), String(json.prefix(80)))
        XCTAssertTrue(json.contains("binary:logitraw"))
        let loaded = try XGBBooster(json: json, source: "m.json", limits: Self.limits)
        XCTAssertEqual(try loaded.predictMargins(matrix), try booster.predictMargins(matrix))
        XCTAssertEqual(try loaded.jsonModel(), json)
        let c1 = try loaded.contributions(matrix), c2 = try booster.contributions(matrix)
        XCTAssertEqual(c1.values, c2.values)
    }
}
