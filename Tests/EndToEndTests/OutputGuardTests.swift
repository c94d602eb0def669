import Foundation
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 2: an output that resolves (symlinks, `..`) to an input is
/// refused before any work, by every stage (`OutputPaths.check`); and class 7:
/// an empty output path is one line naming the option.
final class OutputGuardTests: XCTestCase {
    func testOutputsThatWouldDestroyAnInputAreRefused() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let link = f.dir + "/features-link.h5"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: f.features)
        let dotdot = f.artifacts + "/../manifest.json"
        let before = try f.snapshot()
        let manifestBytes = try Data(contentsOf: URL(fileURLWithPath: f.manifest))
        let mapBytes = try Data(contentsOf: URL(fileURLWithPath: f.mapPath(3)))
        let cases: [(ToolRunner.Result, String)] = [
            (try f.extractMaps(output: f.manifest), "manifest"),                       // -o = the manifest
            (try f.extractMaps(output: dotdot), "manifest"),                           // … through '..'
            (try f.extractMaps(output: f.mapPath(3)), "item03"),                       // -o = a map file the manifest names
            (try f.segmentStats(output: f.maps), "--maps"),                            // -o = the maps
            (try f.segmentStats(output: f.segmentation), "--segmentation"),
            (try f.trainBRF(output: link), "--features"),                             // -o = a symlink to the features
            (try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", f.manifest, "--seed", "0",
                                              "-o", f.dir + "/m.h5", "--json", f.manifest, "--rounds", "1"]), "--manifest"),
            (try f.score(output: f.model), "--model"),                                  // -o = the model
        ]
        for (r, input) in cases {
            assertOneLineRefusal(r, "overwrite", input)
        }
        assertOneLineRefusal(try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", f.manifest, "--seed", "0",
                                                              "-o", f.dir + "/m.h5", "--json", f.dir + "/m.h5"]), "both", "--json")
        // A report folder whose figures/ holds an input; score-new's overlays/ holding its images.
        try FileManager.default.createDirectory(atPath: f.dir + "/rep/figures", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: f.scores, toPath: f.dir + "/rep/figures/s.h5")
        assertOneLineRefusal(try f.report([f.dir + "/rep/figures/s.h5"], output: f.dir + "/rep"), "folder holding the input")
        try FileManager.default.createDirectory(atPath: f.dir + "/new/overlays", withIntermediateDirectories: true)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", f.dir + "/p.h5", "--images",
                                                             f.dir + "/new/overlays", "-o", f.dir + "/new"]),
                             "overwrite the input", "--images")
        XCTAssertEqual(try f.snapshot(), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.manifest)), manifestBytes)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.mapPath(3))), mapBytes)
        XCTAssertEqual(f.temporaries(), [])
    }

    func testEmptyOutputPathIsOneLine() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        assertOneLineRefusal(try f.extractMaps(output: ""), "-o", "empty path")
        assertOneLineRefusal(try f.trainBRF(output: ""), "-o", "empty path")
        assertOneLineRefusal(try f.report([f.features], output: ""), "-o", "empty path")
    }
}
