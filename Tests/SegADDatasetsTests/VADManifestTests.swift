import Foundation
import XCTest
import SegADNative
import SegADKernels
import SegADCore
import SegADMethod
@testable import SegADDatasets

final class VADManifestTests: XCTestCase {
    /// A VAD-layout tree of empty files (the manifest builder reads names only).
    func makeTree(goodTrain: Int = 10, badTrain: Int = 6) throws -> String {
        let root = NSTemporaryDirectory() + "vad-manifest-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let counts = ["train/good": goodTrain, "train/bad": badTrain, "test/good": 4, "test/bad": 3, "test/bad_unseen_defects": 2]
        for (folder, n) in counts {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            for i in 0..<n { FileManager.default.createFile(atPath: "\(root)/\(folder)/\(i).png", contents: Data()) }
        }
        let low = ["7": ["0.png", "1.png"], "3": ["2.png", "3.png"], "11": ["4.png", "5.png"], "5": ["0.png", "5.png"], "9": ["1.png", "2.png"]]
        try JSONSerialization.data(withJSONObject: low).write(to: URL(fileURLWithPath: root + "/low_shot_train.json"))
        return root
    }

    func manifest(_ root: String, _ mode: VADManifest.Mode, seed: Int, seeds: [Int] = [0, 1, 2, 3, 4]) throws -> Manifest {
        let out = root + "/m-\(mode.rawValue)-\(seed).json"
        try VADManifest.build(.init(root: root, mode: mode, seed: seed, seeds: seeds, output: out))
        return try Manifest.load(path: out)
    }

    func testSplitIsHalfHalfDisjointAndNumpyPermutation() throws {
        let root = try makeTree()
        let m = try manifest(root, .highshot, seed: 3)
        let detector = m.ids(.detectorTrain, seed: 3), segad = m.ids(.segadTrain, seed: 3)
        XCTAssertEqual(detector.count, 5)
        XCTAssertEqual(segad.count, 5 + 6)
        XCTAssertTrue(Set(detector).isDisjoint(with: segad))
        // numpy: names sorted, RandomState(3).permutation(10); first half → detector-train.
        var rng = RandomState(seed: 3)
        let p = rng.permutation(10)
        let names = (0..<10).map { "\($0).png" }.sorted()
        XCTAssertEqual(detector, p[..<5].map { "train/good/\(names[$0])" })
        XCTAssertEqual(m.className, "vad")
        XCTAssertEqual(m.ids(.test, seed: 3).count, 9)
        XCTAssertEqual(m.items.filter { $0.tags.contains("unseen") }.count, 2)
        // classifier-train: 80% of train/good (8) and of train/bad (4).
        XCTAssertEqual(m.ids(.classifierTrain, seed: 3).count, 12)
        // detectors mode: the same detector-train, nothing else.
        let d = try manifest(root, .detectors, seed: 3)
        XCTAssertEqual(d.ids(.detectorTrain, seed: 3), detector)
        XCTAssertEqual(d.items.count, 5)
    }

    func testLowShotKeysFollowSeedPositionInNumericOrder() throws {
        let root = try makeTree()
        // Keys 3 5 7 9 11 in numeric order; seed 1 is the second seed → key "5".
        let m = try manifest(root, .lowshot, seed: 1)
        XCTAssertEqual(m.ids(.segadTrain, seed: 1).filter { $0.hasPrefix("train/bad/") }, ["train/bad/0.png", "train/bad/5.png"])
        XCTAssertEqual(VADLayout.lowShotKey(seed: 7, seeds: [7, 3, 5, 9, 11], keys: ["3", "5", "7", "9", "11"]), "7")
        XCTAssertEqual(VADLayout.lowShotKey(seed: 2, seeds: [0, 1, 2], keys: ["b", "a", "c"]), "c")
        XCTAssertNil(VADLayout.lowShotKey(seed: 5, seeds: [0, 1, 2, 3, 4, 5], keys: ["a", "b"]))
    }

    func testMissingFoldersAreNamedInOneError() throws {
        let root = NSTemporaryDirectory() + "vad-missing-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/train/good", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertThrowsError(try VADLayout(root: root, needLowShot: true)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing train/good/ images (.png .jpg .jpeg .tif .tiff), train/bad/, test/good/, test/bad/, test/bad_unseen_defects/, low_shot_train.json"), text)
            XCTAssertTrue(text.contains("VAD_ROOT"), text)
        }
    }

    func testSyntheticDefectStaysInsideOneSegmentAndIsSeeded() throws {
        let (h, w) = (24, 24)
        let samples = (0..<(h * w)).map { UInt16(60 + ($0 / w % 6) * 20) }
        let png = PNGImage(width: w, height: h, channels: 1, bitDepth: 8, samples: samples)
        let labels = (0..<(h * w)).map { UInt8(($0 % w) / 8) }
        for seed in 0..<20 {
            var a = RandomState(seed: UInt32(seed)), b = RandomState(seed: UInt32(seed))
            let (x, kind, segment) = try SyntheticDefects.apply(png, labels: labels, rng: &a, path: "t")
            let (y, _, _) = try SyntheticDefects.apply(png, labels: labels, rng: &b, path: "t")
            XCTAssertEqual(x, y)
            let changed = (0..<(h * w)).filter { x.samples[$0] != png.samples[$0] }
            XCTAssertFalse(changed.isEmpty)
            XCTAssertTrue(changed.allSatisfy { Int(labels[$0]) == segment }, "seed \(seed) \(kind)")
        }
    }

    func testGaussianBlurKeepsConstantsAndMass() {
        let flat = [Float](repeating: 7, count: 100)
        XCTAssertEqual(SyntheticDefects.gaussianBlur(flat, height: 10, width: 10, sigma: 2).max()!, 7, accuracy: 1e-5)
        var spike = [Float](repeating: 0, count: 21 * 21)
        spike[10 * 21 + 10] = 1
        let out = SyntheticDefects.gaussianBlur(spike, height: 21, width: 21, sigma: 1.5)
        XCTAssertEqual(out.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(out[10 * 21 + 9], out[10 * 21 + 11], accuracy: 1e-7)
    }

    func testSegmentationColorsBecomeLabelsInAscendingOrder() throws {
        let path = NSTemporaryDirectory() + "vad-seg-\(UUID().uuidString.prefix(8)).png"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        try PNG.writeGray8(path: path, width: 4, height: 2, pixels: [200, 200, 50, 50, 0, 0, 200, 50])
        let (labels, h, w) = try VADSegmentation.labels(of: path, segments: 3)
        XCTAssertEqual([h, w], [2, 4])
        XCTAssertEqual(labels, [2, 2, 1, 1, 0, 0, 2, 1])
        XCTAssertEqual(VADSegmentation.nearest(labels, height: 2, width: 4, toHeight: 4, toWidth: 2), [2, 1, 2, 1, 0, 1, 0, 1])
        XCTAssertThrowsError(try VADSegmentation.labels(of: path, segments: 2))
    }
}
