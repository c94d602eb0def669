import Foundation
import SegADNative
import XCTest
import _TestSupport

/// docs/reliability.md, section 6, class 3: multi-file outputs commit as one unit (`OutputSet`).
/// The kill tests SIGKILL the stage at every step of its commit
/// (`SEGAD_FAULT_KILL_AT_COMMIT_STEP`): afterwards the marker (the file Make
/// targets) is either absent or stands beside members of its own run, and a
/// rerun completes with no temporary left. Two concurrent writers to one
/// output leave one writer's whole set.
final class MultiFileCommitTests: XCTestCase {
    private static func trainBRF(_ f: BadInputFixture, xgboostSeed: Int, env: [String: String] = [:]) throws -> ToolRunner.Result {
        try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", f.manifest, "--seed", "0", "-o", f.model,
                                         "--rounds", "2", "--num-parallel-tree", "3", "--xgboost-seed", String(xgboostSeed)],
                           environment: env)
    }

    /// The model's .json and the model_json inside its .h5 are the same run's.
    private func assertModelSetConsistent(_ f: BadInputFixture, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = (f.model as NSString).deletingPathExtension + ".json"
        guard FileManager.default.fileExists(atPath: f.model) else { return }  // no marker: incomplete, Make reruns
        let stored = try HDF5File(path: f.model, mode: .readOnly).readStrings("model_json")[0]
        let beside = try String(contentsOfFile: json, encoding: .utf8)
        XCTAssertTrue(stored == beside, "\(context): model .h5 and .json are from different runs", file: file, line: line)
    }

    func testKilledTrainBRFCommitLeavesNoMixedSet() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        XCTAssertEqual(try Self.trainBRF(f, xgboostSeed: 1).status, 0)
        let old = try Data(contentsOf: URL(fileURLWithPath: f.model))
        for k in 0...2 {
            let r = try Self.trainBRF(f, xgboostSeed: 2 + k, env: ["SEGAD_FAULT_KILL_AT_COMMIT_STEP": String(k)])
            XCTAssertEqual(r.status, SIGKILL, "step \(k): not killed in its commit: \(r.stderr)")
            try assertModelSetConsistent(f, "killed at step \(k)")
            if k == 0 { XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.model)), old) }
            if k > 0 { XCTAssertFalse(FileManager.default.fileExists(atPath: f.model), "marker present mid-commit") }
        }
        XCTAssertEqual(try Self.trainBRF(f, xgboostSeed: 9).status, 0)
        try assertModelSetConsistent(f, "rerun")
        XCTAssertEqual(f.temporaries(), [])
    }

    func testKilledReportCommitLeavesNoMixedSet() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let out = f.dir + "/report"
        func report(_ title: String, env: [String: String] = [:]) throws -> ToolRunner.Result {
            try ToolRunner.run("evaluate", ["report", f.scores, "-o", out, "--title", title], environment: env)
        }
        func check(_ context: String) throws {
            guard let metrics = FileManager.default.contents(atPath: out + "/metrics.json") else { return }
            let title = (try JSONSerialization.jsonObject(with: metrics) as! [String: Any])["title"] as! String
            let md = try String(contentsOfFile: out + "/results.md", encoding: .utf8)
            XCTAssertTrue(md.contains(title), "\(context): metrics.json (\(title)) beside another run's results.md")
        }
        XCTAssertEqual(try report("Run A").status, 0)
        // Steps: remove metrics.json, results.csv, results.md, the figure, metrics.json.
        for k in 0...4 {
            let r = try report("Run B\(k)", env: ["SEGAD_FAULT_KILL_AT_COMMIT_STEP": String(k)])
            XCTAssertEqual(r.status, SIGKILL, "step \(k): not killed in its commit: \(r.stderr)")
            try check("killed at step \(k)")
        }
        XCTAssertEqual(try report("Run C").status, 0)
        try check("rerun")
        XCTAssertTrue(try String(contentsOfFile: out + "/results.md", encoding: .utf8).contains("Run C"))
        XCTAssertEqual(f.temporaries(), [])
    }

    /// Two train-brf runs to one output at once (the probe once found the .h5
    /// of one beside the .json of the other). Writer A is held half-committed
    /// (its .json renamed, its .h5 not yet: `SEGAD_FAULT_COMMIT_PAUSE_MS`);
    /// writer B runs to completion meanwhile. Commits are serialized by a lock
    /// on the output's folder, so B waits and one run's whole set is left;
    /// without the lock B's .json would be left beside A's .h5.
    func testConcurrentTrainBRFWritersLeaveOneWholeSet() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        XCTAssertEqual(try Self.trainBRF(f, xgboostSeed: 1).status, 0)
        let json = (f.model as NSString).deletingPathExtension + ".json"
        let first = try Data(contentsOf: URL(fileURLWithPath: json))
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var status: Int32 = -1 }
        let a = Box()
        DispatchQueue.global().async {
            a.status = (try? Self.trainBRF(f, xgboostSeed: 2, env: ["SEGAD_FAULT_COMMIT_PAUSE_MS": "2500"]))?.status ?? -2
            done.signal()
        }
        // Wait until A has renamed its .json (and not yet its .h5).
        let deadline = Date().addingTimeInterval(60)
        while (try? Data(contentsOf: URL(fileURLWithPath: json))) == first && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.model), "A is not half-committed")
        XCTAssertEqual(try Self.trainBRF(f, xgboostSeed: 3).status, 0)
        done.wait()
        XCTAssertEqual(a.status, 0)
        try assertModelSetConsistent(f, "two writers")
        XCTAssertEqual(f.temporaries(), [])
    }
}

extension MultiFileCommitTests {
    /// derive-segmentation's label PNG (marker), overlay and sidecar: killed at
    /// every commit step, the label PNG is absent or matches its sidecar's
    /// recorded `label_png_sha256`; the rerun completes, no temporary left.
    func testKilledDeriveSegmentationCommitLeavesNoMixedSet() throws {
        let dir = try temporaryFolder()
        var rng = SplitMix64(seed: 5)
        var items: [[String: Any]] = []
        for i in 0..<8 {
            let pixels = (0..<256).map { p -> UInt8 in UInt8((p % 16 < 8 ? 60 : 190) + Int(rng.unit() * 20)) }
            try PNG.writeGray8(path: dir + "/img\(i).png", width: 16, height: 16, pixels: pixels)
            items.append(["id": "img\(i)", "label": "good", "image": "img\(i).png"])
        }
        try BadInputFixture.write(json: ["format": "segad-manifest", "version": 1, "name": "derive", "items": items,
                                         "seeds": ["0": ["detector-train": (0..<6).map { "img\($0)" },
                                                         "test": ["img6", "img7"]]]],
                                  to: dir + "/manifest.json")
        let png = dir + "/seg/labels.png", sidecar = dir + "/seg/labels.h5"
        func derive(_ segments: Int, env: [String: String] = [:]) throws -> ToolRunner.Result {
            try ToolRunner.run("extract-maps", ["derive-segmentation", "--manifest", dir + "/manifest.json", "--seed", "0",
                                                "--segments", String(segments), "--size", "16", "-o", png], environment: env)
        }
        func check(_ context: String) throws {
            guard FileManager.default.fileExists(atPath: png) else { return }
            let config = try HDF5File(path: sidecar, mode: .readOnly).stringAttribute("segad_config")
            let recorded = (try JSONSerialization.jsonObject(with: Data(config.utf8)) as! [String: Any])["label_png_sha256"] as! String
            XCTAssertEqual(try SHA256.hexOfFile(atPath: png), recorded, "\(context): label PNG beside another run's sidecar")
        }
        let first = try derive(2)
        XCTAssertEqual(first.status, 0, first.stderr)
        // Steps: remove the PNG, overlay, sidecar, the PNG.
        for k in 0...3 {
            let r = try derive(3, env: ["SEGAD_FAULT_KILL_AT_COMMIT_STEP": String(k)])
            XCTAssertEqual(r.status, SIGKILL, "step \(k): not killed in its commit: \(r.stderr)")
            try check("killed at step \(k)")
        }
        XCTAssertEqual(try derive(3).status, 0)
        try check("rerun")
        let names = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
        XCTAssertEqual(names.filter { $0.contains(".tmp-") }, [])
    }
}
