import Foundation
import XCTest
import SegAD
import SegADNative
import _TestSupport

/// The demo's ELPV pieces on a fake ELPV folder: the committed
/// Fixtures/elpv/labels.csv (33 mono and 16 poly cells, made up — no ELPV
/// data is committed) and small synthetic cells generated here.
final class DemoTests: XCTestCase {
    static let fixtureLabels = ToolRunner.repoRoot + "/Tests/EndToEndTests/Fixtures/elpv/labels.csv"

    /// A temporary ELPV-like folder: labels.csv and images/cellNNNN.png (60×60 gray).
    func makeFakeELPV() throws -> String {
        let root = NSTemporaryDirectory() + "segad-demo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: Self.fixtureLabels, toPath: root + "/labels.csv")
        let rows = try ELPVManifest.readLabels(path: root + "/labels.csv", checkImages: false)
        for (n, row) in rows.enumerated() {
            let cell = Self.syntheticCell(size: 60, busbars: [18, 40], seed: n)
            try PNG.writeGray8(path: root + "/" + row.image, width: 60, height: 60, pixels: cell.map { UInt8($0) })
        }
        return root
    }

    /// A cell: dark frame (20) outside rows/columns 3…size−4, cell area ~150
    /// with a little deterministic texture, busbar rows (two rows each) at 60.
    static func syntheticCell(size: Int, busbars: [Int], seed: Int) -> [Float] {
        var v = [Float](repeating: 20, count: size * size)
        var state = UInt32(truncatingIfNeeded: 2_654_435_761 &* (seed + 1))
        for y in 3..<(size - 3) {
            for x in 3..<(size - 3) {
                state = state &* 1_664_525 &+ 1_013_904_223
                v[y * size + x] = 150 + Float(state >> 28)  // 150…165
            }
        }
        for b in busbars {
            for y in b...(b + 1) { for x in 3..<(size - 3) { v[y * size + x] = 60 } }
        }
        return v
    }

    func buildManifest(_ root: String, type: String, seeds: String = "0,1,2,3,4", extra: [String] = []) throws -> (String, Manifest) {
        let out = root + "/manifests/\(type).json"
        let r = try ToolRunner.run("build-dataset", ["elpv-manifest", "--labels", root + "/labels.csv", "--type", type,
                                                    "--seeds", seeds, "-o", out] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return (out, try Manifest.load(path: out))
    }

    func testSplitRule() throws {
        let root = try makeFakeELPV()
        let (path, manifest) = try buildManifest(root, type: "mono")
        let rows = try ELPVManifest.readLabels(path: root + "/labels.csv").filter { $0.type == .mono }
        let good = rows.filter { $0.label == .good }.map(\.id)
        let bad = rows.filter { $0.label == .bad }.map(\.id)
        let uncertain = rows.filter { $0.label == .uncertain }.map(\.id)
        XCTAssertEqual([good.count, bad.count, uncertain.count], [20, 8, 5])
        XCTAssertEqual(manifest.items.count, 33)
        // Images resolve from the manifest's folder.
        for item in manifest.items { XCTAssertTrue(FileManager.default.fileExists(atPath: manifest.resolve(item.image!))) }

        // numpy: RandomState(0).permutation(20)[:8] — the pool (⌊0.4·20⌋ = 8).
        let pool = [18, 1, 19, 8, 10, 17, 6, 13].map { good[$0] }
        for seed in 0...4 {
            let train = manifest.ids(.detectorTrain, seed: seed)
            let segad = manifest.ids(.segadTrain, seed: seed)
            let test = manifest.ids(.test, seed: seed)
            XCTAssertEqual(train, pool, "seed \(seed): the pool is fixed across seeds")
            XCTAssertEqual(Set(train).count + Set(segad).count + Set(test).count, 33, "seed \(seed): roles cover every cell")
            XCTAssertTrue(Set(train).isDisjoint(with: segad) && Set(train).isDisjoint(with: test) && Set(segad).isDisjoint(with: test))
            XCTAssertTrue(Set(uncertain).isSubset(of: Set(test)), "seed \(seed): every uncertain cell is tested")
            XCTAssertEqual(segad.filter(good.contains).count, 6)   // ⌊12/2⌋ of the remaining good
            XCTAssertEqual(segad.filter(bad.contains).count, 4)    // ⌊8/2⌋ of the bad
            XCTAssertEqual(Array(segad.prefix(6)), segad.filter(good.contains), "good rows first")
        }
        // numpy: RandomState(3).permutation(12)[:6] of the remaining good, permutation(8)[:4] of the bad.
        let rest = good.filter { !pool.contains($0) }
        XCTAssertEqual(manifest.ids(.segadTrain, seed: 3),
                       [5, 4, 1, 2, 11, 6].map { rest[$0] } + [5, 7, 4, 6].map { bad[$0] })
        XCTAssertNotEqual(manifest.ids(.segadTrain, seed: 0), manifest.ids(.segadTrain, seed: 1))

        // Deterministic: a second build writes the same bytes.
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try buildManifest(root, type: "mono")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), first)
    }

    func testLabelFaultsAreOneLine() throws {
        let root = try makeFakeELPV()
        var text = try String(contentsOfFile: root + "/labels.csv", encoding: .utf8)
        text += "images/cell0001.png  0.5  mono\n"
        try text.write(toFile: root + "/labels.csv", atomically: true, encoding: .utf8)
        let out = root + "/manifests/mono.json"
        let r = try ToolRunner.run("build-dataset", ["elpv-manifest", "--labels", root + "/labels.csv", "--type", "mono", "-o", out])
        XCTAssertNotEqual(r.status, 0)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("labels.csv: line 50: defect probability '0.5'"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on failure")
    }

    func testPolySegmenterFindsBusbars() throws {
        // 300×300 synthetic cell: frame outside 10…289, busbars at rows 80–84 and 200–204.
        let size = 300
        var cell = [Float](repeating: 25, count: size * size)
        for y in 10...289 { for x in 10...289 { cell[y * size + x] = 140 + Float((x * 7 + y * 13) % 11) } }
        for y in Array(80...84) + Array(200...204) { for x in 10...289 { cell[y * size + x] = 70 } }
        let r = ELPVSegmenter().segment(cell, height: size, width: size)
        XCTAssertEqual([r.top, r.bottom, r.left, r.right], [10, 289, 10, 289])
        XCTAssertEqual(r.busbars.count, 2)
        XCTAssertTrue(r.busbars[0].contains(80) && r.busbars[0].contains(84) && r.busbars[0].count <= 8, "\(r.busbars)")
        XCTAssertTrue(r.busbars[1].contains(200) && r.busbars[1].contains(204) && r.busbars[1].count <= 8, "\(r.busbars)")
        XCTAssertEqual(r.labels[0], 0)                       // background
        XCTAssertEqual(r.labels[12 * size + 150], 1)         // border (12 px band)
        XCTAssertEqual(r.labels[82 * size + 150], 2)         // busbar
        XCTAssertEqual(r.labels[150 * size + 150], 3)        // cell
        XCTAssertEqual(r.labels[82 * size + 15], 1, "the border wins over busbars")

        // A wide dark band is a defect, not a busbar.
        for y in 130...170 { for x in 10...289 { cell[y * size + x] = 60 } }
        XCTAssertEqual(ELPVSegmenter().segment(cell, height: size, width: size).busbars.count, 2)
    }

    func testSegmentELPVWritesOneLabelMapPerItem() throws {
        let root = try makeFakeELPV()
        let segDir = root + "/segmentation/poly"
        let (path, manifest) = try buildManifest(root, type: "poly", extra: ["--segmentation-dir", segDir])
        let r = try ToolRunner.run("build-dataset", ["segment-elpv", "--manifest", path, "--size", "30", "-o", segDir])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(manifest.items.count, 16)
        for item in manifest.items {
            let labels = try LabelMap.read(path: manifest.resolve(item.segmentation!), height: 30, width: 30,
                                           segments: ELPVSegmenter.segmentCount)
            XCTAssertEqual(Set(labels), [0, 1, 2, 3], item.id)
        }
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: segDir + "/segmentation.json"))) as! [String: Any]
        let items = record["items"] as! [[String: Any]]
        XCTAssertEqual(items.count, 16)
        // Busbars at rows 18–19 and 40–41 of 60 (widened by the 1-row margin).
        XCTAssertEqual(items[0]["busbars"] as? [[Int]], [[17, 20], [39, 42]])
    }
}
