import XCTest
import ArgumentParser
import SegADCLI

/// The shared option types, parsed the way the executables parse them
/// (through a ParsableArguments, so ArgumentParser's own path is exercised).
final class OptionTypesTests: XCTestCase {
    struct SizeArgs: ParsableArguments {
        @Option var size = ImageSize(256)!
        @Option var optional: ImageSize?
    }

    struct SeedArgs: ParsableArguments {
        @Option var seeds = Seeds([0, 1, 2, 3, 4])!
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

    func testImageSizeErrorNamesTheOption() {
        XCTAssertThrowsError(try SizeArgs.parse(["--size", "0x5"])) { error in
            let message = SizeArgs.message(for: error)
            XCTAssertTrue(message.contains("'0x5'") && message.contains("--size"), message)
        }
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

    func testManifestOptions() throws {
        XCTAssertEqual(try ManifestArgs.parse(["--manifest", "run.json"]).manifest.path, "run.json")
        XCTAssertThrowsError(try ManifestArgs.parse([]), "--manifest is required")
        XCTAssertTrue(ManifestArgs.helpMessage().contains("The run's manifest (JSON)."), ManifestArgs.helpMessage())
    }
}

