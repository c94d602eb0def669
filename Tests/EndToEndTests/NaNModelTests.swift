import Foundation
import SegAD
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 5: parameters that give a NaN model are refused, and no
/// model or scores artifact holding NaN is written.
final class NaNModelTests: XCTestCase {
    func testNonFiniteOrOutOfRangeXGBoostParametersAreRefused() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        for (option, value) in [("--eta", "inf"), ("--eta", "nan"), ("--eta", "0"), ("--scale-pos-weight", "inf"),
                                ("--scale-pos-weight", "-1"), ("--alpha", "inf"), ("--alpha", "-1"), ("--subsample", "nan")] {
            let r = try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", f.manifest, "--seed", "0",
                                                     "-o", f.model, "--rounds", "1", option, value])
            assertOneLineRefusal(r, option)
        }
        XCTAssertEqual(try f.snapshot(), before)
        // The library refuses them too (callers other than the CLI).
        var p = BRFParameters(rounds: 1, numParallelTree: 2)
        p.eta = .infinity
        XCTAssertThrowsError(try BoostedRandomForest.train(features: [0, 1, 2, 3], rows: 4, columns: 1,
                                                           labels: [0, 1, 0, 1], parameters: p))
    }

    func testAScoresArtifactHoldingNaNIsNotWritten() throws {
        let dir = try temporaryFolder()
        let path = dir + "/scores.h5"
        let seed = SeedScores(seed: 0, ids: ["a", "b"], scores: [0.5, .nan], labels: [.good, .bad], tags: [[], []])
        XCTAssertThrowsError(try ScoresArtifact.write(path: path, method: "m", className: "c", seeds: [seed],
                                                      config: [:], inputs: [])) { error in
            XCTAssertTrue("\(error)".contains("'b'"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }
}
