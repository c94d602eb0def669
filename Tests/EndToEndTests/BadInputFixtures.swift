import Foundation
import SegADNative
import XCTest
import _TestSupport

/// A tiny SegAD run for the bad-input tests, built in a test's temporary
/// folder: 12 items (odd ones bad) with one detector's 8×8 float32 maps,
/// a two-segment label PNG and a manifest with three seeds — seed 0 trains on
/// items 0…7 (4 good, 4 bad), seed 1 on the good items 0, 2, 4, 6 only, both
/// testing on items 8…11; seed 2 trains as seed 0 but tests on the good items
/// 8 and 10 only. Stages run on it with the smallest forest.
struct BadInputFixture {
    static let side = 8
    static let count = 12

    let dir: String
    var manifest: String { dir + "/manifest.json" }
    var segmentation: String { dir + "/segmentation.png" }
    var artifacts: String { dir + "/artifacts" }
    var maps: String { artifacts + "/maps-alpha.h5" }
    var features: String { artifacts + "/features.h5" }
    var model: String { artifacts + "/model-0.h5" }
    var scores: String { artifacts + "/scores.h5" }

    static func id(_ i: Int) -> String { String(format: "item%02d", i) }
    func mapPath(_ i: Int) -> String { dir + "/maps/alpha/\(Self.id(i)).npy" }

    /// The folder of the TIFF fixtures of SegADNativeTests.
    static let tiffFixtures = ToolRunner.repoRoot + "/Tests/SegADNativeTests/Fixtures/tiff"
    static let npyFixtures = ToolRunner.repoRoot + "/Tests/SegADNativeTests/Fixtures/npy"

    init(_ test: XCTestCase) throws {
        dir = try test.temporaryFolder()
        let n = Self.side
        try FileManager.default.createDirectory(atPath: dir + "/maps/alpha", withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 11)
        for i in 0..<Self.count {
            let bad = i % 2 == 1
            let map = (0..<n * n).map { p -> Float in
                let blob: Float = bad && p % n >= n / 2 && p / n < 3 ? 1.5 : 0
                return 1 + blob + 0.2 * Float(rng.unit())
            }
            try NPY.write(path: mapPath(i), floats: map, shape: [n, n])
        }
        // Segment 0 on the left half, 1 on the right.
        try PNG.writeGray8(path: segmentation, width: n, height: n,
                           pixels: (0..<n * n).map { UInt8($0 % n >= n / 2 ? 1 : 0) })
        try Self.write(json: manifestObject(), to: manifest)
    }

    /// The manifest as a JSON object, to edit into bad variants.
    func manifestObject() -> [String: Any] {
        let items: [[String: Any]] = (0..<Self.count).map { i in
            ["id": Self.id(i), "label": i % 2 == 1 ? "bad" : "good",
             "maps": ["alpha": "maps/alpha/\(Self.id(i)).npy"]]
        }
        let test = (8..<12).map(Self.id)
        return ["format": "segad-manifest", "version": 1, "name": "badinput", "items": items,
                "seeds": ["0": ["segad-train": (0..<8).map(Self.id), "test": test],
                          "1": ["segad-train": [0, 2, 4, 6].map(Self.id), "test": test],
                          "2": ["segad-train": (0..<8).map(Self.id), "test": [8, 10].map(Self.id)]]]
    }

    /// Writes `object` as JSON to `path` (a manifest variant beside the original, so its paths resolve).
    static func write(json object: Any, to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// A manifest variant named `name` in the fixture folder, made by `edit`.
    func manifestVariant(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        var object = manifestObject()
        edit(&object)
        let path = dir + "/" + name
        try Self.write(json: object, to: path)
        return path
    }

    /// Points item `i`'s alpha map at `path` in a manifest variant.
    func manifestWithMap(_ i: Int, at path: String, name: String = "manifest-variant.json") throws -> String {
        try manifestVariant(name) { object in
            var items = object["items"] as! [[String: Any]]
            items[i]["maps"] = ["alpha": path]
            object["items"] = items
        }
    }

    // MARK: Stages

    @discardableResult
    func extractMaps(manifest: String? = nil, output: String? = nil) throws -> ToolRunner.Result {
        try ToolRunner.run("extract-maps", ["--manifest", manifest ?? self.manifest, "--detector", "alpha",
                                            "-o", output ?? maps])
    }

    @discardableResult
    func segmentStats(manifest: String? = nil, maps: [String]? = nil, segmentation: String? = nil,
                      segments: Int = 2, output: String? = nil) throws -> ToolRunner.Result {
        var args = ["--manifest", manifest ?? self.manifest, "--segmentation", segmentation ?? self.segmentation,
                    "--segments", String(segments), "-o", output ?? features, "--threads", "1"]
        for m in maps ?? [self.maps] { args += ["--maps", m] }
        return try ToolRunner.run("segment-stats", args)
    }

    @discardableResult
    func trainBRF(features: String? = nil, seed: Int = 0, output: String? = nil) throws -> ToolRunner.Result {
        try ToolRunner.run("train-brf", ["--features", features ?? self.features, "--manifest", manifest,
                                         "--seed", String(seed), "-o", output ?? model,
                                         "--rounds", "1", "--num-parallel-tree", "2"])
    }

    @discardableResult
    func score(features: String? = nil, model: String? = nil, output: String? = nil) throws -> ToolRunner.Result {
        try ToolRunner.run("evaluate", ["score", "--features", features ?? self.features, "--manifest", manifest,
                                        "--model", model ?? self.model, "--method", "SegAD(alpha)",
                                        "-o", output ?? scores])
    }

    @discardableResult
    func report(_ scores: [String], output: String) throws -> ToolRunner.Result {
        try ToolRunner.run("evaluate", ["report"] + scores + ["-o", output])
    }

    /// Runs the stages up to and including `last`, each of which must succeed.
    func build(through last: Stage, file: StaticString = #filePath, line: UInt = #line) throws {
        let runs: [(Stage, () throws -> ToolRunner.Result)] = [
            (.maps, { try extractMaps() }), (.features, { try segmentStats() }),
            (.model, { try trainBRF() }), (.scores, { try score() }),
        ]
        for (stage, run) in runs where stage.rawValue <= last.rawValue {
            let result = try run()
            XCTAssertEqual(result.status, 0, "\(stage) failed on the good fixture: \(result.stderr)", file: file, line: line)
        }
    }

    enum Stage: Int { case maps, features, model, scores }

    // MARK: Checks

    /// The bytes of every file now under the artifacts folder (artifacts,
    /// the model's JSON, reports).
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let names = FileManager.default.enumerator(atPath: artifacts)?.allObjects as? [String] ?? []
        for name in names {
            let path = artifacts + "/" + name
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    /// Files under the fixture folder whose names carry a writer's temporary suffix.
    func temporaries() -> [String] {
        let names = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
        return names.filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
    }

    /// Asserts that `result` is a refusal: non-zero exit; exactly one line on
    /// stderr that names `file` (its path or base name) and contains each of
    /// `faults` (case-insensitive); every artifact in `before` unchanged; no
    /// temporary file left behind.
    func assertRefused(_ result: ToolRunner.Result, naming file: String, fault faults: String...,
                       before: [String: Data], file sourceFile: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNotEqual(result.status, 0, "exit status 0 for bad input; stderr: \(result.stderr)",
                          file: sourceFile, line: line)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.count == 2 && lines[1].isEmpty && !lines[0].isEmpty,
                      "stderr is not exactly one line: \(result.stderr.debugDescription)", file: sourceFile, line: line)
        let message = result.stderr
        let base = (file as NSString).lastPathComponent
        XCTAssertTrue(message.contains(file) || message.contains(base),
                      "stderr does not name \(base): \(message)", file: sourceFile, line: line)
        for fault in faults {
            XCTAssertTrue(message.lowercased().contains(fault.lowercased()),
                          "stderr does not say '\(fault)': \(message)", file: sourceFile, line: line)
        }
        let after = try snapshot()
        for (path, bytes) in before {
            XCTAssertEqual(after[path], bytes, "\(path) changed", file: sourceFile, line: line)
        }
        XCTAssertEqual(Set(after.keys), Set(before.keys), "artifacts appeared or vanished", file: sourceFile, line: line)
        XCTAssertEqual(temporaries(), [], "temporary files left behind", file: sourceFile, line: line)
    }
}
