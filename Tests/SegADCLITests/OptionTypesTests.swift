import XCTest
import ArgumentParser
import SegADCLI

/// The shared option types, parsed the way the executables parse them
/// (through a ParsableArguments, so ArgumentParser's own path is exercised).
final class OptionTypesTests: XCTestCase {
    struct SizeArgs: ParsableArguments {
        @Option(help: "Working size.", parse: ImageSize.parse) var size = ImageSize(256)!
        @Option(help: "Another size.", parse: ImageSize.parse) var optional: ImageSize?
    }

    struct SeedArgs: ParsableArguments {
        @Option(help: "Seeds.", parse: Seeds.parse) var seeds = Seeds([0, 1, 2, 3, 4])!
    }

    struct CountArgs: ParsableArguments {
        @Option(help: "Boosting rounds.", parse: Bounded.integer(1...10_000)) var rounds = 10
        @Option(help: "A seed.", parse: Bounded.integer(0...4_294_967_295)) var seed: Int
        @Option(help: "Segments.", parse: Bounded.integer(1...702, why: "feature names run a…z, aa…zz")) var segments: Int?
    }

    /// One option per kind of decimal bounds the tools use: (0, 1] (--eta,
    /// --subsample, --colsample-*, --tpr, --coreset-ratio), [0, 1e6]
    /// (--alpha), (0, 1e6] (--scale-pos-weight), (0, 1) (--pool-fraction,
    /// --test-fraction), (0, ∞) as Float (--png-scale).
    struct DecimalArgs: ParsableArguments {
        @Option(help: "Learning rate.", parse: Bounded.decimal(0...1, excluding: .lower)) var eta = 0.3
        @Option(help: "Alpha.", parse: Bounded.decimal(0...1e6)) var alpha = 1.0
        @Option(help: "Weight.", parse: Bounded.decimal(0...1e6, excluding: .lower)) var weight: Double?
        @Option(help: "A share.", parse: Bounded.decimal(0...1, excluding: .both, why: "a share of the images"))
        var fraction = 0.4
        @Option(help: "A divisor.", parse: Bounded.decimal(0...Double.infinity, excluding: .lower)) var scale: Float?
    }

    /// The one line `mainWithOneLineErrors` prints for `arguments` (without the tool prefix).
    func refusal<T: ParsableArguments>(_ type: T.Type, _ arguments: [String]) -> String {
        do {
            _ = try T.parse(arguments)
            return "accepted"
        } catch {
            return T.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    struct ManifestArgs: ParsableArguments {
        @OptionGroup var manifest: ManifestOptions
    }

    func testImageSizeAccepts() throws {
        let cases: [(String, Int, Int)] = [("256", 256, 256), ("256x640", 256, 640), ("256X640", 256, 640),
                                           ("1", 1, 1), ("8192x1", 8192, 1), ("8x8", 8, 8), ("030x40", 30, 40)]
        for (text, h, w) in cases {
            let size = try XCTUnwrap(ImageSize(text), text)
            XCTAssertEqual(size.height, h, text)
            XCTAssertEqual(size.width, w, text)
            XCTAssertEqual(try SizeArgs.parse(["--size", text]).size, size, text)
        }
        XCTAssertEqual(ImageSize("256x640")?.description, "256x640")
        XCTAssertEqual(ImageSize("32")?.tuple.width, 32)
    }

    func testImageSizeRefuses() {
        for text in ["", "0", "0x5", "5x0", "-5", "+5", "256x", "x256", "256x640x2", "256xx640", "8193", "1x8193",
                     "99999999999999999999", "2.5", " 256", "256 ", "abc", "256x640 ", "２５６"] {
            XCTAssertNil(ImageSize(text), "'\(text)' must be refused")
            XCTAssertThrowsError(try SizeArgs.parse(["--size", text]), "'\(text)'")
        }
    }

    func testImageSizeDefaultAndOptional() throws {
        let parsed = try SizeArgs.parse([])
        XCTAssertEqual(parsed.size, ImageSize(height: 256, width: 256))
        XCTAssertNil(parsed.optional)
        XCTAssertEqual(try SizeArgs.parse(["--optional", "16x32"]).optional, ImageSize(height: 16, width: 32))
        XCTAssertTrue(SizeArgs.helpMessage().contains("(default: 256x256)"), SizeArgs.helpMessage())
        XCTAssertNil(ImageSize(height: 0, width: 4))
        XCTAssertNil(ImageSize(8193))
    }

    func testImageSizeErrorNamesTheOptionAndSaysWhy() {
        let cases: [(String, String)] = [
            ("0x5", "height 0 out of bounds 1…8192"), ("5x0", "width 0 out of bounds 1…8192"),
            ("8193", "side 8193 out of bounds 1…8192"), ("1x99999999999999999999", "width 99999999999999999999 out of bounds 1…8192"),
            ("256x", "expected HxW or N in decimal digits, e.g. 256x640 or 256"), ("-5", "expected HxW or N"),
            ("256x640x2", "expected HxW or N"), ("2.5", "expected HxW or N"), ("x", "expected HxW or N"),
        ]
        for (text, reason) in cases {
            let line = refusal(SizeArgs.self, ["--size=" + text])
            XCTAssertTrue(line.hasPrefix("The value '\(text)' is invalid for '--size <size>': \(reason)"), line)
            XCTAssertThrowsError(try ImageSize.parse(text)) { XCTAssertTrue("\($0)".hasPrefix(reason), "\($0)") }
        }
        XCTAssertTrue(refusal(SizeArgs.self, ["--optional", "0"]).hasSuffix("'--optional <optional>': side 0 out of bounds 1…8192"))
        XCTAssertTrue(SizeArgs.helpMessage().contains("Another size."), SizeArgs.helpMessage())
        XCTAssertFalse(SizeArgs.helpMessage().contains("Another size. (default"), "no default for an optional option")
    }

    func testSeedsAccept() throws {
        let cases: [(String, [Int])] = [("0", [0]), ("0,1,2,3,4", [0, 1, 2, 3, 4]), ("0 1 2 3 4", [0, 1, 2, 3, 4]),
                                        ("4,3", [4, 3]), ("0, 1", [0, 1]), ("  7  8 ", [7, 8]), ("1 2,3", [1, 2, 3]),
                                        ("4294967295", [4294967295]),
                                        ("333 576 725 823 831 902 226 598 874 589",
                                         [333, 576, 725, 823, 831, 902, 226, 598, 874, 589])]
        for (text, values) in cases {
            XCTAssertEqual(Seeds(text)?.values, values, text)
            XCTAssertEqual(try SeedArgs.parse(["--seeds", text]).seeds.values, values, text)
        }
        XCTAssertEqual(Seeds("0 1 2")?.description, "0,1,2")
        XCTAssertEqual(try SeedArgs.parse([]).seeds.values, [0, 1, 2, 3, 4])
        XCTAssertTrue(SeedArgs.helpMessage().contains("(default: 0,1,2,3,4)"), SeedArgs.helpMessage())
    }

    func testSeedsRefuse() {
        for text in ["", " ", ",", "0,", ",0", "0,,1", "01", "00", "+1", "-1", "1.0", "0x10", "a", "4294967296",
                     "99999999999999999999", "1,1", "0 1 0", "1\t2", "１"] {
            XCTAssertNil(Seeds(text), "'\(text)' must be refused")
            XCTAssertThrowsError(try SeedArgs.parse(["--seeds", text]), "'\(text)'")
        }
        XCTAssertNil(Seeds([]))
        XCTAssertNil(Seeds([-1]))
        XCTAssertNil(Seeds([4294967296]))
        XCTAssertNil(Seeds([3, 3]))
    }

    func testSeedsErrorSaysWhy() {
        let cases: [(String, String)] = [
            ("", "no seed given"), ("  ", "no seed given"), ("0,,1", "an empty item in the list"), ("0,", "an empty item"),
            ("01", "'01' has a leading zero"), ("+1", "'+1' is not a seed: decimal digits only, no sign"),
            ("1.0", "'1.0' is not a seed"), ("4294967296", "seed 4294967296 out of bounds 0…4294967295"),
            ("99999999999999999999", "seed 99999999999999999999 out of bounds"), ("0 1 0", "seed 0 given twice"),
        ]
        for (text, reason) in cases {
            let line = refusal(SeedArgs.self, ["--seeds", text])
            XCTAssertTrue(line.hasPrefix("The value '\(text)' is invalid for '--seeds <seeds>': \(reason)"), line)
        }
    }

    func testBoundedIntegersSayWhy() throws {
        XCTAssertEqual(try CountArgs.parse(["--seed", "4294967295"]).seed, 4294967295)
        XCTAssertEqual(try CountArgs.parse(["--seed", "0", "--rounds", "+7"]).rounds, 7)
        XCTAssertNil(try CountArgs.parse(["--seed", "3"]).segments)
        XCTAssertEqual(try CountArgs.parse(["--seed", "3", "--segments", "702"]).segments, 702)
        let cases: [([String], String)] = [
            (["--seed", "0", "--rounds", "0"], "'--rounds <rounds>': out of bounds 1…10000"),
            (["--seed", "0", "--rounds", "abc"], "'--rounds <rounds>': not a whole number; expected one in 1…10000"),
            (["--seed", "0", "--rounds", "2.5"], "'--rounds <rounds>': not a whole number"),
            (["--seed", "0", "--rounds", "99999999999999999999"], "'--rounds <rounds>': out of bounds 1…10000"),
            (["--seed=-1"], "'--seed <seed>': out of bounds 0…4294967295"),
            (["--seed", "1", "--segments", "703"], "'--segments <segments>': out of bounds 1…702 (feature names run a…z, aa…zz)"),
        ]
        for (arguments, reason) in cases {
            let line = refusal(CountArgs.self, arguments)
            XCTAssertTrue(line.contains(reason), line)
            let value = arguments.last!.split(separator: "=", maxSplits: 1).last!
            XCTAssertTrue(line.hasPrefix("The value '\(value)' is invalid for"), line)
        }
        // Defaults still show in the help; a required option stays required.
        XCTAssertTrue(CountArgs.helpMessage().contains("Boosting rounds. (default: 10)"), CountArgs.helpMessage())
        XCTAssertThrowsError(try CountArgs.parse([]), "--seed is required")
    }

    func testBoundedDecimalsAccept() throws {
        let cases: [(String, Double)] = [("0.3", 0.3), ("1", 1), ("1.", 1), (".5", 0.5), ("+0.25", 0.25), ("1e-3", 0.001),
                                         ("2.5E-1", 0.25), ("0.000001", 0.000001), ("5e-324", 5e-324)]
        for (text, value) in cases {
            XCTAssertEqual(try DecimalArgs.parse(["--eta", text]).eta, value, text)
        }
        XCTAssertEqual(try DecimalArgs.parse(["--alpha", "0"]).alpha, 0)
        XCTAssertEqual(try DecimalArgs.parse(["--alpha", "1e6"]).alpha, 1e6)
        XCTAssertEqual(try DecimalArgs.parse(["--alpha=-0"]).alpha, 0)
        XCTAssertEqual(try DecimalArgs.parse(["--weight", "1000000"]).weight, 1e6)
        XCTAssertNil(try DecimalArgs.parse([]).weight)
        XCTAssertEqual(try DecimalArgs.parse(["--scale", "0.05"]).scale, Float("0.05"), "Float options read what Float(text) reads")
        XCTAssertEqual(try DecimalArgs.parse(["--scale", "65535"]).scale, 65535)
        XCTAssertEqual(try DecimalArgs.parse(["--scale", "3e38"]).scale, 3e38)
        let parsed = try DecimalArgs.parse([])
        XCTAssertEqual(parsed.eta, 0.3)
        XCTAssertEqual(parsed.fraction, 0.4)
        XCTAssertTrue(DecimalArgs.helpMessage().contains("Learning rate. (default: 0.3)"), DecimalArgs.helpMessage())
    }

    func testBoundedDecimalsSayWhy() {
        let cases: [([String], String)] = [
            (["--eta", "abc"], "'--eta <eta>': not a decimal number; expected one in (0, 1]"),
            (["--eta", "0"], "'--eta <eta>': out of bounds (0, 1]"),
            (["--eta", "1.0000001"], "'--eta <eta>': out of bounds (0, 1]"),
            (["--eta", "1e999"], "'--eta <eta>': out of bounds (0, 1]"),
            (["--eta", "1e-400"], "'--eta <eta>': out of bounds (0, 1]"),
            (["--eta", "inf"], "'--eta <eta>': not a finite number; expected one in (0, 1]"),
            (["--eta", "nan"], "'--eta <eta>': not a finite number"),
            (["--eta", "NaN"], "'--eta <eta>': not a finite number"),
            (["--eta=-infinity"], "'--eta <eta>': not a finite number"),
            (["--eta", "0x1p-2"], "'--eta <eta>': not a decimal number"),
            (["--eta", "0,5"], "'--eta <eta>': not a decimal number"),
            (["--eta", " 0.5"], "'--eta <eta>': not a decimal number"),
            (["--eta", "0.5 "], "'--eta <eta>': not a decimal number"),
            (["--eta", "."], "'--eta <eta>': not a decimal number"),
            (["--eta", "1e"], "'--eta <eta>': not a decimal number"),
            (["--eta", "e5"], "'--eta <eta>': not a decimal number"),
            (["--eta", "０.５"], "'--eta <eta>': not a decimal number"),
            (["--eta", ""], "'--eta <eta>': not a decimal number"),
            (["--alpha=-0.5"], "'--alpha <alpha>': out of bounds [0, 1000000]"),
            (["--alpha", "1000000.5"], "'--alpha <alpha>': out of bounds [0, 1000000]"),
            (["--alpha", "x"], "'--alpha <alpha>': not a decimal number; expected one in [0, 1000000]"),
            (["--weight", "0"], "'--weight <weight>': out of bounds (0, 1000000]"),
            (["--weight", "inf"], "'--weight <weight>': not a finite number; expected one in (0, 1000000]"),
            (["--fraction", "1"], "'--fraction <fraction>': out of bounds (0, 1) (a share of the images)"),
            (["--fraction", "0"], "'--fraction <fraction>': out of bounds (0, 1) (a share of the images)"),
            (["--fraction", "half"], "'--fraction <fraction>': not a decimal number; expected one in (0, 1) (a share of the images)"),
            (["--scale", "0"], "'--scale <scale>': out of bounds (0, ∞)"),
            (["--scale", "1e39"], "'--scale <scale>': out of bounds (0, ∞)"),
            (["--scale", "inf"], "'--scale <scale>': not a finite number; expected one in (0, ∞)"),
        ]
        for (arguments, reason) in cases {
            let line = refusal(DecimalArgs.self, arguments)
            XCTAssertTrue(line.contains(reason), "\(arguments): \(line)")
            let value = arguments.count == 2 ? arguments[1] : String(arguments[0].split(separator: "=", maxSplits: 1)[1])
            XCTAssertTrue(line.hasPrefix("The value '\(value)' is invalid for"), "\(arguments): \(line)")
        }
    }

    func testManifestOptions() throws {
        XCTAssertEqual(try ManifestArgs.parse(["--manifest", "run.json"]).manifest.path, "run.json")
        XCTAssertThrowsError(try ManifestArgs.parse([]), "--manifest is required")
        XCTAssertTrue(ManifestArgs.helpMessage().contains("The run's manifest (JSON)."), ManifestArgs.helpMessage())
    }
}

