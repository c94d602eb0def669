import Foundation
import XCTest
import _TestSupport
import SegADCore
@testable import SegADMethod
import SegADNative
import SegADKernels

/// Segmentation derived without annotation: static (aligned parts) and per image.
final class DerivedSegmentationTests: XCTestCase {
    let (h, w) = (64, 64)

    /// Stripe of row y: rows 0…20 dark (0), 21…41 middle (1), 42…63 bright (2).
    func stripe(_ y: Int) -> Int32 { y <= 20 ? 0 : (y <= 41 ? 1 : 2) }
    var stripeTruth: [Int32] { (0..<(h * w)).map { stripe($0 / w) } }

    /// An aligned part: three horizontal stripes of gray 0.25, 0.5, 0.75 plus
    /// uniform noise of half-width 0.1.
    func stripeImage(_ random: inout RandomState) -> [Float] {
        let levels: [Float] = [0.25, 0.5, 0.75]
        return (0..<(h * w)).map { i in levels[Int(stripe(i / w))] + 0.1 * Float(2 * random.randomSample() - 1) }
    }


    /// Writes images as 8-bit PNGs and a manifest whose seed 0 trains the
    /// detector on all of them except the last `heldOut` (which go to test).
    func writeFixture(_ folder: String, images: [[Float]], heldOut: Int = 0) throws -> String {
        var items: [[String: Any]] = []
        for (n, image) in images.enumerated() {
            let name = String(format: "img%03d.png", n)
            try PNG.writeGray8(path: folder + "/" + name, width: w, height: h,
                               pixels: image.map { UInt8(min(max($0, 0), 1) * 255 + 0.5) })
            items.append(["id": "good/\(n)", "label": "good", "image": name])
        }
        let ids = (0..<images.count).map { "good/\($0)" }
        let manifest: [String: Any] = [
            "format": "segad-manifest", "version": 1, "name": "stripes", "items": items,
            "seeds": ["0": ["detector-train": Array(ids.dropLast(heldOut)), "test": Array(ids.suffix(heldOut))]],
        ]
        let path = folder + "/manifest.json"
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: Static

    func testDerivationRecoversStripes() {
        var random = RandomState(seed: 1)
        var moments = PixelMoments(height: h, width: w)
        for _ in 0..<20 { moments.add(stripeImage(&random)) }
        var d = PixelDescriptors(height: h, width: w)
        d.append("intensity_mean", unit: "intensity", moments.mean)
        d.append("intensity_std", unit: "intensity", moments.std)
        d.append("edge", unit: "intensity", ImageOps.sobelMagnitude(moments.mean, height: h, width: w))
        var config = StaticSegmentation.Config()
        config.segments = 3
        let seg = StaticSegmentation.derive(d, intensity: moments.mean, config: config)
        XCTAssertGreaterThanOrEqual(ClusterAgreement.adjustedRandIndex(seg.labels, stripeTruth), 0.95)
        // Renumbered by ascending intensity: the dark stripe is 0, the bright one 2.
        XCTAssertEqual(seg.labels[5 * w + 30], 0)
        XCTAssertEqual(seg.labels[30 * w + 30], 1)
        XCTAssertEqual(seg.labels[55 * w + 30], 2)
    }

    func testStageWritesLabelPNGThatSegmentStatsReadsWithSidecarAndOverlay() throws {
        let folder = try temporaryFolder()
        var random = RandomState(seed: 2)
        let manifest = try writeFixture(folder, images: (0..<12).map { _ in stripeImage(&random) })
        let png = folder + "/derived/seg.png"
        var config = StaticSegmentation.Config()
        config.segments = 3
        let seg = try SegmentationDerivation.runStatic(.init(manifestPath: manifest, seed: 0, size: (h, w),
                                                             output: png, config: config))
        // What segment-stats does with --segmentation seg.png --segments 3.
        let labels = try LabelMap.read(path: png, height: h, width: w, segments: 3)
        XCTAssertEqual(labels, seg.labels)
        XCTAssertGreaterThanOrEqual(ClusterAgreement.adjustedRandIndex(labels, stripeTruth), 0.95)
        // The provenance sidecar holds the same labels and records the run.
        let sidecar = folder + "/derived/seg.h5"
        XCTAssertEqual(try SegmentationArtifact.read(path: sidecar).labels, labels)
        let reader = try ArtifactReader(path: sidecar, expecting: .segmentation)
        XCTAssertEqual(reader.config["segments"] as? Int, 3)
        XCTAssertEqual(reader.config["seed"] as? Int, 0)
        XCTAssertEqual(reader.config["descriptors"] as? [String], ["intensity_mean", "intensity_std", "edge"])
        XCTAssertEqual(reader.config["counts"] as? [Int], seg.counts)
        XCTAssertEqual(reader.config["label_png_sha256"] as? String, try SHA256.hexOfFile(atPath: png))
        try reader.requireInput(role: "manifest", file: manifest)
        reader.close()
        // The overlay figure, and no temporaries left behind.
        let overlay = try PNG.read(path: folder + "/derived/seg_overlay.png")
        XCTAssertEqual(overlay.channels, 3)
        XCTAssertGreaterThan(overlay.width, 3 * w)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/derived").sorted()
        XCTAssertEqual(left, ["seg.h5", "seg.png", "seg_overlay.png"])
    }

    func testDerivationIsDeterministicForASeed() throws {
        let folder = try temporaryFolder()
        var random = RandomState(seed: 3)
        // More segments than stripes, so the clustering has choices to make.
        let manifest = try writeFixture(folder, images: (0..<6).map { _ in stripeImage(&random) })
        var config = StaticSegmentation.Config()
        config.segments = 5
        config.seed = 11
        for name in ["a", "b"] {
            try SegmentationDerivation.runStatic(.init(manifestPath: manifest, seed: 0, size: (h, w),
                                                       output: "\(folder)/\(name).png", config: config))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/a.png")),
                       try Data(contentsOf: URL(fileURLWithPath: folder + "/b.png")))
    }

    func testPoolMapsAddNoisyRegionDescriptors() throws {
        let folder = try temporaryFolder()
        var random = RandomState(seed: 4)
        // Uniform gray parts; only the detector's maps tell a noisy square apart.
        let images = [[Float]](repeating: [Float](repeating: 0.5, count: h * w), count: 10)
        let manifest = try writeFixture(folder, images: images, heldOut: 4)
        let mapsPath = folder + "/maps.h5"
        let writer = try MapsArtifactWriter(path: mapsPath, detector: "toy", count: 10, height: h, width: w, config: [:],
                                            inputs: [try .hashing(role: "manifest", path: manifest)])
        for n in 0..<10 {
            let map = (0..<(h * w)).map { i -> Float in
                let (y, x) = (i / w, i % w)
                let noisy = (16..<48).contains(y) && (16..<48).contains(x)
                return noisy ? Float(4 * random.randomSample()) : 0.1
            }
            try map.withUnsafeBufferPointer { try writer.append(id: "good/\(n)", label: .good, map: $0) }
        }
        try writer.commit()
        var config = StaticSegmentation.Config()
        config.segments = 2
        let seg = try SegmentationDerivation.runStatic(.init(manifestPath: manifest, seed: 0, size: (h, w), mapsPaths: [mapsPath],
                                                             output: folder + "/seg.png", config: config))
        let truth = (0..<(h * w)).map { i -> Int32 in
            (16..<48).contains(i / w) && (16..<48).contains(i % w) ? 1 : 0
        }
        XCTAssertGreaterThanOrEqual(ClusterAgreement.adjustedRandIndex(seg.labels, truth), 0.9)
        let reader = try ArtifactReader(path: folder + "/seg.h5", expecting: .segmentation)
        XCTAssertEqual(reader.config["descriptors"] as? [String],
                       ["intensity_mean", "intensity_std", "edge", "toy_map_mean", "toy_map_std"])
        // Only the pool's 6 maps are read; the 4 test images shape nothing.
        XCTAssertEqual((reader.config["pool_maps"] as? [String: Int])?["toy"], 6)
        XCTAssertEqual(try reader.file.readStrings(LeakageGuard.segmentationDataset), (0..<6).map { "good/\($0)" })
        XCTAssertEqual(reader.inputs(role: "maps").count, 1)
    }

    func testStageRefusesASeedWithoutImagesAndLeavesNothing() throws {
        let folder = try temporaryFolder()
        var random = RandomState(seed: 5)
        let manifest = try writeFixture(folder, images: [stripeImage(&random)])
        XCTAssertThrowsError(try SegmentationDerivation.runStatic(.init(manifestPath: manifest, seed: 7, size: (h, w),
                                                                        output: folder + "/seg.png"))) { error in
            XCTAssertEqual(error as? ManifestError, .noSeed(manifest, seed: 7))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/seg.png"))
    }

    // MARK: Per image

    /// A disc of radius 18 (with a small dark hole) on a background, at (cx, cy).
    func blob(cx: Int, cy: Int, inside: Float, outside: Float, random: inout RandomState) -> (image: [Float], truth: [Int32]) {
        var image = [Float](), truth = [Int32]()
        for i in 0..<(h * w) {
            let (y, x) = (i / w, i % w)
            let r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy)
            let inDisc = r2 <= 18 * 18
            let inHole = r2 <= 9
            image.append((inDisc && !inHole ? inside : outside) + 0.05 * Float(2 * random.randomSample() - 1))
            truth.append(inDisc ? 1 : 0)
        }
        return (image, truth)
    }

    func testPerImageOtsuFindsTheBlobWithHoleFilled() {
        var random = RandomState(seed: 6)
        for (inside, outside) in [(Float(0.8), Float(0.2)), (0.15, 0.7)] {
            let (image, truth) = blob(cx: 24, cy: 36, inside: inside, outside: outside, random: &random)
            let seg = PerImageSegmentation.segment(image, height: h, width: w, config: .init())
            let agree = zip(seg.labels, truth).filter { $0 == $1 }.count
            XCTAssertGreaterThanOrEqual(Double(agree) / Double(h * w), 0.97, "inside \(inside)")
            XCTAssertEqual(seg.labels[36 * w + 24], 1, "the hole is filled")
            XCTAssertEqual(seg.labels[0], 0)
        }
    }

    func testPerImageKeepsLargeObjectsAndDropsSpecks() {
        var random = RandomState(seed: 9)
        var (image, _) = blob(cx: 20, cy: 20, inside: 0.8, outside: 0.2, random: &random)
        for y in 40..<56 { for x in 40..<56 { image[y * w + x] = 0.8 } }    // a second object, 256 px
        for y in 5..<7 { for x in 55..<57 { image[y * w + x] = 0.8 } }      // a speck, 4 px
        let seg = PerImageSegmentation.segment(image, height: h, width: w, config: .init())
        XCTAssertEqual(seg.labels[20 * w + 20], 1)
        XCTAssertEqual(seg.labels[48 * w + 48], 1)
        XCTAssertEqual(seg.labels[6 * w + 56], 0)
    }

    func testPerImageThreeClassesSplitsForegroundByIntensity() {
        var random = RandomState(seed: 7)
        var (image, _) = blob(cx: 32, cy: 32, inside: 0.6, outside: 0.1, random: &random)
        for i in 0..<(h * w) where i % w >= 32 && image[i] > 0.4 { image[i] += 0.3 }   // right half of the disc brighter
        var config = PerImageSegmentation.Config()
        config.classes = 3
        let seg = PerImageSegmentation.segment(image, height: h, width: w, config: config)
        XCTAssertEqual(seg.labels[0], 0)
        XCTAssertEqual(seg.labels[32 * w + 20], 1)
        XCTAssertEqual(seg.labels[32 * w + 44], 2)
    }

    func testPerImageStageWritesLabelsAndAManifestCopy() throws {
        let folder = try temporaryFolder()
        var random = RandomState(seed: 8)
        let images = (0..<5).map { n in blob(cx: 20 + 4 * n, cy: 30, inside: 0.8, outside: 0.2, random: &random).image }
        let manifest = try writeFixture(folder, images: images)
        let output = folder + "/out/with-seg.json"
        try SegmentationDerivation.runPerImage(.init(manifestPath: manifest, size: (h, w), output: output))
        let copy = try Manifest.load(path: output)
        let original = try Manifest.load(path: manifest)
        XCTAssertEqual(copy.items.map(\.id), original.items.map(\.id))
        XCTAssertEqual(copy.seeds[0]?[.detectorTrain], original.seeds[0]?[.detectorTrain])
        for (a, b) in zip(copy.items, original.items) {
            XCTAssertEqual(copy.resolve(a.image!), original.resolve(b.image!))
            let labels = try LabelMap.read(path: copy.resolve(a.segmentation!), height: h, width: w, segments: 2)
            XCTAssertEqual(Set(labels), [0, 1])
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/out/with-seg_overlay.png"))
        // A rerun replaces the folder as a whole.
        try SegmentationDerivation.runPerImage(.init(manifestPath: manifest, size: (h, w), output: output))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out").sorted(),
                       ["with-seg.json", "with-seg_overlay.png", "with-seg_segmentation"])
    }

    func testRelativePaths() {
        XCTAssertEqual(SegmentationDerivation.relativePath("/a/b/c.png", from: "/a/d"), "../b/c.png")
        XCTAssertEqual(SegmentationDerivation.relativePath("/a/b", from: "/a/b"), ".")
        XCTAssertEqual(SegmentationDerivation.relativePath("/a/b/c", from: "/a"), "b/c")
    }
}
