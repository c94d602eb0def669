import Foundation
import XCTest
import SegADNative
import SegADDetectors
import SegAD
@testable import SegADFigures
@testable import SegADMethod
@testable import SegADDeploy
import SegADDatasets

/// What people read: feature names in words, figure titles that say what
/// they pool, legends that wrap, and a TPR line that says why it misses its target.
final class DisplayTests: XCTestCase {
    // MARK: feature names

    func testReadableFeatureNamesKeepTheInternalNameBeside() {
        let layout = FeatureLayout(segmentCount: 3, detectors: ["efficient_ad", "rd4ad"], hasClassifierScore: true)
        XCTAssertEqual(layout.readableName("c_efficient_ad_q995"), "segment 2 efficient_ad 99.5% quantile")
        XCTAssertEqual(layout.readableName("a_rd4ad_scewness"), "segment 0 rd4ad skewness")
        XCTAssertEqual(layout.readableName("b_rd4ad_kurtosis", segmentNames: ["bg", "wire", "pin"]), "wire rd4ad kurtosis")
        XCTAssertEqual(layout.readableName("an_det_score_efficient_ad"), "efficient_ad max of map")
        XCTAssertEqual(layout.readableName("classifier_score"), "classifier score")
        XCTAssertEqual(layout.displayName("a_efficient_ad_mean"), "segment 0 efficient_ad mean [a_efficient_ad_mean]")
        // Names the layout does not make stay as they are; an empty name falls back to the number.
        XCTAssertEqual(layout.displayName("d_rd4ad_mean"), "d_rd4ad_mean")
        XCTAssertEqual(layout.displayName("x_unknown"), "x_unknown")
        XCTAssertEqual(layout.readableName("a_rd4ad_mean", segmentNames: ["", "wire", "pin"]), "segment 0 rd4ad mean")
        // Every column of a layout has a readable name of its own.
        let readable = layout.names.map { layout.readableName($0) }
        XCTAssertEqual(Set(readable).count, layout.count)
        XCTAssertFalse(zip(readable, layout.names).contains { $0 == $1 })
    }

    func pipeline(names: [String]?) -> SavedPipeline {
        let layout = FeatureLayout(segmentCount: 2, detectors: ["golden"], hasClassifierScore: false)
        return SavedPipeline(
            detectors: [.init(name: "golden", state: DetectorState(kind: "golden-template", config: [:], tensors: [:]),
                              size: (4, 4), backbone: nil, heatRange: (0, 1))],
            backbones: [:], segmentation: [Int32](repeating: 0, count: 16), segments: 2, channels: 1, modelJSON: "{}",
            featureNames: layout.names, layout: layout,
            operatingPoint: .init(tpr: 0.95, threshold: 0.5, folds: 5, foldSeed: 0, oofAUROC: 0.9, oofTPR: 0.95, oofFPR: 0.1),
            oof: OutOfFoldScores(ids: [], labels: [], folds: [], scores: []), seed: 0, segmentNames: names)
    }

    func testTopFeaturesUseSegmentNumbersOrTheGivenNames() {
        // Columns: a_golden_{q995,scewness,kurtosis,mean}, b_golden_{…}, an_det_score_golden.
        var c = [Float](repeating: 0, count: 9)
        c[7] = -0.9; c[8] = 0.85; c[0] = 0.4; c[1] = 0.1
        XCTAssertEqual(PipelineScorer.topFeatures(contributions: c, pipeline: pipeline(names: nil), count: 3),
                       ["segment 1 golden mean [b_golden_mean] (-0.90)", "golden max of map [an_det_score_golden] (+0.85)",
                        "segment 0 golden 99.5% quantile [a_golden_q995] (+0.40)"])
        XCTAssertEqual(PipelineScorer.topFeatures(contributions: c, pipeline: pipeline(names: ["cell", "busbars"]), count: 1),
                       ["busbars golden mean [b_golden_mean] (-0.90)"])
    }

    func testSegmentNamesRoundTripThroughThePipelineArtifact() throws {
        // A written pipeline needs real parts; check the config key by writing and reading the config alone.
        let p = pipeline(names: ["cell", "busbars"])
        XCTAssertEqual(p.segmentNames, ["cell", "busbars"])
        XCTAssertNil(pipeline(names: nil).segmentNames)
    }

    // MARK: operating point

    func testTPRLineSaysWhyItMissesTheTarget() {
        // 12 bad rows: h = 11 · 0.05 = 0.55, so the threshold lies between the two lowest; 11 of 12 kept.
        let twelve = (0..<12).map { Double($0) }
        let t12 = OperatingPointSelection.threshold(badScores: twelve, tpr: 0.95)
        XCTAssertEqual(t12, 0.55, accuracy: 1e-12)
        XCTAssertEqual(OperatingPointSelection.whyTPRDiffers(badScores: twelve, threshold: t12, target: 0.95),
                       "OOF TPR is not 95.0%: 11 of 12 bad rows kept, as 12 rows allow only steps of 8.3%")
        // 40 rows: h = 1.95, 38 of 40 = 95.0% kept — nothing to explain.
        let forty = (0..<40).map { Double($0) }
        XCTAssertNil(OperatingPointSelection.whyTPRDiffers(
            badScores: forty, threshold: OperatingPointSelection.threshold(badScores: forty, tpr: 0.95), target: 0.95))
        // Ties at the threshold keep more than the target.
        let tied = [Double](repeating: 1, count: 20) + [2, 3]
        let tt = OperatingPointSelection.threshold(badScores: tied, tpr: 0.95)
        XCTAssertEqual(OperatingPointSelection.whyTPRDiffers(badScores: tied, threshold: tt, target: 0.95),
                       "OOF TPR is not 95.0%: 22 of 22 bad rows kept, as 20 of them tie at the threshold")
    }

    // MARK: figures

    func testWrapBreaksAtSpacesAndInsideOverlongWords() {
        // 5 columns fit in 29 px (6 · 5 − 1).
        XCTAssertEqual(BitmapFont.wrap("ab cd efghijklm", width: 29), ["ab cd", "efghi", "jklm"])
        XCTAssertEqual(BitmapFont.wrap("ab cd", width: 58, scale: 2), ["ab cd"])
        XCTAssertEqual(BitmapFont.wrap("", width: 10), [""])
        XCTAssertEqual(BitmapFont.wrap("abc", width: 0), ["a", "b", "c"])
        for line in BitmapFont.wrap("segment 12: 100.0% of the pixels in a long legend", width: 100) {
            XCTAssertLessThanOrEqual(BitmapFont.size(of: line).width, 100, line)
        }
    }

    func testSegmentationLegendWrapsOnANarrowImage() {
        // 256 × 12: panels 24 px wide, the old legend (one 180-px column per entry) ran off the canvas.
        let (h, w) = (256, 12), segments = 9
        let labels = (0..<(h * w)).map { Int32(($0 / w) * segments / h) }
        let gray = [Float](repeating: 0.5, count: h * w)
        let counts = (0..<segments).map { l in labels.filter { $0 == l }.count }
        let canvas = SegmentationOverlay.render(title: "a long title that cannot fit on one line of a narrow figure",
                                                panels: [.init(gray: gray, labels: labels, caption: "good image with segments")],
                                                height: h, width: w, segments: segments, counts: counts)
        XCTAssertGreaterThanOrEqual(canvas.width, 240)
        let margin = 12, inner = canvas.width - 2 * margin
        let legend = SegmentationOverlay.legendLayout(segments: segments, counts: counts, width: inner, scale: 2)
        XCTAssertEqual(legend.count, segments)
        XCTAssertGreaterThan(Set(legend.map(\.y)).count, 1, "entries flow into several rows")
        for e in legend {
            let right = e.x + 20 + (e.lines.map { BitmapFont.size(of: $0, scale: 2).width }.max() ?? 0)
            XCTAssertLessThanOrEqual(right, inner, "segment \(e.segment) fits: \(e)")
        }
        // The last entry's text is drawn inside the canvas: ink on its line, nothing below the bottom margin.
        let last = legend.last!
        let legendBottom = canvas.height - margin
        XCTAssertLessThanOrEqual(last.y, legendBottom)
        var ink = 0
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas[x, y] == Palette.black { ink += 1 } }
        XCTAssertGreaterThan(ink, 0)
        // A wide figure keeps one row.
        let wide = SegmentationOverlay.legendLayout(segments: 3, counts: [1, 1, 1], width: 1200, scale: 2)
        XCTAssertEqual(Set(wide.map(\.y)), [0])
        // An entry wider than the row wraps its own text.
        let tiny = SegmentationOverlay.legendLayout(segments: 1, counts: [1], width: 120, scale: 2)
        XCTAssertEqual(tiny[0].lines, ["segment", "0:", "100.0%"])
    }

    func testHistogramSaysWhatItPools() throws {
        func seeds(_ s: [Int]) -> Report.Summary { Report.Summary(Dictionary(uniqueKeysWithValues: s.map { ($0, 90.0) })) }
        var r = Report.MethodResult(method: "SegAD(patchcore)", auroc: seeds([0, 1, 2, 3, 4]), fpr: seeds([0, 1, 2, 3, 4]),
                                    perClass: [:], good: [Double](repeating: 0, count: 300),
                                    bad: [Double](repeating: 1, count: 200), unseen: [Double](repeating: 1, count: 10),
                                    uncertain: [])
        XCTAssertEqual(Report.poolingNote(r, classes: 1), "test scores pooled over 5 seeds (0-4), n = 510")
        XCTAssertEqual(Report.poolingNote(r, classes: 2), "test scores pooled over 5 seeds (0-4) and 2 classes, n = 510")
        r.auroc = seeds([333, 576])
        XCTAssertEqual(Report.poolingNote(r, classes: 1), "test scores pooled over 2 seeds (333 576), n = 510")
        r.auroc = seeds([7])
        XCTAssertEqual(Report.poolingNote(r, classes: 1), "test scores of seed 7, n = 510")
        XCTAssertEqual(Report.poolingNote(r, classes: 3), "test scores of seed 7, 3 classes pooled, n = 510")

        // The subtitle is drawn (gray ink under the title) and pushes the plot down by one line.
        let series: [(name: String, values: [Double])] = [("good", [0, 0.1, 0.2]), ("bad", [0.8, 0.9])]
        let plain = Histogram.render(title: "T", series: series)
        let noted = Histogram.render(title: "T", subtitle: "test scores pooled over 5 seeds (0-4), n = 510", series: series)
        func grayRows(_ c: Canvas) -> [Int] {
            (0..<60).filter { y in (0..<c.width).contains { c[$0, y] == Palette.gray } }
        }
        XCTAssertTrue(grayRows(plain).isEmpty)
        XCTAssertFalse(grayRows(noted).isEmpty)
        // A legend entry wider than a narrow figure wraps instead of running off the edge.
        let narrow = Histogram.render(title: "T", series: [("a very long series name that cannot fit in one row", [1, 2, 3])],
                                      width: 240, height: 200)
        var rightmostInk = 0
        for y in 0..<80 { for x in 0..<narrow.width where narrow[x, y] == Palette.black { rightmostInk = max(rightmostInk, x) } }
        XCTAssertLessThan(rightmostInk, narrow.width - 6)
    }

    func testSegmentationFigureWrapsTitleAndLegendOnANarrowCell() throws {
        let dir = NSTemporaryDirectory() + "segad-fig-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (h, w) = (200, 10)
        try PNG.writeGray8(path: dir + "/cell.png", width: w, height: h, pixels: [UInt8](repeating: 128, count: h * w))
        try PNG.writeGray8(path: dir + "/labels.png", width: w, height: h, pixels: (0..<(h * w)).map { UInt8($0 / w / 100) })
        let manifest: [String: Any] = ["format": "segad-manifest", "version": 1, "name": "n", "class": "n",
                                       "items": [["id": "cell", "label": "good", "image": "cell.png"]],
                                       "seeds": ["0": ["segad-train": [String](), "test": ["cell"]]]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir + "/m.json"))
        try SegmentationFigure.write(.init(manifestPath: dir + "/m.json", staticSegmentation: dir + "/labels.png", item: "cell",
                                           size: (h, w), names: ["the background around the narrow part", "the part itself, long name"],
                                           title: "A narrow part: static label map with a long title", output: dir + "/fig.png"))
        let png = try PNG.read(path: dir + "/fig.png")
        XCTAssertGreaterThanOrEqual(png.width, 240)
        // Black text ink stays 10 px inside the right edge everywhere (title and legend wrapped, not cut).
        var rightmost = 0
        for y in 0..<png.height {
            for x in 0..<png.width {
                let o = (y * png.width + x) * 3
                if png.samples[o] == 0 && png.samples[o + 1] == 0 && png.samples[o + 2] == 0 { rightmost = max(rightmost, x) }
            }
        }
        XCTAssertLessThan(rightmost, png.width - 10)
        XCTAssertGreaterThan(rightmost, 120, "the text is there")
        // Its labels are in the palette's segment colours, as in every segmentation figure (legend boxes).
        var colours = Set<RGB>()
        for o in stride(from: 0, to: png.samples.count, by: 3) {
            colours.insert(RGB(UInt8(png.samples[o]), UInt8(png.samples[o + 1]), UInt8(png.samples[o + 2])))
        }
        XCTAssertTrue(colours.contains(Palette.segment(0)) && colours.contains(Palette.segment(1)), "\(colours.count) colours")
    }

    func testOverlayNumbersTheSegmentsAndListsTheirNames() {
        // Left half 0, right half 1, plus a ring-shaped segment 2 around the centre of a 10×10 map.
        let (h, w) = (10, 10)
        var labels = (0..<(h * w)).map { Int32(($0 % w) < 5 ? 0 : 1) }
        for y in 3...6 { for x in 3...6 where y == 3 || y == 6 || x == 3 || x == 6 { labels[y * w + x] = 2 } }
        let anchors = Overlay.segmentAnchors(labels, height: h, width: w, segments: 4)
        XCTAssertEqual(anchors.count, 4)
        XCTAssertNil(anchors[3], "no pixel, no number")
        // The ring's centroid (4.5, 4.5) is not in the ring: its nearest ring pixel, first in row order.
        XCTAssertEqual(anchors[2].map { [$0.x, $0.y] }, [4, 3])
        for (l, a) in anchors.prefix(3).enumerated() { XCTAssertEqual(labels[a!.y * w + a!.x], Int32(l)) }

        var p = pipeline(names: ["cell", "busbars"])
        p.segmentation = (0..<16).map { Int32(($0 % 4) < 2 ? 0 : 1) }
        let image = DetectorImage(channels: 1, height: 4, width: 4, values: [Float](repeating: 0.5, count: 16))
        let result = PipelineScorer.Result(score: 0.1, anomalous: false, contributions: [Float](repeating: 0, count: 9),
                                           bias: 0.1, maps: [[Float](repeating: 0, count: 16)])
        XCTAssertEqual(Overlay.textLines(id: "x", result: result, pipeline: p, topFeatures: []).last?.text,
                       "segments: 0 cell, 1 busbars")
        let canvas = Overlay.render(id: "x", image: image, result: result, pipeline: p, topFeatures: [])
        // Black ink inside the panel (pad 12, title 16; 4 px magnified ×48): the segment numbers.
        let m = Overlay.magnification(height: 4, width: 4)
        var ink = 0
        for y in 28..<(28 + 4 * m) { for x in 12..<(12 + 4 * m) where canvas[x, y] == Palette.black { ink += 1 } }
        XCTAssertGreaterThan(ink, 10)
        p.segmentNames = nil
        XCTAssertFalse(Overlay.textLines(id: "x", result: result, pipeline: p, topFeatures: []).contains { $0.text.hasPrefix("segments:") })
    }
}
