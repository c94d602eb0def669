import Foundation
import XCTest
import SegADNative
import SegADDetectors
import SegADCore
import SegADFigures
@testable import SegADMethod
@testable import SegADDeploy

/// Saved pipelines: fold assignment, threshold, image conversion, CSV
/// fields, overlays and refusing bad pipeline files.
final class ScoringTests: XCTestCase {
    /// save-pipeline's folds are sklearn's StratifiedKFold (SegADKernels);
    /// golden values from sklearn 1.9.1:
    ///
    ///     f = np.empty(12, int)
    ///     for i, (_, te) in enumerate(StratifiedKFold(3, shuffle=True, random_state=s).split(np.zeros(12), y)):
    ///         f[te] = i
    ///
    /// for s = 7 and s = 2^32 − 1. sklearn (numpy's RandomState) refuses seeds
    /// outside 0…2^32 − 1, and so does the fold assignment (no wrap-around).
    func testOperatingPointFoldsAreSklearnStratifiedKFold() throws {
        let labels = [0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1]
        XCTAssertEqual(try OperatingPointSelection.folds(labels: labels, k: 3, seed: 7),
                       [0, 2, 2, 0, 2, 1, 2, 1, 0, 1, 1, 0])
        XCTAssertEqual(try OperatingPointSelection.folds(labels: labels, k: 3, seed: 4_294_967_295),
                       [0, 2, 2, 0, 2, 0, 2, 1, 0, 1, 1, 1])
        for seed in [-1, 4_294_967_296, Int.min, Int.max] {
            XCTAssertThrowsError(try OperatingPointSelection.folds(labels: labels, k: 3, seed: seed)) { error in
                XCTAssertEqual("\(error)", "--fold-seed: \(seed) out of bounds 0…4294967295 (sklearn's random_state)")
            }
        }
    }

    /// numpy.quantile([0.3, -1.2, 2.5, 0.9, 1.7, -0.4, 3.3], 0.05) = -0.96.
    func testThresholdIsLinearQuantileAtOneMinusTPR() {
        let bad = [0.3, -1.2, 2.5, 0.9, 1.7, -0.4, 3.3]
        let t = OperatingPointSelection.threshold(badScores: bad, tpr: 0.95)
        XCTAssertEqual(t, -0.96, accuracy: 1e-12)
        // Kept share ≥ (n − 1)·tpr / n (here 6 of 7).
        XCTAssertEqual(bad.filter { $0 >= t }.count, 6)
        for n in 2..<60 {
            let scores = (0..<n).map { Double(($0 * 37) % n) }
            let kept = Double(scores.filter { $0 >= OperatingPointSelection.threshold(badScores: scores, tpr: 0.95) }.count)
            XCTAssertGreaterThanOrEqual(kept / Double(n), Double(n - 1) * 0.95 / Double(n) - 1e-12, "n = \(n)")
        }
    }

    func testOutOfFoldScoresNeverComeFromTheRowsOwnModel() throws {
        // Two separable clusters; each row is scored once, by the model of its fold.
        var x: [Float] = [], y: [Int] = []
        for i in 0..<40 {
            let bad = i % 3 == 0
            y.append(bad ? 1 : 0)
            x += [Float(bad ? 2 : 0) + Float(i % 7) * 0.1, Float(i % 5)]
        }
        var p = BRFParameters(); p.numParallelTree = 5; p.rounds = 3
        let folds = try OperatingPointSelection.folds(labels: y, k: 4, seed: 1)
        let s = try OperatingPointSelection.outOfFoldScores(features: x, rows: 40, columns: 2, labels: y, folds: folds,
                                                            k: 4, parameters: p, deriveScalePosWeight: true)
        XCTAssertTrue(s.allSatisfy(\.isFinite))
        let badMin = zip(s, y).filter { $0.1 == 1 }.map(\.0).min()!
        let goodMax = zip(s, y).filter { $0.1 == 0 }.map(\.0).max()!
        XCTAssertGreaterThan(badMin, goodMax)
    }

    func testRecordedParametersRoundTrip() throws {
        var p = BRFParameters(numParallelTree: 17, maxDepth: 4, eta: 0.25, alpha: 0.5, scalePosWeight: 2.5, seed: 9)
        p.rounds = 6
        var recorded: [String: String] = [:]
        for (k, v) in p.xgboostParameters { recorded[k] = v }
        XCTAssertEqual(try BRFParameters(recorded: recorded, rounds: 6, source: "m"), p)
    }

    // MARK: Images

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "segad-scoring-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testImagesOfOtherDepthModeAndSizeAreConverted() throws {
        let dir = try temporaryFolder()
        let (w, h) = (20, 16)
        let gray: [UInt8] = (0..<(w * h)).map { UInt8(($0 * 37) % 256) }
        try PNG.writeGray8(path: dir + "/g8.png", width: w, height: h, pixels: gray)
        try PNG.writeGray16(path: dir + "/g16.png", width: w, height: h, pixels: gray.map { UInt16($0) * 257 })
        try PNG.writeRGB8(path: dir + "/rgb.png", width: w, height: h, pixels: gray.flatMap { [$0, $0, $0] })
        let reference = try PipelineImage.load(path: dir + "/g8.png", size: (8, 10), channels: 1)
        XCTAssertEqual(reference.channels, 1)
        XCTAssertEqual(reference.values.count, 80)
        for name in ["g16", "rgb"] {
            let image = try PipelineImage.load(path: dir + "/\(name).png", size: (8, 10), channels: 1)
            XCTAssertEqual(image.channels, 1, name)
            for (a, b) in zip(image.values, reference.values) { XCTAssertEqual(a, b, accuracy: 1e-6, name) }
        }
        let color = try PipelineImage.load(path: dir + "/g8.png", size: (8, 10), channels: 3)
        XCTAssertEqual(color.channels, 3)
        XCTAssertEqual(Array(color.values[80..<160]), reference.values)
    }

    func testUnreadableImageIsOneLineNamingTheFile() throws {
        let dir = try temporaryFolder()
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: dir + "/x.png"))
        XCTAssertThrowsError(try PipelineImage.load(path: dir + "/x.png", size: (8, 8), channels: 1)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(dir + "/x.png"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    // MARK: Pipeline files

    func testBadPipelineFilesAreOneLineErrors() throws {
        let dir = try temporaryFolder()
        let text = dir + "/text.h5"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        let other = dir + "/scores.h5"
        let writer = try ArtifactWriter(path: other, kind: .scores, stage: "test", config: [:], inputs: [])
        try writer.commit()
        let empty = dir + "/empty.h5"
        let w2 = try ArtifactWriter(path: empty, kind: .pipeline, stage: "test", config: [:], inputs: [])
        try w2.commit()
        for (path, expected) in [(dir + "/missing.h5", "no such file"), (text, text), (other, "expected pipeline"),
                                 (empty, "lacks its configuration")] {
            XCTAssertThrowsError(try SavedPipeline(path: path)) { error in
                let line = "\(error)"
                XCTAssertTrue(line.contains(path), line)
                XCTAssertTrue(line.contains(expected), line)
                XCTAssertFalse(line.contains("\n"), line)
            }
        }
        // The reader's typed faults pass through the pipeline's loader unchanged.
        XCTAssertThrowsError(try SavedPipeline(path: dir + "/missing.h5")) {
            XCTAssertEqual($0 as? ArtifactError, .noSuchFile(dir + "/missing.h5"))
        }
        XCTAssertThrowsError(try SavedPipeline(path: text)) { XCTAssertEqual($0 as? HDF5FileError, .notHDF5(text)) }
        XCTAssertThrowsError(try SavedPipeline(path: other)) {
            XCTAssertEqual($0 as? ArtifactError, .wrongKind(other, found: .scores, expected: .pipeline))
        }
    }

    func testCSVFieldsAndOverlayNames() {
        XCTAssertEqual(CSV.field("a_b (+0.10); c (-0.20)"), "a_b (+0.10); c (-0.20)")
        XCTAssertEqual(CSV.field("a,\"b\""), "\"a,\"\"b\"\"\"")
        XCTAssertEqual(NewImageScoring.overlayName("good/017"), "good_017")
    }

    func testOverlayShowsImageHeatMapOutlinesAndDecision() throws {
        let (h, w) = (12, 16)
        let labels: [Int32] = (0..<(h * w)).map { ($0 % w) < 8 ? 0 : 1 }
        let pipeline = SavedPipeline(
            detectors: [.init(name: "golden", state: DetectorState(kind: "golden-template", config: [:], tensors: [:]),
                              size: (h, w), backbone: nil, heatRange: (0, 1))],
            backbones: [:], segmentation: labels, segments: 2, channels: 1, modelJSON: "{}",
            featureNames: ["a_golden_mean"], layout: FeatureLayout(segmentCount: 2, detectors: ["golden"], hasClassifierScore: false),
            operatingPoint: .init(tpr: 0.95, threshold: 0.5, folds: 5, foldSeed: 0, oofAUROC: 0.9, oofTPR: 0.95, oofFPR: 0.1),
            oof: OutOfFoldScores(ids: [], labels: [], folds: [], scores: []), seed: 0)
        let image = DetectorImage(channels: 1, height: h, width: w, values: [Float](repeating: 0.5, count: h * w))
        var map = [Float](repeating: 0, count: h * w)
        map[3 * w + 3] = 1
        let result = PipelineScorer.Result(score: 1.25, anomalous: true, contributions: [0.7], bias: 0.55, maps: [map])
        let canvas = Overlay.render(id: "cell1", image: image, result: result, pipeline: pipeline,
                                    topFeatures: ["a_golden_mean (+0.70)"])
        let m = Overlay.magnification(height: h, width: w)
        XCTAssertGreaterThanOrEqual(canvas.width, w * m + 100)
        // Panel origin: pad 12, title 16.
        let (x0, y0) = (12, 28)
        let hot = canvas[x0 + 3 * m, y0 + 3 * m], cold = canvas[x0 + 1 * m, y0 + 1 * m]
        XCTAssertNotEqual(hot, cold)
        XCTAssertGreaterThan(Int(hot.g), Int(cold.g), "the hot pixel is yellower")
        XCTAssertEqual(canvas[x0 + 8 * m - 1, y0 + 5 * m], Palette.white, "segment outline between columns 7 and 8")
        XCTAssertTrue(canvas.pixels.chunks3.contains(Palette.bad), "ANOMALOUS in the bad colour")
    }
}

private extension Array where Element == UInt8 {
    var chunks3: [RGB] { stride(from: 0, to: count - 2, by: 3).map { RGB(self[$0], self[$0 + 1], self[$0 + 2]) } }
}
