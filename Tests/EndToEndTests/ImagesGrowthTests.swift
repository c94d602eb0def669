import Foundation
import XCTest
import SegAD
import _TestSupport

/// A growing folder keeps every image's role (docs/manifest.md, "The split"):
/// images-manifest gives each image its role from its id and the seed alone,
/// so adding good and bad images to a folder of ELPV cells never moves an
/// earlier one between the detector pool, segad-train and test, in any seed.
final class ImagesGrowthTests: XCTestCase {
    func manifest(_ folder: String, _ out: String, seeds: String = "0,1,2,3,4") throws -> ToolRunner.Result {
        try ToolRunner.run("build-dataset", ["images-manifest", "--images", folder, "--seeds", seeds, "-o", out])
    }

    func testAddingImagesMovesNoEarlierImage() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ImagesKnobTests.elpv + "/labels.csv"), "ELPV not fetched (make demo)")
        let tmp = try temporaryFolder()
        let cells = tmp + "/cells"
        try ImagesKnobTests.makeELPVFolder(cells, good: 30, bad: 12)
        let first = try manifest(cells, tmp + "/first.json")
        XCTAssertEqual(first.status, 0, first.stderr)
        // The folder grows: the first cells stay, more good and bad ones join.
        try FileManager.default.removeItem(atPath: cells)
        try ImagesKnobTests.makeELPVFolder(cells, good: 60, bad: 30)
        let second = try manifest(cells, tmp + "/second.json")
        XCTAssertEqual(second.status, 0, second.stderr)

        let a = try Manifest.load(path: tmp + "/first.json"), b = try Manifest.load(path: tmp + "/second.json")
        XCTAssertEqual(Set(a.items.map(\.id)).subtracting(b.items.map(\.id)), [])
        XCTAssertEqual(b.items.count, 90)
        let roles: [Manifest.Role] = [.detectorTrain, .segadTrain, .test]
        var moved: [String] = [], grownRoles = Set<Manifest.Role>()
        for seed in 0...4 {
            func role(_ m: Manifest, _ id: String) -> Manifest.Role? { roles.first { m.ids($0, seed: seed).contains(id) } }
            for item in a.items {
                if role(a, item.id) != role(b, item.id) { moved.append("seed \(seed): \(item.id)") }
            }
            // The new images land in every role (the rule is not "new images go to test").
            for item in b.items where !a.items.contains(where: { $0.id == item.id }) {
                if let r = role(b, item.id) { grownRoles.insert(r) }
            }
        }
        XCTAssertEqual(moved, [], "earlier images changed role")
        XCTAssertEqual(grownRoles, Set(roles))
    }

    /// Too few images for a role in some seed: one line naming the folder, the label, the role and the seed.
    func testARoleLeftEmptyIsOneLine() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ImagesKnobTests.elpv + "/labels.csv"), "ELPV not fetched (make demo)")
        let tmp = try temporaryFolder()
        let cells = tmp + "/cells"
        try ImagesKnobTests.makeELPVFolder(cells, good: 30, bad: 2)
        let r = try manifest(cells, tmp + "/m.json", seeds: "0,1,2,3,4,5,6,7,8,9")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(cells + "/bad") && r.stderr.contains("2 bad images") && r.stderr.contains("empty in seed"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/m.json"))
    }
}
