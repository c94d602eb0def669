import Foundation
import SegADNative
import XCTest
import _TestSupport

/// Bad input, one test each (docs/reliability.md, section 3): every
/// case runs a built stage executable on a tiny fixture (BadInputFixture)
/// with one fault planted, and checks that the stage exits non-zero with
/// exactly one line on stderr naming the file at fault and the fault in words,
/// that every artifact a good run wrote before is byte for byte unchanged, and
/// that no temporary file is left behind.
///
/// The faulty map is item 5's (not the first), so extract-maps has already
/// opened its temporary artifact when it meets the fault.
final class BadInputTests: XCTestCase {
    // MARK: Maps (extract-maps)

    func testTruncatedNPYMap() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.mapPath(5)))
        try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: f.mapPath(5)))
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "truncated", before: before)
    }

    func testTIFFMapWithSeveralChannels() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let tiff = BadInputFixture.tiffFixtures + "/rgb_f32.tif"
        let manifest = try f.manifestWithMap(5, at: tiff)
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: tiff, fault: "3 channels", before: before)
    }

    func testTIFFMapWithIntegerSamples() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let tiff = BadInputFixture.tiffFixtures + "/int16.tif"
        let manifest = try f.manifestWithMap(5, at: tiff)
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: tiff, fault: "16-bit", "expected 32- or 16-bit floating point",
                            before: before)
    }

    func testUnsupportedNPYDtype() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        // A complex64 array (written by numpy; see SegADNativeTests/Fixtures/make_fixtures.py).
        try FileManager.default.removeItem(atPath: f.mapPath(5))
        try FileManager.default.copyItem(atPath: BadInputFixture.npyFixtures + "/complex.npy", toPath: f.mapPath(5))
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "unsupported dtype", before: before)
    }

    func testNPYMapOfWrongRank() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        try NPY.write(path: f.mapPath(5), floats: [Float](repeating: 1, count: 2 * 8 * 8), shape: [2, 8, 8])
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "shape [2, 8, 8]", before: before)
    }

    func testMapOfOtherSizeThanTheFirst() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        try NPY.write(path: f.mapPath(5), floats: [Float](repeating: 1, count: 8 * 9), shape: [8, 9])
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "8×9", "first map is 8×8", before: before)
    }

    func testNaNInMap() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        var map = [Float](repeating: 1, count: 64)
        map[2 * 8 + 3] = .nan
        try NPY.write(path: f.mapPath(5), floats: map, shape: [8, 8])
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "NaN at row 2, column 3", before: before)
    }

    func testInfInMap() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        var map = [Float](repeating: 1, count: 64)
        map[7 * 8 + 0] = -.infinity
        try NPY.write(path: f.mapPath(5), floats: map, shape: [8, 8])
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "infinite value at row 7, column 0", before: before)
    }

    func testMissingMapFile() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        try FileManager.default.removeItem(atPath: f.mapPath(5))
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "no such file", before: before)
    }

    func testZeroByteNPYMap() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        try Data().write(to: URL(fileURLWithPath: f.mapPath(5)))
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "empty file", before: before)
    }

    // MARK: Manifest

    func testDuplicateIdInManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = try f.manifestVariant("duplicate.json") { object in
            var items = object["items"] as! [[String: Any]]
            items[5]["id"] = "item04"
            object["items"] = items
        }
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "duplicate id 'item04'",
                            before: before)
    }

    func testManifestWithUnknownKey() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = try f.manifestVariant("unknown-key.json") { $0["itmes"] = [] as [Any] }
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "unknown key 'itmes'",
                            before: before)
    }

    func testManifestWithNewerVersion() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = try f.manifestVariant("newer.json") { $0["version"] = 2 }
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "version 2 is newer",
                            before: before)
    }

    func testManifestThatIsNotJSON() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = f.dir + "/broken.json"
        try Data("{\"format\": \"segad-manifest\", \"items\": [\n".utf8).write(to: URL(fileURLWithPath: manifest))
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "not valid JSON",
                            before: before)
    }

    func testZeroByteManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = f.dir + "/empty.json"
        try Data().write(to: URL(fileURLWithPath: manifest))
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "empty file", before: before)
    }

    func testUnknownIdInSplit() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        let manifest = try f.manifestVariant("unknown-id.json") { object in
            var seeds = object["seeds"] as! [String: [String: [String]]]
            seeds["0"]!["test"]!.append("item99")
            object["seeds"] = seeds
        }
        try f.assertRefused(f.extractMaps(manifest: manifest), naming: manifest, fault: "unknown id 'item99'",
                            before: before)
    }

    func testMapsArtifactMadeFromAnotherManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        // Manifest B: the same items, one label changed. The maps were made from manifest A.
        let manifestB = try f.manifestVariant("manifest-b.json") { object in
            var items = object["items"] as! [[String: Any]]
            items[10]["label"] = "bad"
            object["items"] = items
        }
        try f.assertRefused(f.segmentStats(manifest: manifestB), naming: f.maps, fault: "different manifest",
                            before: before)
    }

    // MARK: Segmentation and maps artifacts (segment-stats)

    func testSegmentationOfOtherSizeThanMaps() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let segmentation = f.dir + "/segmentation-8x9.png"
        try PNG.writeGray8(path: segmentation, width: 9, height: 8, pixels: [UInt8](repeating: 0, count: 72))
        try f.assertRefused(f.segmentStats(segmentation: segmentation), naming: segmentation,
                            fault: "label map is 8×9 but the maps are 8×8", before: before)
    }

    func testZeroBytePNGSegmentation() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let segmentation = f.dir + "/empty.png"
        try Data().write(to: URL(fileURLWithPath: segmentation))
        try f.assertRefused(f.segmentStats(segmentation: segmentation), naming: segmentation,
                            fault: "not a readable PNG", "empty", before: before)
    }

    func testLabelOutsideSegmentRange() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let segmentation = f.dir + "/segmentation-label2.png"
        var labels = [UInt8](repeating: 1, count: 64)
        labels[3 * 8 + 6] = 2
        try PNG.writeGray8(path: segmentation, width: 8, height: 8, pixels: labels)
        try f.assertRefused(f.segmentStats(segmentation: segmentation, segments: 2), naming: segmentation,
                            fault: "label 2 at row 3, column 6 is outside 0…1", before: before)
    }

    func testFeaturesArtifactGivenAsMaps() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        // (Written to another output: -o = --maps is refused before this check, OutputGuardTests.)
        try f.assertRefused(f.segmentStats(maps: [f.features], output: f.artifacts + "/features-2.h5"), naming: f.features,
                            fault: "is a features artifact; expected maps", before: before)
    }

    func testTruncatedHDF5MapsArtifact() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let truncated = f.dir + "/maps-truncated.h5"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.maps))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let before = try f.snapshot()
        try f.assertRefused(f.segmentStats(maps: [truncated]), naming: truncated, fault: "HDF5", "truncated",
                            before: before)
    }

    func testOutputFolderThatIsAFile() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let notAFolder = f.dir + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: notAFolder))
        try f.assertRefused(f.segmentStats(output: notAFolder + "/features.h5"), naming: notAFolder,
                            fault: "is a file, not a folder", before: before)
    }

    func testReadOnlyOutputFolder() throws {
        if geteuid() == 0 { throw XCTSkip("root writes into read-only folders") }
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: f.artifacts)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.artifacts) }
        try f.assertRefused(f.segmentStats(), naming: f.features, fault: "cannot write", before: before)
    }

    // MARK: Training (train-brf) and scoring (evaluate score)

    func testTrainingSeedWithOnlyGoodRows() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .model)
        let before = try f.snapshot()
        try f.assertRefused(f.trainBRF(seed: 1), naming: f.manifest, fault: "4 good and 0 bad rows", before: before)
    }

    func testTrainingSeedNotInManifest() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .model)
        let before = try f.snapshot()
        try f.assertRefused(f.trainBRF(seed: 7), naming: f.manifest, fault: "has no seed 7", before: before)
    }

    func testModelFromOtherFeaturesGivenToScore() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        // Features B: one segment instead of two, from the same maps and manifest.
        let segmentation = f.dir + "/one-segment.png"
        try PNG.writeGray8(path: segmentation, width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 64))
        let featuresB = f.artifacts + "/features-b.h5"
        let made = try f.segmentStats(segmentation: segmentation, segments: 1, output: featuresB)
        XCTAssertEqual(made.status, 0, made.stderr)
        let before = try f.snapshot()
        try f.assertRefused(f.score(features: featuresB), naming: f.model, fault: "different features",
                            before: before)
    }

    func testMapsArtifactGivenAsFeatures() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .model)
        let before = try f.snapshot()
        try f.assertRefused(f.trainBRF(features: f.maps), naming: f.maps, fault: "is a maps artifact; expected features",
                            before: before)
    }

    func testZeroByteFeaturesArtifact() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let empty = f.dir + "/features-empty.h5"
        try Data().write(to: URL(fileURLWithPath: empty))
        let before = try f.snapshot()
        try f.assertRefused(f.score(features: empty), naming: empty, fault: "HDF5", before: before)
    }

    func testReportOnTestRowsWithoutBadImages() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let report = f.artifacts + "/report"
        let good = try f.report([f.scores], output: report)
        XCTAssertEqual(good.status, 0, good.stderr)
        // Seed 2 tests on good images only: no AUROC can be computed for it.
        let allSeeds = f.artifacts + "/scores-max.h5"
        let scored = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", f.manifest,
                                                     "--feature", "an_det_score_alpha", "--method", "max(alpha)",
                                                     "-o", allSeeds])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let before = try f.snapshot()
        try f.assertRefused(f.report([allSeeds], output: report), naming: allSeeds,
                            fault: "seed 2", "need both good and bad", before: before)
    }

    func testImportedScoresWithInf() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let before = try f.snapshot()
        let csv = f.dir + "/imported.csv"
        let rows = (0..<BadInputFixture.count).map { "\(BadInputFixture.id($0)),\($0 == 9 ? "inf" : "0.5")" }
        try Data((["id,score"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let result = try ToolRunner.run("evaluate", ["score", "--features", f.features, "--manifest", f.manifest,
                                                     "--scores-csv", csv, "--method", "imported", "-o", f.scores])
        try f.assertRefused(result, naming: csv, fault: "line 11", "not a finite number", before: before)
    }

    func testMissingScoresArtifactForReport() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let report = f.artifacts + "/report"
        let good = try f.report([f.scores], output: report)
        XCTAssertEqual(good.status, 0, good.stderr)
        let before = try f.snapshot()
        let missing = f.artifacts + "/scores-missing.h5"
        try f.assertRefused(f.report([f.scores, missing], output: report), naming: missing, fault: "no such file",
                            before: before)
    }

    // MARK: Classifier scores and segmentation files (segment-stats)

    func testClassifierScoresWithNaN() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let csv = f.dir + "/classifier.csv"
        let rows = (0..<BadInputFixture.count).map { "\(BadInputFixture.id($0)),\($0 == 3 ? "nan" : "0.5")" }
        try Data((["id,score"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let result = try ToolRunner.run("segment-stats", ["--manifest", f.manifest, "--maps", f.maps,
                                                          "--segmentation", f.segmentation, "--segments", "2",
                                                          "--classifier-scores", csv, "-o", f.features])
        try f.assertRefused(result, naming: csv, fault: "line 5", "nan", before: before)
    }

    func testClassifierScoresMissingAnId() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let csv = f.dir + "/classifier.csv"
        let rows = (0..<BadInputFixture.count).filter { $0 != 7 }.map { "\(BadInputFixture.id($0)),0.5" }
        try Data((["id,score"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let result = try ToolRunner.run("segment-stats", ["--manifest", f.manifest, "--maps", f.maps,
                                                          "--segmentation", f.segmentation, "--segments", "2",
                                                          "--classifier-scores", csv, "-o", f.features])
        try f.assertRefused(result, naming: csv, fault: "no score for id 'item07'", before: before)
    }

    func testRGBSegmentationPNG() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let segmentation = f.dir + "/segmentation-rgb.png"
        try PNG.writeRGB8(path: segmentation, width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 8 * 8 * 3))
        try f.assertRefused(f.segmentStats(segmentation: segmentation), naming: segmentation, fault: "3 channels",
                            before: before)
    }

    func testTruncatedPNGSegmentation() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let segmentation = f.dir + "/segmentation-truncated.png"
        var png = try Data(contentsOf: URL(fileURLWithPath: f.segmentation))
        png = png.prefix(png.count - 20)
        try png.write(to: URL(fileURLWithPath: segmentation))
        try f.assertRefused(f.segmentStats(segmentation: segmentation), naming: segmentation,
                            fault: "not a readable PNG", before: before)
    }
}
