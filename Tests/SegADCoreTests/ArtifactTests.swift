import Foundation
import XCTest
import _TestSupport
import SegADNative
@testable import SegADCore

/// Every artifact kind of SegADCore written and read back (maps, features,
/// model, scores, detector-state): provenance attributes, kind checks, a
/// damaged config, stale temporaries; OutputPaths and AtomicFile.
final class ArtifactTests: XCTestCase {
    var dir = ""
    var inputPath = ""

    override func setUpWithError() throws {
        dir = try temporaryFolder()
        inputPath = dir + "/input.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: inputPath))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// The recorded input: "{}" hashed (sha256 of the two bytes, as `printf '{}' | sha256sum`).
    func inputs() throws -> [ArtifactInput] { [try .hashing(role: "manifest", path: inputPath)] }

    /// Checks the six provenance attributes of `path`.
    func assertProvenance(_ path: String, kind: ArtifactKind, stage: String, config: [String: Any],
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let h5 = try HDF5File(path: path, mode: .readOnly)
        defer { h5.close() }
        XCTAssertEqual(try h5.intAttribute("segad_format_version"), 1, file: file, line: line)
        XCTAssertEqual(try h5.stringAttribute("segad_kind"), kind.rawValue, file: file, line: line)
        XCTAssertEqual(try h5.stringAttribute("segad_stage"), stage, file: file, line: line)
        XCTAssertEqual(try h5.stringAttribute("segad_tool_version"), Provenance.toolVersion, file: file, line: line)
        let configText = try h5.stringAttribute("segad_config")
        XCTAssertEqual(configText, String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self),
                       "config as sorted JSON", file: file, line: line)
        XCTAssertEqual(try h5.stringAttribute("segad_inputs"),
                       "[{\"path\":\"\(inputPath.replacingOccurrences(of: "/", with: "\\/"))\",\"role\":\"manifest\",\"sha256\":\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}]",
                       file: file, line: line)
        let reader = try ArtifactReader(path: path, expecting: kind)
        XCTAssertEqual(reader.stage, stage, file: file, line: line)
        XCTAssertEqual(reader.inputs, try inputs(), file: file, line: line)
        XCTAssertNoThrow(try reader.requireInput(role: "manifest", file: inputPath), file: file, line: line)
        reader.close()
    }

    func assertKindRefused(_ path: String, is kind: ArtifactKind, file: StaticString = #filePath, line: UInt = #line) {
        let other: ArtifactKind = kind == .scores ? .maps : .scores
        XCTAssertThrowsError(try ArtifactReader(path: path, expecting: other), file: file, line: line) {
            XCTAssertEqual("\($0)", "\(path): is a \(kind.rawValue) artifact; expected \(other.rawValue)", file: file, line: line)
        }
    }

    func noTemporaries(file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(names.filter { $0.contains(".tmp-") }, [], file: file, line: line)
    }

    // MARK: One round trip per kind

    func testMapsRoundTrip() throws {
        let path = dir + "/maps/ead.h5"
        let writer = try MapsArtifactWriter(path: path, detector: "ead", count: 2, height: 2, width: 3,
                                            config: ["size": [2, 3]], inputs: try inputs())
        let first: [Float] = [0, 1, 2, 3, 4, 5], second: [Float] = [-1, 0.5, 0.25, 9, 0, 0]
        try first.withUnsafeBufferPointer { try writer.append(id: "g0", label: .good, map: $0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing under the final name before commit")
        try second.withUnsafeBufferPointer { try writer.append(id: "b0", label: .bad, map: $0) }
        writer.strings = [LeakageGuard.mapsDataset: ["g0"]]
        try writer.commit()
        try assertProvenance(path, kind: .maps, stage: "extract-maps", config: ["detector": "ead", "size": [2, 3]])
        let maps = try MapsArtifact(path: path)
        XCTAssertEqual(maps.detector, "ead")
        XCTAssertEqual(maps.ids, ["g0", "b0"])
        XCTAssertEqual(maps.labels, [.good, .bad])
        XCTAssertEqual(maps.maxScores, [5, 9])
        XCTAssertEqual([maps.height, maps.width], [2, 3])
        var buffer = [Float](repeating: .nan, count: 12)
        try buffer.withUnsafeMutableBufferPointer { try maps.readMaps(0, count: 2, into: $0) }
        XCTAssertEqual(buffer, first + second)
        XCTAssertEqual(try maps.reader.file.readStrings(LeakageGuard.mapsDataset), ["g0"])
        assertKindRefused(path, is: .maps)
        try noTemporaries()
    }

    func testMapsWriterRefusesAShortCommit() throws {
        let path = dir + "/short.h5"
        let writer = try MapsArtifactWriter(path: path, detector: "ead", count: 2, height: 1, width: 1, config: [:], inputs: [])
        try [Float(1)].withUnsafeBufferPointer { try writer.append(id: "a", label: .good, map: $0) }
        XCTAssertThrowsError(try writer.commit()) { XCTAssertEqual("\($0)", "\(path): wrote 1 of 2 maps") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testFeaturesRoundTrip() throws {
        let path = dir + "/features.h5"
        let config: [String: Any] = ["segments": 2, "detectors": ["ead"]]
        let writer = try ArtifactWriter(path: path, kind: .features, stage: "segment-stats", config: config, inputs: try inputs())
        try writer.file.write("features", floats: [1, 2, .nan, 4, 5, 6], shape: [3, 2])
        try writer.file.write("feature_names", strings: ["ead_a_q995", "ead_max"])
        try writer.file.write("ids", strings: ["g0", "b0", "u0"])
        try writer.file.write("labels", int8s: [0, 1, -1], shape: [3])
        try writer.file.write("tags", strings: ["", "unseen,scratch", ""])
        try writer.commit()
        try assertProvenance(path, kind: .features, stage: "segment-stats", config: config)
        let f = try FeaturesArtifact(path: path)
        XCTAssertEqual(f.ids, ["g0", "b0", "u0"])
        XCTAssertEqual(f.labels, [.good, .bad, .uncertain])
        XCTAssertEqual(f.tags, [[], ["unseen", "scratch"], []])
        XCTAssertEqual(f.names, ["ead_a_q995", "ead_max"])
        XCTAssertEqual(f.matrix(rows: [2, 0], columns: [1]), [6, 2])
        XCTAssertTrue(f.values[2].isNaN)
        XCTAssertEqual(try f.rows(for: ["b0"], context: "test"), [1])
        XCTAssertThrowsError(try f.rows(for: ["x"], context: "seed 0 test")) {
            XCTAssertEqual("\($0)", "\(path): has no row for id 'x' (seed 0 test)")
        }
        assertKindRefused(path, is: .features)
    }

    func testModelRoundTrip() throws {
        let path = dir + "/seed-3.h5"
        let config: [String: Any] = ["seed": 3, "parameters": ["max_depth": "6"]]
        let writer = try ArtifactWriter(path: path, kind: .model, stage: "train-brf", config: config, inputs: try inputs())
        try writer.file.write("model_json", strings: ["{\"learner\":{}}"])
        try writer.file.write("feature_names", strings: ["f0", "f1"])
        try writer.file.write("training_ids", strings: ["g0", "b0"])
        try writer.commit()
        try assertProvenance(path, kind: .model, stage: "train-brf", config: config)
        let m = try ModelArtifact(path: path)
        XCTAssertEqual(m.seed, 3)
        XCTAssertEqual(m.json, "{\"learner\":{}}")
        XCTAssertEqual(m.featureNames, ["f0", "f1"])
        assertKindRefused(path, is: .model)

        let noSeed = dir + "/no-seed.h5"
        let w2 = try ArtifactWriter(path: noSeed, kind: .model, stage: "train-brf", config: [:], inputs: [])
        try w2.commit()
        XCTAssertThrowsError(try ModelArtifact(path: noSeed)) { XCTAssertEqual("\($0)", "\(noSeed): model records no seed") }
    }

    func testScoresRoundTrip() throws {
        let path = dir + "/scores/SegAD.h5"
        let seeds = [SeedScores(seed: 0, ids: ["g0", "b0"], scores: [0.25, 0.75], labels: [.good, .bad], tags: [[], ["unseen", "x"]]),
                     SeedScores(seed: 4_294_967_295, ids: ["u0"], scores: [-1e300], labels: [.uncertain], tags: [[]])]
        try ScoresArtifact.write(path: path, method: "SegAD", className: "pcb", seeds: seeds, config: ["models": 2], inputs: try inputs())
        try assertProvenance(path, kind: .scores, stage: "evaluate", config: ["class": "pcb", "method": "SegAD", "models": 2])
        let s = try ScoresArtifact(path: path)
        XCTAssertEqual(s.method, "SegAD")
        XCTAssertEqual(s.className, "pcb")
        XCTAssertEqual(s.seeds.map(\.seed), [0, 4_294_967_295])
        XCTAssertEqual(s.seeds.map(\.ids), [["g0", "b0"], ["u0"]])
        XCTAssertEqual(s.seeds.map(\.scores), [[0.25, 0.75], [-1e300]])
        XCTAssertEqual(s.seeds.map(\.labels), [[.good, .bad], [.uncertain]])
        XCTAssertEqual(s.seeds.map(\.tags), [[[], ["unseen", "x"]], [[]]])
        assertKindRefused(path, is: .scores)

        let nan = dir + "/nan.h5"
        XCTAssertThrowsError(try ScoresArtifact.write(path: nan, method: "m", className: "c",
                                                      seeds: [SeedScores(seed: 1, ids: ["a"], scores: [.nan], labels: [.good], tags: [[]])],
                                                      config: [:], inputs: [])) {
            XCTAssertTrue("\($0)".hasPrefix("\(nan): refusing to write scores: seed 1, id 'a' has score nan"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: nan))
    }

    // MARK: Refusals

    /// Writes an HDF5 file with provenance attributes set by hand.
    func handMade(_ name: String, kind: String = "maps", config: String = "{\"detector\":\"ead\"}",
                  inputs: String = "[]", version: Int = 1) throws -> String {
        let path = dir + "/" + name
        let h5 = try HDF5File(path: path, mode: .create)
        try h5.setAttribute("segad_format_version", int: version)
        try h5.setAttribute("segad_kind", string: kind)
        try h5.setAttribute("segad_stage", string: "extract-maps")
        try h5.setAttribute("segad_config", string: config)
        try h5.setAttribute("segad_inputs", string: inputs)
        try h5.setAttribute("segad_tool_version", string: "test")
        try h5.flushAndClose()
        return path
    }

    /// The classifier has its own kind; its reader still takes a state written
    /// as kind `model` before, while a model reader refuses a classifier.
    func testClassifierKindAndItsOlderName() throws {
        let older = try handMade("older.h5", kind: "model", config: "{\"classifier\":\"logistic-regression\"}")
        XCTAssertEqual(try ArtifactReader(path: older, expecting: .classifier, alsoAccepting: [.model]).kind, .model)
        XCTAssertThrowsError(try ArtifactReader(path: older, expecting: .classifier))
        let current = try handMade("current.h5", kind: "classifier", config: "{\"classifier\":\"logistic-regression\"}")
        XCTAssertEqual(try ArtifactReader(path: current, expecting: .classifier).kind, .classifier)
        XCTAssertThrowsError(try ModelArtifact(path: current)) {
            XCTAssertEqual("\($0)", "\(current): is a classifier artifact; expected model")
        }
    }

    func testDamagedConfigIsAnErrorNotAnEmptyConfig() throws {
        for (name, config) in [("truncated.h5", "{\"detector\":\"ea"), ("array.h5", "[1,2]"), ("empty.h5", "")] {
            let path = try handMade(name, config: config)
            XCTAssertThrowsError(try ArtifactReader(path: path, expecting: .maps), name) {
                XCTAssertEqual("\($0)", "\(path): damaged file: segad_config is not a JSON object; remake this artifact")
            }
        }
        XCTAssertNoThrow(try ArtifactReader(path: try handMade("ok.h5"), expecting: .maps))
    }

    func testProvenanceRefusals() throws {
        let inputsBad = try handMade("inputs.h5", inputs: "{")
        XCTAssertThrowsError(try ArtifactReader(path: inputsBad, expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(inputsBad): corrupt provenance (segad_inputs is not valid JSON)")
        }
        let newer = try handMade("newer.h5", version: 2)
        XCTAssertThrowsError(try ArtifactReader(path: newer, expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(newer): artifact format 2 is newer than this tool reads (1)")
        }
        let unknown = try handMade("unknown.h5", kind: "mapz")
        XCTAssertThrowsError(try ArtifactReader(path: unknown, expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(unknown): unknown artifact kind 'mapz'")
        }
        let plain = dir + "/plain.h5"
        let h5 = try HDF5File(path: plain, mode: .create)
        try h5.flushAndClose()
        XCTAssertThrowsError(try ArtifactReader(path: plain, expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(plain): not a SegAD artifact (no provenance attributes)")
        }
        XCTAssertThrowsError(try ArtifactReader(path: dir + "/none.h5", expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(dir)/none.h5: no such file")
        }
    }

    func testRequireInputRefusesAnotherFile() throws {
        let path = dir + "/s.h5"
        try ScoresArtifact.write(path: path, method: "m", className: "c", seeds: [], config: [:], inputs: try inputs())
        let other = dir + "/other.json"
        try Data("{ }".utf8).write(to: URL(fileURLWithPath: other))
        let reader = try ArtifactReader(path: path, expecting: .scores)
        defer { reader.close() }
        XCTAssertThrowsError(try reader.requireInput(role: "manifest", file: other)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): was made from a different manifest than \(other) (recorded sha256 44136fa355b3…"), "\($0)")
        }
        XCTAssertThrowsError(try reader.requireInput(role: "features", file: other)) {
            XCTAssertEqual("\($0)", "\(path): records no 'features' input")
        }
    }

    func testUncommittedWriterLeavesNothingAndStaleTemporariesAreRemoved() throws {
        let path = dir + "/m.h5"
        do {
            let writer = try ArtifactWriter(path: path, kind: .maps, stage: "t", config: [:], inputs: [])
            XCTAssertTrue(FileManager.default.fileExists(atPath: writer.temporaryPath))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try noTemporaries()
        // A temporary of a process that no longer runs (pid 2^22 + 1 is above Linux's pid_max default).
        let stale = path + ".tmp-4194305"
        try Data("x".utf8).write(to: URL(fileURLWithPath: stale))
        TemporaryLock.removeStale(of: path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
    }

    // MARK: OutputPaths and AtomicFile

    func testOutputPathsRefusesOverwritingAnInput() throws {
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", inputPath)], inputs: [("--manifest", inputPath)])) {
            XCTAssertEqual("\($0)", "\(inputPath): -o would overwrite the input \(inputPath) (--manifest); choose another output path")
        }
        // The same file through `..` and a symlink.
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: inputPath)
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir + "/sub/../link.json")], inputs: [("--manifest", inputPath)]))
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir, folder: true)], inputs: [("--manifest", inputPath)])) {
            XCTAssertTrue("\($0)".contains("-o would replace the folder holding the input"), "\($0)")
        }
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir + "/a"), .init("--json", dir + "/a")], inputs: [])) {
            XCTAssertEqual("\($0)", "\(dir)/a: is given both as -o and as --json; give two different outputs")
        }
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", "")], inputs: [])) {
            XCTAssertEqual("\($0)", "-o: empty path; give the file to write")
        }
        XCTAssertNoThrow(try OutputPaths.check(outputs: [.init("-o", dir + "/out.h5")], inputs: [("--manifest", inputPath)]))
    }

    func testOutputPathsCountsTheFilesAManifestNames() throws {
        let manifest = dir + "/m.json"
        let object: [String: Any] = ["format": "segad-manifest", "version": 1, "name": "n",
                                     "items": [["id": "a", "label": "good", "image": "img/a.png"]],
                                     "seeds": ["0": ["test": ["a"]]]]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: manifest))
        XCTAssertThrowsError(try OutputPaths.check(outputs: [.init("-o", dir + "/img/a.png")], inputs: [], manifests: [manifest])) {
            XCTAssertEqual("\($0)", "\(dir)/img/a.png: -o would overwrite the input \(dir)/img/a.png (manifest item 'a'); choose another output path")
        }
    }

    func testAtomicFileWritesWholeFilesOnly() throws {
        let path = dir + "/deep/er/out.txt"
        try AtomicFile.write(Data("one".utf8), to: path)
        try AtomicFile.write(Data("two".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/deep/er"), ["out.txt"])
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: "")) { XCTAssertEqual("\($0)", "-o: empty path; give the file to write") }
        // A folder where the file should go: refused, nothing left behind.
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/taken/f"))
        XCTAssertThrowsError(try AtomicFile.write(Data("y".utf8), to: dir + "/taken"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/taken"), ["f"])
        try noTemporaries()
    }
}
