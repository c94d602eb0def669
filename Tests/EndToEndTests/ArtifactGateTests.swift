import Foundation
import XCTest
import _TestSupport

/// The probes of the artifact gate (docs/reliability.md, "One artifact
/// gate") on the stages themselves: a real artifact of each kind (the
/// golden-template `GoldenPipelineFixture`, built once) is edited with h5py
/// — a dataset moved to external storage or behind a filter, a value of its
/// configuration set out of bounds, its model's tree indices broken — and
/// the stage that reads it must exit non-zero with one line naming the file
/// and the fault, writing nothing.
final class ArtifactGateTests: XCTestCase {
    nonisolated(unsafe) private static var shared: GoldenPipelineFixture?

    private func fixture() throws -> GoldenPipelineFixture {
        if let f = Self.shared { return f }
        // Built through a holder that never runs, so its folder outlives
        // this test (removed in `tearDown()` of the class).
        let f = try GoldenPipelineFixture(XCTestCase(name: "fixture", testClosure: { _ in }))
        Self.shared = f
        return f
    }

    override class func tearDown() {
        if let dir = shared?.dir { try? FileManager.default.removeItem(atPath: dir) }
        shared = nil
        super.tearDown()
    }

    /// A copy of `artifact` edited by Python `edit` (`f` the open h5py file,
    /// `c` its decoded `segad_config`, written back afterwards).
    private func edited(_ artifact: String, _ edit: String, line: UInt = #line) throws -> String {
        let copy = try temporaryFolder() + "/" + (artifact as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: artifact, toPath: copy)
        let script = """
            import sys, json, h5py, numpy as np
            with h5py.File(sys.argv[1], "a") as f:
                c = json.loads(f.attrs["segad_config"])
            \(edit.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                f.attrs["segad_config"] = json.dumps(c)
            """
        let r = try ToolRunner.run("python3", ["-c", script, copy])
        XCTAssertEqual(r.status, 0, r.stderr, line: line)
        return copy
    }

    private func scoreNew(_ f: GoldenPipelineFixture, pipeline: String) throws -> (ToolRunner.Result, String) {
        let out = try temporaryFolder() + "/scores"
        return (try ToolRunner.run("evaluate", ["score-new", "--pipeline", pipeline, "--images", f.newImages, "-o", out]),
                out + "/scores.csv")
    }

    private func segmentStats(_ f: GoldenPipelineFixture, maps: String) throws -> (ToolRunner.Result, String) {
        let out = try temporaryFolder() + "/features.h5"
        return (try ToolRunner.run("segment-stats", ["--manifest", f.manifest, "--maps", maps, "--segmentation",
                                                     f.segmentation, "--segments", "2", "-o", out, "--threads", "1"]), out)
    }

    private func apply(_ f: GoldenPipelineFixture, state: String) throws -> (ToolRunner.Result, String) {
        let out = try temporaryFolder() + "/maps.h5"
        return (try ToolRunner.run("extract-maps", ["apply", "--manifest", f.manifest, "--state", state,
                                                    "--skip-detector-train", "-o", out]), out)
    }

    private func assertNothingWritten(_ path: String, line: UInt = #line) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) was written", line: line)
    }

    // MARK: Artifacts that read other files

    /// A pipeline whose feature_names live in /etc/passwd printed its bytes in an error.
    func testPipelineWithExternalFeatureNamesIsRefusedWithoutItsBytes() throws {
        let f = try fixture()
        let pipeline = try edited(f.pipeline, """
            del f["feature_names"]
            f.create_dataset("feature_names", shape=(4,), dtype="S16", external=[("/etc/passwd", 0, 64)])
            """)
        let (r, out) = try scoreNew(f, pipeline: pipeline)
        assertOneLineRefusal(r, pipeline, "feature_names", "external files")
        XCTAssertFalse(r.stderr.contains("root"), r.stderr)
        assertNothingWritten(out)
    }

    /// A maps artifact whose ids lived in /etc/passwd made segment-stats exit 0.
    func testMapsWithExternalIdsAreRefused() throws {
        let f = try fixture()
        let maps = try edited(f.maps, """
            n = len(f["ids"])
            del f["ids"]
            f.create_dataset("ids", shape=(n,), dtype="S8", external=[("/etc/passwd", 0, 8 * n)])
            """)
        let (r, out) = try segmentStats(f, maps: maps)
        assertOneLineRefusal(r, maps, "dataset ids", "external files")
        assertNothingWritten(out)
    }

    /// Maps stored in /dev/zero were scored.
    func testMapsStoredInDevZeroAreRefused() throws {
        let f = try fixture()
        let maps = try edited(f.maps, """
            shape = f["maps"].shape
            del f["maps"]
            f.create_dataset("maps", shape=shape, dtype="f4", external=[("/dev/zero", 0, h5py.h5f.UNLIMITED)])
            """)
        let (r, out) = try segmentStats(f, maps: maps)
        assertOneLineRefusal(r, maps, "dataset maps", "external files")
        assertNothingWritten(out)
    }

    /// Compressed tensors declaring 20000² took 6.3 GB before failing.
    func testCompressedStateTensorDeclaring20000SquaredIsRefused() throws {
        let f = try fixture()
        let state = try edited(f.state, """
            del f["tensors/mean"]
            d = f.create_dataset("tensors/mean", shape=(20000, 20000), dtype="f4", chunks=(1000, 1000), compression="gzip")
            d[:1000, :1000] = np.zeros((1000, 1000), np.float32)
            """)
        let (r, out) = try apply(f, state: state)
        assertOneLineRefusal(r, state, "tensors/mean", "deflate")
        assertNothingWritten(out)
    }

    func testSoftLinkedDatasetIsRefused() throws {
        let f = try fixture()
        let state = try edited(f.state, """
            f["tensors/copy"] = f["tensors/std"][()]
            del f["tensors/std"]
            f["tensors/std"] = h5py.SoftLink("/tensors/copy")
            """)
        let (r, out) = try apply(f, state: state)
        assertOneLineRefusal(r, state, "tensors/std", "soft link")
        assertNothingWritten(out)
    }

    // MARK: Values that configure computation

    /// segments > 702 trapped in the feature names, size [0,0] and a
    /// duplicated detector trapped or segfaulted; a huge σ tried to allocate 8–32 GB.
    func testPipelineValuesOutOfBoundsAreRefused() throws {
        let f = try fixture()
        let cases: [(String, [String])] = [
            (#"c["segments"] = 703"#, ["segments is 703", "1…702"]),
            (#"c["detectors"][0]["size"] = [0, 0]"#, ["detector 'golden' size is 0x0"]),
            (#"c["detectors"] = c["detectors"] * 2; c["layout_detectors"] = c["layout_detectors"] * 2"#,
             ["distinct detector names"]),
            (#"c["detectors"][0]["detector_config"]["sigma"] = "1e9""#, ["detector 'golden' sigma is 1e9", "(0, 64]"]),
            (#"c["detectors"][0]["detector_config"]["sigma"] = "-5""#, ["sigma is -5"]),
            (#"c["detectors"][0]["detector_config"]["sigma"] = "nan""#, ["sigma is nan"]),
            (#"c["detectors"][0]["detector_config"]["sigma"] = "inf""#, ["sigma is inf"]),
            (#"c["detectors"][0]["detector_config"]["eps"] = "-1""#, ["detector 'golden' eps is -1"]),
            (#"c["channels"] = 2"#, ["channels is 2"]),
            (#"c["operating_point"]["tpr"] = 2"#, ["operating_point.tpr is 2"]),
        ]
        for (edit, parts) in cases {
            let pipeline = try edited(f.pipeline, edit)
            let (r, out) = try scoreNew(f, pipeline: pipeline)
            assertOneLineRefusal(r, [pipeline] + parts)
            assertNothingWritten(out)
        }
    }

    /// The same bounds on a detector state read by extract-maps apply; out-of-range
    /// values (sigma NaN/inf, eps −1, a negative std) used to be used.
    func testDetectorStateValuesOutOfBoundsAreRefused() throws {
        let f = try fixture()
        let cases: [(String, [String])] = [
            (#"c["detector_config"]["sigma"] = "1e9""#, ["detector 'golden' sigma is 1e9"]),
            (#"c["detector_config"]["sigma"] = "nan""#, ["sigma is nan"]),
            (#"c["detector_config"]["eps"] = "-1""#, ["eps is -1"]),
            (#"c["size"] = [0, 0]"#, ["size is 0x0"]),
            (#"f["tensors/std"][0, 0] = -1"#, ["tensor std", "values ≥ 0"]),
            (#"f["tensors/mean"][0, 0] = np.nan"#, ["tensor mean", "finite"]),
        ]
        for (edit, parts) in cases {
            let state = try edited(f.state, edit)
            let (r, out) = try apply(f, state: state)
            assertOneLineRefusal(r, [state] + parts)
            assertNothingWritten(out)
        }
    }

    // MARK: Model JSON

    /// A child (or split) index out of range segfaulted inside libxgboost.
    func testPipelineModelWithChildIndexOutOfRangeIsRefused() throws {
        let f = try fixture()
        let pipeline = try edited(f.pipeline, """
            m = json.loads(f["model_json"][0])
            tree = m["learner"]["gradient_booster"]["model"]["trees"][0]
            tree["left_children"][0], tree["right_children"][0] = 7, 9
            del f["model_json"]
            f["model_json"] = np.array([json.dumps(m).encode()])
            """)
        let (r, out) = try scoreNew(f, pipeline: pipeline)
        assertOneLineRefusal(r, pipeline, "tree 0 of the model", "node 0 has children 7 and 9")
        assertNothingWritten(out)
    }
}
