// Golden files: Tests/SegADDatasetsTests/Fixtures/formats/* and
// expected.json, made by Fixtures/make_format_fixtures.py with Pillow
// 13.0.0: four 24×24 training images saved as a gray JPEG with Exif
// orientation 6, an RGB JPEG named .JPEG, a deflate gray TIFF with
// Orientation 3 and a 16-bit gray TIFF; expected.json holds Pillow's decode
// after `ImageOps.exif_transpose`. The tests write those samples as PNGs
// (the project's writer) and check that the VAD builders, given a folder of
// the JPEG/TIFF files, write exactly what they write from the PNG folder.
// The PNG fixtures of SegADNativeTests (hand-encoded, every color type and
// depth) and, when present, real ELPV cells check that PNGs reach the
// builders as `PNG.read` gave them before (ELPV outputs unchanged).
import Foundation
import XCTest
import SegADNative
import SegADKernels
import SegADCore
@testable import SegADDatasets

private let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
private let formats = here.appendingPathComponent("Fixtures/formats").path

final class ImageFormatsBuilderTests: XCTestCase {
    struct Decoded { var name: String; var width: Int; var height: Int; var channels: Int; var maxValue: Int; var samples: [Int] }

    func pillowDecodes() throws -> [Decoded] {
        let data = try Data(contentsOf: URL(fileURLWithPath: formats + "/expected.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        return try json.keys.sorted().map { name in
            let e = json[name]!
            return Decoded(name: name, width: try XCTUnwrap(e["width"] as? Int), height: try XCTUnwrap(e["height"] as? Int),
                           channels: try XCTUnwrap(e["channels"] as? Int), maxValue: try XCTUnwrap(e["maxValue"] as? Int),
                           samples: try XCTUnwrap(e["samples"] as? [Int]))
        }
    }

    /// Pillow's decode written as a PNG of the same depth and channels.
    func writePNG(_ d: Decoded, to path: String) throws {
        switch (d.channels, d.maxValue) {
        case (1, 65535): try PNG.writeGray16(path: path, width: d.width, height: d.height, pixels: d.samples.map { UInt16($0) })
        case (1, _): try PNG.writeGray8(path: path, width: d.width, height: d.height, pixels: d.samples.map { UInt8($0) })
        default: try PNG.writeRGB8(path: path, width: d.width, height: d.height, pixels: d.samples.map { UInt8($0) })
        }
    }

    func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("formats-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Two VAD trees: train/good holds the JPEG/TIFF fixtures in one and
    /// PNGs of Pillow's decodes (same base names) in the other.
    func trees() throws -> (original: String, png: String, decodes: [Decoded]) {
        let dir = try temporaryFolder()
        let decodes = try pillowDecodes()
        let fm = FileManager.default
        for root in [dir + "/original", dir + "/png"] {
            for folder in VADLayout.folders {
                try fm.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
                if folder != "train/good" {
                    try PNG.writeGray8(path: root + "/" + folder + "/x.png", width: 8, height: 8, pixels: [UInt8](repeating: 9, count: 64))
                }
            }
        }
        for d in decodes {
            try fm.copyItem(atPath: formats + "/" + d.name, toPath: dir + "/original/train/good/" + d.name)
            try writePNG(d, to: dir + "/png/train/good/" + (d.name as NSString).deletingPathExtension + ".png")
        }
        return (dir + "/original", dir + "/png", decodes)
    }

    func testVADLayoutListsEveryImageFormat() throws {
        let (original, _, _) = try trees()
        for junk in ["notes.txt", "list.json", "thumbs.db"] {
            FileManager.default.createFile(atPath: original + "/train/good/" + junk, contents: Data("x".utf8))
        }
        let layout = try VADLayout(root: original)
        XCTAssertEqual(layout.trainGood, ["good1.jpg", "good2.JPEG", "good3.tif", "good4.tiff"])
        XCTAssertEqual(layout.trainBad, ["x.png"])
    }

    /// The decoder path itself: ImageFile.read of each fixture is Pillow's decode.
    func testFixturesDecodeLikePillow() throws {
        for d in try pillowDecodes() {
            let image = try ImageFile.read(path: formats + "/" + d.name)
            XCTAssertEqual([image.width, image.height, image.channels, Int(image.maxValue)],
                           [d.width, d.height, d.channels, d.maxValue], d.name)
            XCTAssertEqual(image.samples, d.samples.map(Float.init), d.name)
        }
    }

    /// synthesize-defects on JPEG/TIFF training images writes the same
    /// defects, byte for byte, as on PNGs holding the same pixels.
    func testSyntheticDefectsFromJPEGAndTIFFEqualThoseFromPNG() throws {
        let (original, png, _) = try trees()
        let out = try temporaryFolder()
        let segmentation = out + "/labels.png"
        try PNG.writeGray8(path: segmentation, width: 24, height: 24, pixels: (0..<576).map { UInt8(($0 % 24) / 8) })
        var sources = Set<String>()
        for seed in 0..<10 where sources.count < 4 {
            var lists: [[[String]]] = []
            for (tag, root) in [("original", original), ("png", png)] {
                let dir = "\(out)/\(tag)-\(seed)"
                try SyntheticDefects.run(.init(root: root, seed: seed, segmentation: segmentation, segments: 3, outputDirectory: dir))
                let rows = try String(contentsOfFile: dir + "/list.csv", encoding: .utf8).split(separator: "\n").dropFirst()
                    .map { $0.split(separator: ",").map(String.init) }
                lists.append(rows.map { [$0[0], ($0[2] as NSString).deletingPathExtension, $0[3], $0[4]] })
                if tag == "original" { sources.formUnion(rows.map { $0[2] }) }
            }
            XCTAssertEqual(lists[0], lists[1], "seed \(seed)")
            XCTAssertEqual(lists[0].count, 2)
            for row in lists[0] {
                let name = (row[0] as NSString).lastPathComponent
                let a = try Data(contentsOf: URL(fileURLWithPath: "\(out)/original-\(seed)/\(name)"))
                let b = try Data(contentsOf: URL(fileURLWithPath: "\(out)/png-\(seed)/\(name)"))
                XCTAssertEqual(a, b, "seed \(seed) \(name)")
            }
        }
        // Every format was a defect's source in some seed (seeds until all four were).
        XCTAssertEqual(sources, ["train/good/good1.jpg", "train/good/good2.JPEG", "train/good/good3.tif", "train/good/good4.tiff"])
    }

    /// The static segmentation vad-elpv-tree derives from good images, from
    /// JPEG/TIFF files: the same bytes as from the PNGs.
    func testSegmentationFromJPEGAndTIFFEqualsFromPNG() throws {
        let (original, png, decodes) = try trees()
        let out = try temporaryFolder()
        try VADFromELPV.writeSegmentation(goodPaths: decodes.map { original + "/train/good/" + $0.name }, to: out + "/a.png")
        try VADFromELPV.writeSegmentation(goodPaths: decodes.map { png + "/train/good/" + ($0.name as NSString).deletingPathExtension + ".png" },
                                          to: out + "/b.png")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/a.png")), try Data(contentsOf: URL(fileURLWithPath: out + "/b.png")))
        XCTAssertEqual(Set(try PNG.read(path: out + "/a.png").samples).count, 4)
    }

    /// PNGs of every color type and depth reach the builders exactly as
    /// `PNG.read(…).expandedTo8Bit()` gave them before: gray values (ELPV
    /// segmentation, VAD segmentation) and integer samples (synthetic defects).
    func testPNGsReachTheBuildersAsBefore() throws {
        let pngDir = here.deletingLastPathComponent().appendingPathComponent("SegADNativeTests/Fixtures/png").path
        var paths = ["gray1", "gray4", "gray8", "gray16", "gray_alpha8", "palette4", "palette8", "rgb8", "rgb16", "rgba8"]
            .map { pngDir + "/" + $0 + ".png" }
        let elpv = here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".cache/elpv/images").path
        if let cells = try? FileManager.default.contentsOfDirectory(atPath: elpv) {
            paths += cells.filter { $0.hasSuffix(".png") }.sorted().prefix(20).map { elpv + "/" + $0 }
        }
        for p in paths {
            let before = try PNG.read(path: p).expandedTo8Bit()
            let after = try ImageFile.read(path: p, minSide: 1).expandedTo8Bit()
            XCTAssertEqual(after.grayFloats(), before.grayFloats(), p)
            XCTAssertEqual([after.width, after.height], [before.width, before.height], p)
            guard before.width >= 8, before.height >= 8 else { continue }
            let synthetic = try SyntheticDefects.readImage(p)
            let c = before.channels == 2 || before.channels == 4 ? before.channels - 1 : before.channels
            XCTAssertEqual(synthetic.channels, c, p)
            XCTAssertEqual(synthetic.bitDepth, before.bitDepth, p)
            let colour = (0..<(before.width * before.height * c)).map { before.samples[($0 / c) * before.channels + $0 % c] }
            XCTAssertEqual(synthetic.samples, colour, p)
        }
    }
}
