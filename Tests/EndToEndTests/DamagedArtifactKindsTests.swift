import Foundation
import XCTest
import _TestSupport

/// A tiny "your own images" run with the golden-template detector only (no
/// backbone weights): ImagesTests' synthetic parts (14 good, 6 bad) at 16×16,
/// a fitted detector state, a derived segmentation (label PNG + HDF5
/// sidecar), maps, features, one seed's model, a saved pipeline, and two new
/// images for `evaluate score-new`. Used by the corruption tests of the
/// artifact kinds the BadInputFixture does not write (docs/reliability.md, section 6, class 4) and
/// by the score-new kill test (class 3).
struct GoldenPipelineFixture {
    let dir: String
    var parts: String { dir + "/parts" }
    var manifest: String { dir + "/manifest.json" }
    var state: String { dir + "/golden.state.h5" }
    var segmentation: String { dir + "/seg/labels.png" }
    /// derive-segmentation's HDF5 sidecar beside the label PNG (read by segment-stats and save-pipeline).
    var segmentationSidecar: String { dir + "/seg/labels.h5" }
    var maps: String { dir + "/golden.maps.h5" }
    var features: String { dir + "/features.h5" }
    var model: String { dir + "/model.h5" }
    var pipeline: String { dir + "/pipeline.h5" }
    var newImages: String { dir + "/new" }

    init(_ test: XCTestCase, file: StaticString = #filePath, line: UInt = #line) throws {
        dir = try test.temporaryFolder()
        try ImagesTests.makeFolder(parts, good: 14, bad: 6, uncertain: 0)
        try ImagesTests.writePart(newImages + "/ok-1.png", n: 301, bad: false)
        try ImagesTests.writePart(newImages + "/scratch-1.png", n: 304, bad: true)
        let steps: [(String, [String])] = [
            ("build-dataset", ["images-manifest", "--images", parts, "--seeds", "0", "-o", manifest]),
            ("extract-maps", ["fit", "--manifest", manifest, "--kind", "golden-template", "--name", "golden",
                              "--seed", "0", "--size", "16x16", "-o", state]),
            ("extract-maps", ["derive-segmentation", "--manifest", manifest, "--seed", "0", "--segments", "2",
                              "--size", "16x16", "-o", segmentation]),
            ("extract-maps", ["apply", "--manifest", manifest, "--state", state, "--skip-detector-train", "-o", maps]),
            ("segment-stats", ["--manifest", manifest, "--maps", maps, "--segmentation", segmentation,
                               "--segments", "2", "-o", features, "--threads", "1"]),
            ("train-brf", ["--features", features, "--manifest", manifest, "--seed", "0", "-o", model,
                           "--rounds", "1", "--num-parallel-tree", "2"]),
            ("evaluate", ["save-pipeline", "--manifest", manifest, "--seed", "0", "--features", features,
                          "--model", model, "--state", state, "--segmentation", segmentation, "--folds", "2",
                          "-o", pipeline]),
        ]
        for (tool, args) in steps {
            let r = try ToolRunner.run(tool, args)
            XCTAssertEqual(r.status, 0, "\(tool) \(args.first ?? ""): \(r.stderr)", file: file, line: line)
        }
    }

    // The consuming stages, writing to `output`.
    func apply(output: String) throws -> ToolRunner.Result {
        try ToolRunner.run("extract-maps", ["apply", "--manifest", manifest, "--state", state,
                                            "--skip-detector-train", "-o", output])
    }

    func segmentStats(output: String) throws -> ToolRunner.Result {
        try ToolRunner.run("segment-stats", ["--manifest", manifest, "--maps", maps, "--segmentation", segmentation,
                                             "--segments", "2", "-o", output, "--threads", "1"])
    }

    func scoreNew(output: String, environment: [String: String] = [:]) throws -> ToolRunner.Result {
        try ToolRunner.run("evaluate", ["score-new", "--pipeline", pipeline, "--images", newImages, "-o", output],
                           environment: environment)
    }

    /// The non-empty, non-scalar datasets of HDF5 file `path` (h5py), in order.
    static func datasets(_ path: String) throws -> [String] {
        let script = """
            import sys, h5py
            names = []
            with h5py.File(sys.argv[1], "r") as h:
                h.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.size > 0 and o.shape != () else None)
            print("\\n".join(names))
            """
        let r = try ToolRunner.run("python3", ["-c", script, path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map(String.init)
    }
}

extension DamagedArtifactTests {
    /// The detector state (read by extract-maps apply), the segmentation's
    /// HDF5 sidecar (read by segment-stats with the label PNG) and the saved
    /// pipeline (read by evaluate score-new): a byte flipped inside EVERY
    /// dataset of each is refused with one line naming the artifact, the
    /// dataset and "checksum", and the stage's output does not appear. Each
    /// flip is made in its own copy (all by one python3 run of flip_byte.py).
    func testAByteFlippedInStateSegmentationOrPipelineIsRefused() throws {
        let f = try GoldenPipelineFixture(self)
        let fm = FileManager.default
        let damaged = f.dir + "/damaged"
        try fm.createDirectory(atPath: damaged, withIntermediateDirectories: true)
        // (artifact, the copy's file name for dataset i, the stage run on copy i → the file it must not write)
        typealias Stage = (_ copy: String, _ i: Int) throws -> (ToolRunner.Result, String)
        let kinds: [(artifact: String, copy: (Int) -> String, run: Stage)] = [
            (f.state, { "\(damaged)/state-\($0).h5" }, { copy, i in
                let out = "\(damaged)/maps-\(i).h5"
                return (try ToolRunner.run("extract-maps", ["apply", "--manifest", f.manifest, "--state", copy,
                                                            "--skip-detector-train", "-o", out]), out)
            }),
            // The sidecar is found beside its label PNG (same base name): copy both.
            (f.segmentationSidecar, { "\(damaged)/seg-\($0).h5" }, { copy, i in
                let png = (copy as NSString).deletingPathExtension + ".png", out = "\(damaged)/features-\(i).h5"
                if !fm.fileExists(atPath: png) { try fm.copyItem(atPath: f.segmentation, toPath: png) }
                return (try ToolRunner.run("segment-stats", ["--manifest", f.manifest, "--maps", f.maps, "--segmentation", png,
                                                             "--segments", "2", "-o", out, "--threads", "1"]), out)
            }),
            (f.pipeline, { "\(damaged)/pipeline-\($0).h5" }, { copy, i in
                let out = "\(damaged)/scored-\(i)"
                return (try ToolRunner.run("evaluate", ["score-new", "--pipeline", copy, "--images", f.newImages, "-o", out]),
                        out + "/scores.csv")
            }),
        ]
        var flips: [(kind: Int, copy: String, dataset: String)] = []
        for (k, kind) in kinds.enumerated() {
            let names = try GoldenPipelineFixture.datasets(kind.artifact)
            XCTAssertFalse(names.isEmpty, kind.artifact)
            for name in names {
                let copy = kind.copy(flips.count)
                try fm.copyItem(atPath: kind.artifact, toPath: copy)
                flips.append((k, copy, name))
            }
            // An undamaged copy is accepted (so the refusals below are the flips' doing).
            let good = kind.copy(1000 + k)   // apart from the flips' numbers
            try fm.copyItem(atPath: kind.artifact, toPath: good)
            let (r, out) = try kind.run(good, 1000 + k)
            XCTAssertEqual(r.status, 0, "\(kind.artifact) undamaged: \(r.stderr)")
            XCTAssertTrue(fm.fileExists(atPath: out), out)
        }
        let script = """
            import runpy, sys
            script, pairs = sys.argv[1], sys.argv[2:]
            for file, dataset in zip(pairs[::2], pairs[1::2]):
                sys.argv = [script, file, dataset]
                runpy.run_path(script, run_name="__main__")
            """
        let r = try ToolRunner.run("python3", ["-c", script, ToolRunner.repoRoot + "/scripts/reliability/flip_byte.py"]
                                   + flips.flatMap { [$0.copy, $0.dataset] })
        XCTAssertEqual(r.status, 0, "flip_byte.py: \(r.stderr)")
        XCTAssertEqual(r.stdout.split(separator: "\n").count, flips.count, r.stdout)
        for (i, flip) in flips.enumerated() {
            let (refused, out) = try kinds[flip.kind].run(flip.copy, i)
            assertOneLineRefusal(refused, flip.copy, "damaged", "'\(flip.dataset)'", "checksum")
            XCTAssertFalse(fm.fileExists(atPath: out), "\(out) written from damaged \(flip.dataset)")
        }
    }

    /// Every dataset of the detector state, segmentation sidecar and saved
    /// pipeline is chunked with the Fletcher-32 filter (h5py: `ds.fletcher32`).
    func testStateSegmentationAndPipelineDatasetsCarryFletcher32() throws {
        let f = try GoldenPipelineFixture(self)
        try assertFletcher32([f.state, f.segmentationSidecar, f.pipeline])
    }
}

extension MultiFileCommitTests {
    /// evaluate score-new's scores.csv (marker) and overlays/: killed at every
    /// step of its commit (remove the old scores.csv, rename overlays/, rename
    /// scores.csv), a scores.csv present lists exactly the overlays beside it;
    /// the rerun completes with no temporary left.
    func testKilledScoreNewCommitLeavesNoMixedSet() throws {
        let f = try GoldenPipelineFixture(self)
        let out = f.dir + "/scored"
        func check(_ context: String) throws {
            guard let csv = try? String(contentsOfFile: out + "/scores.csv", encoding: .utf8) else { return }
            let ids = Set(csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) })
            let overlays = Set(try FileManager.default.contentsOfDirectory(atPath: out + "/overlays")
                .filter { !$0.hasPrefix(".") }  // the folder's owner marker
                .map { ($0 as NSString).deletingPathExtension })
            XCTAssertEqual(ids, overlays, "\(context): scores.csv beside another run's overlays/")
        }
        let first = try f.scoreNew(output: out)
        XCTAssertEqual(first.status, 0, first.stderr)
        try check("first run")
        // The next runs score one image more: their set differs from the first's.
        try ImagesTests.writePart(f.newImages + "/ok-5.png", n: 305, bad: false)
        for k in 0...2 {
            let r = try f.scoreNew(output: out, environment: ["SEGAD_FAULT_KILL_AT_COMMIT_STEP": String(k)])
            XCTAssertEqual(r.status, SIGKILL, "step \(k): not killed in its commit: \(r.stderr)")
            try check("killed at step \(k)")
            if k > 0 { XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/scores.csv"), "marker present mid-commit") }
        }
        let rerun = try f.scoreNew(output: out)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        try check("rerun")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/overlays/ok-5.png"))
        let names = FileManager.default.enumerator(atPath: out)?.allObjects as? [String] ?? []
        XCTAssertEqual(names.filter { $0.contains(".tmp-") }, [])
    }
}
