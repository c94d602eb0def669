import Foundation
import XCTest
import _TestSupport

/// Every decimal option of the four tools (and the seeds of
/// synthesize-defects and classifier-fit) parses with a bounded parser
/// (`Bounded.decimal`, `Bounded.integer`): a non-number and an out-of-range
/// value are each refused in one line that names the option and says why —
/// while parsing, before any file is read (the paths here do not exist).
final class DecimalOptionBoundsTests: XCTestCase {
    func testEveryDecimalOptionSaysWhy() throws {
        let brf = ["--features", "f.h5", "--manifest", "m.json", "--seed", "0", "-o", "o.h5"]
        let fit = ["fit", "--manifest", "m.json", "--kind", "golden-template", "--seed", "0", "-o", "o.h5"]
        let images = ["images-manifest", "--images", "dir", "-o", "o.json"]
        let pipeline = ["save-pipeline", "--manifest", "m.json", "--seed", "0", "--features", "f.h5", "--model", "m.h5",
                        "--state", "s.h5", "--segmentation", "s.png", "-o", "o.h5"]
        // (tool, arguments before the option, option, out-of-range value, its bounds)
        let cases: [(String, [String], String, String, String)] = [
            ("extract-maps", ["--manifest", "m.json", "--detector", "d", "-o", "o.h5"], "--png-scale", "0", "(0, ∞)"),
            ("extract-maps", fit, "--coreset-ratio", "1.5", "(0, 1]"),
            ("build-dataset", images, "--pool-fraction", "1", "(0, 1)"),
            ("build-dataset", images, "--test-fraction", "0", "(0, 1)"),
            ("build-dataset", ["classifier-fit", "--manifest", "m.json", "--seed", "0", "--weights", "w.pth", "-o", "o.h5"],
             "--c", "0", "(0, ∞), or auto"),
            ("train-brf", brf, "--eta", "0", "(0, 1]"),
            ("train-brf", brf, "--subsample", "1.01", "(0, 1]"),
            ("train-brf", brf, "--colsample-bytree", "0", "(0, 1]"),
            ("train-brf", brf, "--colsample-bynode", "2", "(0, 1]"),
            ("train-brf", brf, "--alpha", "1e7", "[0, 1000000]"),
            ("train-brf", brf, "--scale-pos-weight", "0", "(0, 1000000]"),
            ("evaluate", pipeline, "--tpr", "0", "(0, 1]"),
        ]
        for (tool, before, option, outside, bounds) in cases {
            let notNumber = try ToolRunner.run(tool, before + [option, "abc"])
            assertOneLineRefusal(notNumber, "The value 'abc' is invalid for '\(option) <",
                                 "not a decimal number; expected one in \(bounds)")
            let outOfRange = try ToolRunner.run(tool, before + [option, outside])
            assertOneLineRefusal(outOfRange, "The value '\(outside)' is invalid for '\(option) <", "out of bounds \(bounds)")
            let infinite = try ToolRunner.run(tool, before + [option, "inf"])
            assertOneLineRefusal(infinite, "'\(option) <", "not a finite number")
        }
    }

    func testSeedsOfSynthesizeDefectsAndClassifierFitAreBounded() throws {
        let cases: [(String, [String])] = [
            ("synthesize-defects", ["synthesize-defects", "--root", "r", "--segmentation", "s.png", "--segments", "3", "-o", "o"]),
            ("classifier-fit", ["classifier-fit", "--manifest", "m.json", "--weights", "w.pth", "-o", "o.h5"]),
        ]
        for (_, arguments) in cases {
            for (value, reason) in [("4294967296", "out of bounds 0…4294967295"), ("-1", "out of bounds 0…4294967295"),
                                    ("seven", "not a whole number; expected one in 0…4294967295")] {
                let r = try ToolRunner.run("build-dataset", arguments + ["--seed=" + value])
                assertOneLineRefusal(r, "The value '\(value)' is invalid for '--seed <seed>'", reason)
            }
        }
    }

    /// The whole-number options that had no bound: --limit of fit and
    /// derive-segmentation, --segments of synthesize-defects, --low-shot of
    /// vad-from-elpv.
    func testRemainingWholeNumberOptionsSayWhy() throws {
        let cases: [(String, [String], String, String, String)] = [
            ("extract-maps", ["fit", "--manifest", "m.json", "--kind", "golden-template", "--seed", "0", "-o", "o.h5"], "--limit", "0", "1…2147483647"),
            ("extract-maps", ["derive-segmentation", "--manifest", "m.json", "--seed", "0", "-o", "o.png"], "--limit", "0", "1…2147483647"),
            ("build-dataset", ["synthesize-defects", "--root", "r", "--seed", "0", "--segmentation", "s.png", "-o", "o"], "--segments", "257", "1…256"),
            ("build-dataset", ["vad-from-elpv", "-o", "o"], "--low-shot", "0", "1…1000000"),
        ]
        for (tool, before, option, outside, bounds) in cases {
            let outOfRange = try ToolRunner.run(tool, before + [option, outside])
            assertOneLineRefusal(outOfRange, "The value '\(outside)' is invalid for '\(option) <", "out of bounds \(bounds)")
            let notNumber = try ToolRunner.run(tool, before + [option, "many"])
            assertOneLineRefusal(notNumber, "The value 'many' is invalid for '\(option) <", "not a whole number; expected one in \(bounds)")
        }
    }
}
