import Foundation
import SegADNative
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 4: every dataset carries a Fletcher-32 checksum, verified
/// by HDF5 on read; a byte flipped inside a dataset's stored data (values,
/// `labels`, strings) is refused with one line naming the artifact — per
/// artifact kind. And a symlinked input retargeted after a stage ran is caught
/// by provenance (it hashes the content the link resolves to).
final class DamagedArtifactTests: XCTestCase {
    private func flip(_ file: String, _ dataset: String) throws {
        let r = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/reliability/flip_byte.py", file, dataset])
        XCTAssertEqual(r.status, 0, "flip_byte.py: \(r.stderr)")
    }

    func testAByteFlippedInsideAnyDatasetIsRefusedPerArtifactKind() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let cases: [(artifact: String, dataset: String, run: () throws -> ToolRunner.Result)] = [
            (f.maps, "maps", { try f.segmentStats(output: f.dir + "/x.h5") }),
            (f.maps, "labels", { try f.segmentStats(output: f.dir + "/x.h5") }),
            (f.maps, "ids", { try f.segmentStats(output: f.dir + "/x.h5") }),
            (f.features, "features", { try f.trainBRF(output: f.dir + "/x.h5") }),
            (f.features, "labels", { try f.trainBRF(output: f.dir + "/x.h5") }),
            (f.model, "model_json", { try f.score(output: f.dir + "/x.h5") }),
            (f.scores, "seed_0/scores", { try f.report([f.scores], output: f.dir + "/rep") }),
            (f.scores, "seed_0/labels", { try f.report([f.scores], output: f.dir + "/rep") }),
        ]
        for c in cases {
            let backup = c.artifact + ".good"
            try FileManager.default.copyItem(atPath: c.artifact, toPath: backup)
            try flip(c.artifact, c.dataset)
            let before = try f.snapshot()
            try f.assertRefused(c.run(), naming: c.artifact, fault: "damaged", "'\(c.dataset)'", "checksum", before: before)
            try FileManager.default.removeItem(atPath: c.artifact)
            try FileManager.default.moveItem(atPath: backup, toPath: c.artifact)
        }
    }

    /// Every dataset of every artifact kind the fixture writes is chunked with
    /// the Fletcher-32 filter (h5py: `ds.fletcher32`).
    func testEveryDatasetCarriesFletcher32() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        try assertFletcher32([f.maps, f.features, f.model, f.scores])
    }

    /// Asserts (h5py: `ds.fletcher32`) that every non-empty dataset of the
    /// given HDF5 files is chunked with the Fletcher-32 filter.
    func assertFletcher32(_ paths: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let script = """
            import sys, h5py
            bad = []
            for path in sys.argv[1:]:
                def visit(name, obj):
                    if isinstance(obj, h5py.Dataset) and obj.size > 0 and obj.shape != () and not obj.fletcher32:
                        bad.append(f"{path}:{name}")
                with h5py.File(path, "r") as h:
                    h.visititems(visit)
            print(" ".join(bad)); sys.exit(1 if bad else 0)
            """
        let r = try ToolRunner.run("python3", ["-c", script] + paths)
        XCTAssertEqual(r.status, 0, "datasets without Fletcher-32: \(r.stdout) \(r.stderr)", file: file, line: line)
    }

    func testRetargetedSymlinkedInputIsCaughtByProvenance() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        // A second features artifact from the same manifest (other segments).
        let other = f.dir + "/features-4.h5"
        let seg4 = f.dir + "/seg4.png"
        try PNG.writeGray8(path: seg4, width: 8, height: 8, pixels: (0..<64).map { UInt8($0 % 4) })
        XCTAssertEqual(try f.segmentStats(segmentation: seg4, segments: 4, output: other).status, 0)
        let link = f.dir + "/features-link.h5"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: f.features)
        XCTAssertEqual(try f.trainBRF(features: link).status, 0)
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: other)
        let before = try f.snapshot()
        try f.assertRefused(f.score(features: link), naming: f.model, fault: "different features", before: before)
    }
}

extension DamagedArtifactTests {
    /// A map file named by the manifest is a symlink retargeted after
    /// extract-maps ran: segment-stats refuses the maps artifact (its
    /// `map_files_sha256` no longer matches what the paths resolve to).
    func testRetargetedSymlinkedMapFileIsCaughtByProvenance() throws {
        let f = try BadInputFixture(self)
        let real = f.dir + "/maps/alpha/item03-real.npy"
        try FileManager.default.moveItem(atPath: f.mapPath(3), toPath: real)
        try FileManager.default.createSymbolicLink(atPath: f.mapPath(3), withDestinationPath: real)
        try f.build(through: .features)
        try FileManager.default.removeItem(atPath: f.mapPath(3))
        try FileManager.default.createSymbolicLink(atPath: f.mapPath(3), withDestinationPath: f.mapPath(5))
        let before = try f.snapshot()
        try f.assertRefused(f.segmentStats(), naming: f.maps, fault: "changed since", "rerun extract-maps", before: before)
        // Pointing it back makes the artifact current again.
        try FileManager.default.removeItem(atPath: f.mapPath(3))
        try FileManager.default.createSymbolicLink(atPath: f.mapPath(3), withDestinationPath: real)
        XCTAssertEqual(try f.segmentStats().status, 0)
    }
}
