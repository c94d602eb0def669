import Foundation
import XCTest
import _TestSupport

/// `make visa` against the SegAD reference code on a synthetic cached-map tree.
///
/// The tree comes from scripts/visa/make_synthetic_tree.py (12 classes, 64×64
/// maps, 20 good training, 20 good and 20 bad test rows per class; its digest
/// is checked against the one the golden file records). The golden numbers in
/// Tests/EndToEndTests/Fixtures/visa/reference_small.json are what the reference's
/// main.py (abc-125/segad @ b946ee3) printed on that tree, run in a virtualenv
/// outside the project; see that folder's README for versions.
///
/// Checked: the split (the base detector's per-class AUROC and FPR@95TPR on
/// each seed's test rows equal the reference protocol's to 1e-6, which needs
/// the same ten test sets), and SegAD's per-class mean AUROC against the
/// reference's (scripts/visa/check_parity.py states the tolerances).
final class VisAParityTests: XCTestCase {
    func testMakeVisaMatchesReference() throws {
        let tmp = try temporaryFolder()
        let golden = ToolRunner.repoRoot + "/Tests/EndToEndTests/Fixtures/visa/reference_small.json"
        let made = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/visa/make_synthetic_tree.py",
                                                  "--root", tmp + "/tree", "--seed", "0"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let digest = try ToolRunner.run("python3", ["-c", """
            import sys, json; sys.path.insert(0, '\(ToolRunner.repoRoot)/scripts/visa')
            from collect_reference_golden import tree_digest
            g = json.load(open('\(golden)'))['tree_digest']
            d, n = tree_digest('\(tmp)/tree'); print(d == g['sha256'] and n == g['files'])
            """])
        XCTAssertEqual(digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "True",
                       "the generated tree differs from the one the reference ran on: " + digest.stderr)

        let run = try ToolRunner.run("make", ["-C", ToolRunner.repoRoot, "-j2", "visa", "BIN=\(ToolRunner.binDirectory)",
                                              "ARTIFACTS=\(tmp)/artifacts", "VISA_MAPS=\(tmp)/tree", "MODELS=efficient_ad"])
        XCTAssertEqual(run.status, 0, String(run.stderr.suffix(2000)))
        let check = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/visa/check_parity.py",
                                                   tmp + "/artifacts/visa/report/metrics.json", golden,
                                                   ProcessInfo.processInfo.environment["SEGAD_VISA_GOLDEN_RUN"] ?? VisAParityTests.goldenRun]
                                                  + VisAParityTests.tolerances)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        print(check.stdout)
    }

    /// Which golden run to compare with, and how closely (see the test's doc comment).
    static let goldenRun = "efficient_ad"
    static let tolerances = ["--segad-tol", "1.0", "--mean-tol", "0.5"]
}
