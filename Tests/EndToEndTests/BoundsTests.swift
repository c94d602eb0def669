import Foundation
import SegAD
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 1 (bounds and ids) and class 6 (seed keys): every numeric
/// option is bounded before anything is allocated, ids are validated on every
/// manifest load, seed keys are canonical.
final class BoundsTests: XCTestCase {
    /// Each case once failed by allocating, trapping or running unbounded
    /// (`--size 100000` aborted, `--segments 703` segfaulted, 10⁸ trees ran
    /// until killed); now one line naming the option, before any work.
    func testEveryNumericOptionIsBoundedBeforeWork() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let m = f.manifest, out = f.dir + "/out.h5"
        let cases: [(String, [String], String)] = [
            ("extract-maps", ["--manifest", m, "--detector", "alpha", "-o", out, "--size", "100000"], "--size"),
            ("extract-maps", ["--manifest", m, "--detector", "alpha", "-o", out, "--size", "40000x8"], "--size"),
            ("extract-maps", ["--manifest", m, "--detector", "alpha", "-o", out, "--png-scale", "inf"], "--png-scale"),
            ("extract-maps", ["--manifest", m, "--detector", "alpha", "-o", out, "--png-scale", "nan"], "--png-scale"),
            ("extract-maps", ["fit", "--manifest", m, "--kind", "golden-template", "--seed", "0", "--size", "40000", "-o", out], "--size"),
            ("extract-maps", ["fit", "--manifest", m, "--kind", "golden-template", "--seed", "0", "--limit", "0", "-o", out], "--limit"),
            ("extract-maps", ["fit", "--manifest", m, "--kind", "golden-template", "--seed", "-1", "-o", out], "--seed"),
            ("extract-maps", ["derive-segmentation", "--manifest", m, "--seed", "0", "--segments", "300", "-o", f.dir + "/s.png"], "--segments"),
            ("segment-stats", ["--manifest", m, "--maps", f.maps, "--segmentation", f.segmentation, "--segments", "703", "-o", out], "--segments"),
            ("segment-stats", ["--manifest", m, "--maps", f.maps, "--segmentation", f.segmentation, "--segments", "2", "--threads", "100000", "-o", out], "--threads"),
            ("train-brf", ["--features", f.features, "--manifest", m, "--seed", "0", "-o", out, "--num-parallel-tree", "100000000"], "--num-parallel-tree"),
            ("train-brf", ["--features", f.features, "--manifest", m, "--seed", "0", "-o", out, "--rounds", "0"], "--rounds"),
            ("train-brf", ["--features", f.features, "--manifest", m, "--seed", "0", "-o", out, "--rounds", "5000", "--num-parallel-tree", "5000"], "trees"),
            ("train-brf", ["--features", f.features, "--manifest", m, "--seed", "0", "-o", out, "--max-depth", "1000"], "--max-depth"),
            ("evaluate", ["score-new", "--pipeline", out, "--images", f.dir, "-o", f.dir + "/new", "--batch", "100000000"], "--batch"),
            ("evaluate", ["save-pipeline", "--manifest", m, "--seed", "0", "--features", f.features, "--model", f.model,
                          "--state", out, "--segmentation", f.segmentation, "--folds", "1000000", "-o", out], "--folds"),
        ]
        for (tool, args, option) in cases {
            let t0 = Date()
            let r = try ToolRunner.run(tool, args)
            assertOneLineRefusal(r, option)
            XCTAssertLessThan(Date().timeIntervalSince(t0), 10, "\(tool) \(args) took long to refuse")
        }
        XCTAssertEqual(try f.snapshot(), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// One rule for the segment count L (`Bounds.segments`, stated in
    /// Sources/SegADCore/Support/Bounds.swift): every `--segments` takes
    /// 1…702, or 1…256 where the labels travel as a gray 8-bit PNG. Each tool
    /// once had its own bound (702, 256, 255). The bound itself passes the
    /// option check (the tool then fails on the missing files, not on L);
    /// one more is refused in one line naming the bound and why.
    func testEverySegmentCountOptionFollowsTheOneBound() throws {
        let cases: [(String, [String], Int, String)] = [
            ("segment-stats", ["--manifest", "m.json", "--maps", "a.h5", "--segmentation", "s.png", "-o", "o.h5"],
             Bounds.maxSegments, Bounds.segmentsWhy),
            ("extract-maps", ["derive-segmentation", "--manifest", "m.json", "--seed", "0", "-o", "o.png"],
             Bounds.maxGray8Segments, Bounds.gray8SegmentsWhy),
            ("build-dataset", ["vad-segmentation", "--input", "i.png", "-o", "o.png"],
             Bounds.maxGray8Segments, Bounds.gray8SegmentsWhy),
            ("build-dataset", ["synthesize-defects", "--root", "r", "--seed", "0", "--segmentation", "s.png", "-o", "o"],
             Bounds.maxGray8Segments, Bounds.gray8SegmentsWhy),
        ]
        XCTAssertEqual(Bounds.maxSegments, 702)
        XCTAssertEqual(Bounds.maxGray8Segments, 256)
        for (tool, arguments, bound, why) in cases {
            let over = try ToolRunner.run(tool, arguments + ["--segments", String(bound + 1)])
            assertOneLineRefusal(over, "--segments", "1…\(bound)", why)
            let zero = try ToolRunner.run(tool, arguments + ["--segments", "0"])
            assertOneLineRefusal(zero, "--segments", "1…\(bound)")
            let at = try ToolRunner.run(tool, arguments + ["--segments", String(bound)])
            XCTAssertNotEqual(at.status, 0, "\(arguments[0]): the files do not exist")
            XCTAssertFalse(at.stderr.contains("--segments"), "\(tool) \(arguments[0]) refused L = \(bound): \(at.stderr)")
        }
        // The library entry point keeps the same rule.
        XCTAssertThrowsError(try FeatureExtraction.run(.init(manifestPath: "m.json", mapsPaths: ["a.h5"],
                                                             segmentation: .staticMap(path: "s.png"),
                                                             segments: Bounds.maxSegments + 1, output: "o.h5"))) {
            XCTAssertTrue("\($0)".contains("1…\(Bounds.maxSegments)"), "\($0)")
        }
    }

    /// Ids that differ only after a NUL once crashed train-brf (a duplicate
    /// Dictionary key, as HDF5 ends strings at NUL); a lone NUL id was stored
    /// truncated. Control characters and over-long ids are refused on load.
    func testIdsWithControlCharactersOrOverlongAreRefusedOnLoad() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        for (name, ids, fault) in [("nul.json", ["item00\u{0}a", "item00\u{0}b"], "U+0000"),
                                   ("newline.json", ["item00\nx", "item01"], "U+000A"),
                                   ("long.json", [String(repeating: "x", count: 300), "item01"], "300 bytes")] {
            let variant = try f.manifestVariant(name) { object in
                var items = object["items"] as! [[String: Any]]
                items[0]["id"] = ids[0]; items[1]["id"] = ids[1]
                object["items"] = items
                object["seeds"] = ["0": ["test": ids]]
            }
            try f.assertRefused(f.extractMaps(manifest: variant), naming: variant, fault: fault, before: before)
            XCTAssertThrowsError(try Manifest.load(path: variant))
        }
    }

    /// Seed keys "7" and "07" once named two splits; keys must be canonical.
    func testSeedKeysMustBeCanonicalIntegers() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        for key in ["07", "+7", " 7", "7.0"] {
            let variant = try f.manifestVariant("seed-\(key.count).json") { object in
                var seeds = object["seeds"] as! [String: Any]
                seeds["7"] = seeds["0"]; seeds[key] = seeds["1"]
                object["seeds"] = seeds
            }
            try f.assertRefused(f.extractMaps(manifest: variant), naming: variant, fault: "seed '\(key)'", "canonical",
                                before: before)
        }
    }
}
