import Foundation
import XCTest
import SegADCore
import SegADNative
import _TestSupport

/// The SegADCore domains refuse with typed faults (tests match the case),
/// and each prints its one line `FILE: FAULT` as before (one text check per
/// domain here; the command-line tests in EndToEndTests check many more).
final class ArtifactErrorTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryFolder() }

    /// A committed artifact of `kind` recording `inputs`.
    func artifact(_ name: String, kind: ArtifactKind, inputs: [ArtifactInput] = []) throws -> String {
        let path = dir + "/" + name
        let writer = try ArtifactWriter(path: path, kind: kind, stage: "test", config: [:], inputs: inputs)
        try writer.commit()
        return path
    }

    func testReaderRefusalsAreCases() throws {
        let missing = dir + "/missing.h5"
        XCTAssertThrowsError(try ArtifactReader(path: missing, expecting: .maps)) {
            XCTAssertEqual($0 as? ArtifactError, .noSuchFile(missing))
        }

        let model = try artifact("model.h5", kind: .model)
        XCTAssertThrowsError(try ArtifactReader(path: model, expecting: .features)) {
            XCTAssertEqual($0 as? ArtifactError, .wrongKind(model, found: .model, expected: .features))
            XCTAssertEqual("\($0)", "\(model): is a model artifact; expected features")  // the printed line
        }

        let plain = dir + "/plain.h5"
        do {
            let file = try HDF5File(path: plain, mode: .create)
            try file.write("x", floats: [1], shape: [1])
            try file.flushAndClose()
        }
        XCTAssertThrowsError(try ArtifactReader(path: plain, expecting: .maps)) {
            XCTAssertEqual($0 as? ArtifactError, .notAnArtifact(plain))
        }

        let newer = dir + "/newer.h5"
        do {
            let file = try HDF5File(path: newer, mode: .create)
            try file.setAttribute("segad_format_version", int: Provenance.formatVersion + 1)
            try file.setAttribute("segad_kind", string: "maps")
            try file.flushAndClose()
        }
        XCTAssertThrowsError(try ArtifactReader(path: newer, expecting: .maps)) {
            XCTAssertEqual($0 as? ArtifactError, .newerFormat(newer, version: Provenance.formatVersion + 1))
        }

        let damaged = dir + "/damaged.h5"
        do {
            let file = try HDF5File(path: damaged, mode: .create)
            try file.setAttribute("segad_format_version", int: Provenance.formatVersion)
            try file.setAttribute("segad_kind", string: "maps")
            try file.setAttribute("segad_stage", string: "test")
            try file.setAttribute("segad_config", string: "[1, 2]")
            try file.flushAndClose()
        }
        XCTAssertThrowsError(try ArtifactReader(path: damaged, expecting: .maps)) {
            XCTAssertEqual($0 as? ArtifactError, .damagedConfig(damaged))
        }
    }

    func testProvenanceRefusalsAreCases() throws {
        let manifest = dir + "/manifest.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: manifest))
        let recorded = try ArtifactInput.hashing(role: "manifest", path: manifest)
        let features = try artifact("features.h5", kind: .features, inputs: [recorded])
        let reader = try ArtifactReader(path: features, expecting: .features)
        defer { reader.close() }
        XCTAssertNoThrow(try reader.requireInput(role: "manifest", file: manifest))
        XCTAssertThrowsError(try reader.requireInput(role: "features", file: manifest)) {
            XCTAssertEqual($0 as? ArtifactError, .recordsNoInput(features, role: "features"))
        }

        let other = dir + "/other.json"
        try Data("{\"x\": 1}".utf8).write(to: URL(fileURLWithPath: other))
        let actual = try FileHashes.sha256(other)
        XCTAssertThrowsError(try reader.requireInput(role: "manifest", file: other)) {
            XCTAssertEqual($0 as? ArtifactError,
                           .inputChanged(features, role: "manifest", given: other, recorded: recorded.sha256, actual: actual))
        }
    }

    func testAnEmptyOutputPathIsAnOutputError() {
        XCTAssertThrowsError(try ArtifactWriter(path: "", kind: .maps, stage: "test", config: [:], inputs: [])) {
            XCTAssertEqual($0 as? OutputError, .emptyPath("-o", what: "artifact"))
        }
    }
}

final class LeakageErrorTests: XCTestCase {
    let manifest = Manifest(name: "m", className: "m", items: [],
                            seeds: [0: [.segadTrain: ["a", "b"], .test: ["c", "d"]],
                                    1: [.segadTrain: ["c"], .classifierTrain: ["d"], .test: ["a", "d"]]],
                            root: "/data", path: "/data/manifest.json")

    func testATestIdInATrainingPoolIsRefused() {
        XCTAssertNoThrow(try LeakageGuard.check(manifest, trainedOn: ["e", "f"], what: "detector 'x' was fitted on", file: "s.h5"))
        XCTAssertThrowsError(try LeakageGuard.check(manifest, trainedOn: ["e", "d"], what: "detector 'x' was fitted on",
                                                    file: "s.h5")) {
            XCTAssertEqual($0 as? LeakageError, .testIdTrainedOn("s.h5", seed: 0, id: "d", trainedCount: 2,
                                                                 what: "detector 'x' was fitted on", manifest: "/data/manifest.json"))
            XCTAssertEqual("\($0)", "s.h5: seed 0: test id 'd' is among the 2 images detector 'x' was fitted on "
                           + "(/data/manifest.json); fit on one fixed pool that is never tested in any seed, "
                           + "e.g. as `build-dataset images-manifest` splits")
        }
    }

    func testATrainingIdInTheSameSeedsTestIsRefused() {
        XCTAssertThrowsError(try LeakageGuard.checkSplits(manifest)) {
            XCTAssertEqual($0 as? LeakageError, .idInTrainAndTest("/data/manifest.json", seed: 1, id: "d", role: "classifier-train"))
        }
    }
}

final class OutputErrorTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try temporaryFolder() }

    func testOutputsThatWouldDestroyAnInputAreCases() throws {
        let input = dir + "/in.h5"
        _ = FileManager.default.createFile(atPath: input, contents: Data([1]))
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir + "/./in.h5")], inputs: [("--maps", input)])) {
            XCTAssertEqual($0 as? OutputError, .overwritesInput(dir + "/./in.h5", option: "-o", input: input, inputOption: "--maps"))
            XCTAssertEqual("\($0)", "\(dir)/./in.h5: -o would overwrite the input \(input) (--maps); choose another output path")
        }
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir, folder: true)], inputs: [("--maps", input)])) {
            XCTAssertEqual($0 as? OutputError, .replacesInputFolder(dir, option: "-o", input: input, inputOption: "--maps"))
        }
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir + "/a"), .init("--report", dir + "/a")], inputs: [])) {
            XCTAssertEqual($0 as? OutputError, .givenTwice(dir + "/a", first: "-o", second: "--report"))
        }
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("--figures", "", folder: true)], inputs: [])) {
            XCTAssertEqual($0 as? OutputError, .emptyPath("--figures", what: "folder"))
        }
    }

    func testFoldersThatCannotBeMadeAreCases() throws {
        let file = dir + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        XCTAssertThrowsError(try OutputPaths.prepareFolder(file)) {
            XCTAssertEqual($0 as? OutputError, .notAFolder(file, option: "-o"))
        }
        XCTAssertThrowsError(try OutputPaths.prepareFolder(file + "/sub/deeper", option: "--figures")) {
            XCTAssertEqual($0 as? OutputError, .parentIsFile(file, folder: file + "/sub/deeper", option: "--figures"))
        }
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: "")) {
            XCTAssertEqual($0 as? OutputError, .emptyPath("-o", what: "file"))
        }
    }
}

final class BoundsErrorTests: XCTestCase {
    func testIdsAreCheckedAsCases() {
        XCTAssertNoThrow(try Bounds.checkIds(["a", "b"], source: "m.json"))
        XCTAssertThrowsError(try Bounds.checkIds(["a", "b", "a"], source: "m.json")) {
            XCTAssertEqual($0 as? BoundsError, .duplicateId("m.json", id: "a"))
            XCTAssertEqual("\($0)", "m.json: duplicate id 'a'")
        }
        XCTAssertThrowsError(try Bounds.checkIds(["a", ""], source: "m.json")) {
            XCTAssertEqual($0 as? BoundsError, .invalidId("m.json", id: "", .empty))
        }
        XCTAssertThrowsError(try Bounds.checkIds(["a\u{0}b"], source: "dir")) {
            XCTAssertEqual($0 as? BoundsError, .invalidId("dir", id: "a\u{0}b", .controlCharacter(0)))
            // The NUL is shown as an escape: the line stays printable.
            XCTAssertEqual("\($0)", "dir: id 'a\\u{0}b' holds the control character U+0000; ids must be printable")
        }
        let long = String(repeating: "x", count: Bounds.maxIdBytes + 1)
        XCTAssertThrowsError(try Bounds.checkIds([long], source: "dir")) {
            XCTAssertEqual($0 as? BoundsError, .invalidId("dir", id: long, .tooLong(bytes: Bounds.maxIdBytes + 1)))
            XCTAssertEqual(Bounds.idFault(long), "is 201 bytes long; ids are at most 200 bytes")
        }
    }
}
