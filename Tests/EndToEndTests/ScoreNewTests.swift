import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// Saved pipelines on real ELPV mono cells (skipped without .cache/elpv and
/// the backbone weights): train golden template + PatchCore at 64×64 with the
/// stage executables, save the pipeline, delete everything the training
/// made or read (including its copy of the backbone weights), and score the
/// test cells from a fresh folder holding only the pipeline and the images.
final class ScoreNewTests: XCTestCase {
    static let elpv = ToolRunner.repoRoot + "/.cache/elpv"
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    @discardableResult
    func run(_ tool: String, _ args: [String], cwd: String? = nil) throws -> ToolRunner.Result {
        let r = try ToolRunner.run(tool, args, cwd: cwd)
        XCTAssertEqual(r.status, 0, "\(tool) \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func readCSV(_ path: String) throws -> [String: (score: Double, decision: String, top: String)] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "id,score,decision,top_features")
        var out: [String: (Double, String, String)] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", maxSplits: 3).map(String.init)
            XCTAssertEqual(f.count, 4, line)
            out[f[0]] = (Double(f[1]) ?? .nan, f[2], f[3])
        }
        return out
    }

    func testSavedPipelineScoresEqualEvaluateFromAFreshFolder() throws {
        let fm = FileManager.default
        try XCTSkipUnless(fm.fileExists(atPath: Self.elpv + "/labels.csv"), "ELPV not fetched")
        try XCTSkipUnless(fm.fileExists(atPath: Self.weights), "weights not fetched")
        let tmp = try temporaryFolder()
        let train = tmp + "/train", inputs = train + "/inputs"
        try fm.createDirectory(atPath: train, withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.weights, toPath: train + "/weights.pth")
        try run("build-dataset", ["elpv-score-inputs", "--labels", Self.elpv + "/labels.csv", "--size", "64",
                                 "--detector-train", "12", "--good", "24", "--bad", "12", "--test", "8", "--new", "0", "-o", inputs])
        let manifest = inputs + "/manifest.json", seg = inputs + "/segmentation.png"
        try run("extract-maps", ["fit", "--manifest", manifest, "--kind", "golden-template", "--name", "golden",
                                 "--seed", "0", "--size", "64", "-o", train + "/golden.state.h5"])
        try run("extract-maps", ["fit", "--manifest", manifest, "--kind", "patchcore", "--seed", "0", "--size", "64",
                                 "--weights", train + "/weights.pth", "-o", train + "/patchcore.state.h5"])
        for d in ["golden", "patchcore"] {
            try run("extract-maps", ["apply", "--manifest", manifest, "--state", train + "/\(d).state.h5",
                                     "--skip-detector-train", "-o", train + "/\(d).maps.h5"])
        }
        try run("segment-stats", ["--manifest", manifest, "--maps", train + "/golden.maps.h5", "--maps", train + "/patchcore.maps.h5",
                                  "--segmentation", seg, "--segments", "3", "-o", train + "/features.h5"])
        try run("train-brf", ["--features", train + "/features.h5", "--manifest", manifest, "--seed", "0",
                              "--num-parallel-tree", "20", "-o", train + "/model.h5"])
        try run("evaluate", ["score", "--features", train + "/features.h5", "--manifest", manifest,
                             "--model", train + "/model.h5", "--method", "SegAD", "-o", train + "/scores.h5"])
        let saved = try run("evaluate", ["save-pipeline", "--manifest", manifest, "--seed", "0", "--features", train + "/features.h5",
                                         "--model", train + "/model.h5", "--state", train + "/golden.state.h5",
                                         "--state", train + "/patchcore.state.h5", "--segmentation", seg, "--folds", "3",
                                         "-o", train + "/pipeline.h5"])
        XCTAssertTrue(saved.stderr.contains("for TPR 95.0%"), saved.stderr)

        // The reference: evaluate's scores of the test cells; and the pipeline's operating point.
        let reference = try ScoresArtifact(path: train + "/scores.h5").seeds[0]
        let pipeline = try SavedPipeline(path: train + "/pipeline.h5")
        XCTAssertEqual(pipeline.oof.ids.count, 36)
        XCTAssertTrue(pipeline.oof.scores.allSatisfy(\.isFinite))
        // Folds: sklearn's StratifiedKFold(3, shuffle=True, random_state=0) over the 24 good then
        // 12 bad rows (manifest order); from sklearn 1.9.1, as case good24_bad12 (k 3, seed 0) of
        // Tests/SegADKernelsTests/Golden/stratified_kfold.json.
        XCTAssertEqual(pipeline.oof.labels, [Int](repeating: 0, count: 24) + [Int](repeating: 1, count: 12))
        XCTAssertEqual(pipeline.oof.folds, [1, 1, 2, 1, 2, 0, 1, 2, 2, 1, 0, 2, 0, 0, 0, 2, 1, 0, 2, 0, 0, 2, 1, 1,
                                            1, 0, 2, 0, 1, 1, 2, 0, 0, 1, 2, 2])
        let oofBad = zip(pipeline.oof.scores, pipeline.oof.labels).filter { $0.1 == 1 }.map(\.0)
        // 'linear' quantile at 5% of 12 bad scores: all but the lowest are kept.
        XCTAssertEqual(oofBad.filter { $0 >= pipeline.operatingPoint.threshold }.count, 11)
        XCTAssertEqual(pipeline.operatingPoint.oofTPR, 11.0 / 12.0, accuracy: 1e-12)

        // A fresh folder: the pipeline, real copies of the test cells, and converted variants of the first.
        let fresh = tmp + "/fresh", images = fresh + "/images"
        try fm.createDirectory(atPath: images, withIntermediateDirectories: true)
        try fm.copyItem(atPath: train + "/pipeline.h5", toPath: fresh + "/pipeline.h5")
        let index = try Manifest.load(path: manifest)
        for id in reference.ids {
            let item = index.items.first { $0.id == id }!
            try fm.copyItem(atPath: index.resolve(item.image!), toPath: images + "/\(id).png")
        }
        let first = reference.ids[0]
        let png = try PNG.read(path: images + "/\(first).png")
        XCTAssertEqual(png.channels, 1)
        XCTAssertEqual(png.bitDepth, 8)
        try PNG.writeGray16(path: images + "/v-16bit.png", width: png.width, height: png.height,
                            pixels: png.samples.map { $0 * 257 })
        try PNG.writeRGB8(path: images + "/v-rgb.png", width: png.width, height: png.height,
                          pixels: png.samples.flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        // The same pixels as a quality-100 JPEG (lossy: a close score).
        try JPEG.write(path: images + "/v-jpeg.jpg", width: png.width, height: png.height, channels: 1,
                       pixels: png.samples.map { UInt8($0) }, quality: 100)
        // Wrong size: 450×380, nearest-neighbour enlarged.
        let (bw, bh) = (450, 380)
        try PNG.writeGray8(path: images + "/v-450x380.png", width: bw, height: bh, pixels: (0..<(bw * bh)).map {
            UInt8(png.samples[($0 / bw) * png.height / bh * png.width + ($0 % bw) * png.width / bw])
        })

        // Remove everything training made or read.
        try fm.removeItem(atPath: train)
        XCTAssertFalse(fm.fileExists(atPath: train))

        let out = fresh + "/out"
        let scored = try run("evaluate", ["score-new", "--pipeline", "pipeline.h5", "--images", "images", "-o", "out"], cwd: fresh)
        XCTAssertTrue(scored.stderr.contains("images/s"), scored.stderr)
        let csv = try readCSV(out + "/scores.csv")
        XCTAssertEqual(csv.count, reference.ids.count + 4)
        for (id, score) in zip(reference.ids, reference.scores) {
            guard let row = csv[id] else { XCTFail("no row for \(id)"); continue }
            XCTAssertEqual(row.score, score, accuracy: 1e-5, id)
            XCTAssertEqual(row.decision, score >= pipeline.operatingPoint.threshold ? "anomalous" : "normal", id)
            let top = row.top.split(separator: ";")
            XCTAssertEqual(top.count, 3, row.top)
            // In words (segment number, detector, statistic), then the internal column name.
            for t in top.map({ $0.trimmingCharacters(in: .whitespaces) }) {
                XCTAssertNotNil(t.range(of: #"^(segment 0 (\w+) .+ \[a_\2_\w+\]|segment 1 (\w+) .+ \[b_\3_\w+\]|segment 2 (\w+) .+ \[c_\4_\w+\]|(\w+) max of map \[an_det_score_\5\]) \([+-]\d+\.\d\d\)$"#,
                                        options: .regularExpression), t)
            }
            XCTAssertTrue(fm.fileExists(atPath: out + "/overlays/\(id).png"), id)
        }
        // Converted images: 16-bit and RGB give the 8-bit gray image's score; another size is resized.
        let base = csv[first]!.score
        XCTAssertEqual(csv["v-16bit"]!.score, base, accuracy: 1e-3)
        XCTAssertEqual(csv["v-rgb"]!.score, base, accuracy: 1e-3)
        XCTAssertTrue(csv["v-450x380"]!.score.isFinite)
        print("score-new: PNG \(base), quality-100 JPEG \(csv["v-jpeg"]!.score)")
        XCTAssertEqual(csv["v-jpeg"]!.score, base, accuracy: 0.05)
        let overlay = try PNG.read(path: out + "/overlays/\(first).png")
        XCTAssertEqual(overlay.channels, 3)
        XCTAssertGreaterThan(overlay.width, 2 * 64 * Overlay_magnification)

        // A corrupt image stops the run with one line naming it; the earlier results stay.
        let before = try String(contentsOfFile: out + "/scores.csv", encoding: .utf8)
        try Data(try Data(contentsOf: URL(fileURLWithPath: images + "/\(first).png")).prefix(300))
            .write(to: URL(fileURLWithPath: images + "/zz-truncated.png"))
        let broken = try ToolRunner.run("evaluate", ["score-new", "--pipeline", "pipeline.h5", "--images", "images", "-o", "out"], cwd: fresh)
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stderr.split(separator: "\n").count, 1, broken.stderr)
        XCTAssertTrue(broken.stderr.contains("zz-truncated.png"), broken.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/scores.csv", encoding: .utf8), before)
        XCTAssertTrue(fm.fileExists(atPath: out + "/overlays/\(first).png"))

        // Bad pipeline files: one line naming the file (the images are
        // checked first, so the truncated one goes).
        try fm.removeItem(atPath: images + "/zz-truncated.png")
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: fresh + "/text.h5"))
        let whole = try Data(contentsOf: URL(fileURLWithPath: fresh + "/pipeline.h5"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: fresh + "/half.h5"))
        for bad in ["text.h5", "half.h5", "missing.h5"] {
            let r = try ToolRunner.run("evaluate", ["score-new", "--pipeline", bad, "--images", "images", "-o", "out2"], cwd: fresh)
            XCTAssertEqual(r.status, 1, bad)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("evaluate score-new: error: \(bad)"), r.stderr)
        }
    }
}

/// The overlay's magnification at a 64-pixel working size (192 / 64).
private let Overlay_magnification = 3
