import Foundation
import XCTest
import SegAD
import _TestSupport

/// A real two-node Slurm cluster on this host (scripts/cluster/up.sh:
/// slurmctld and `slurmd -N nodea|nodeb`, munge with its own key, a private
/// state folder), brought up and down by the test (docs/cluster.md). Runs as
/// root (CI); elsewhere it skips, saying why.
///
/// - `make images CLUSTER=slurm SHARDS=2 -j2`: both nodes ran steps; maps
///   (applied as shards, joined by extract-maps merge), models, report and
///   pipeline.h5 byte-identical to the local unsharded run; then nothing to do.
/// - scripts/cluster/score-array.sh over 4 shards with one corrupt image:
///   with --skip-unreadable errors.csv names it and the merged files equal one
///   local run; without, only its shard fails and the merge refuses; after
///   the image is replaced, the same command reruns that shard alone and the
///   merge equals one local run.
final class SlurmClusterTests: XCTestCase {
    /// CLUSTER=slurm without srun on PATH, another CLUSTER, SLURM_ARGS a shell
    /// or Make would act on, SHARDS=0: one line each, nothing run.
    func testClusterBadInputIsOneLine() throws {
        let tmp = try temporaryFolder()
        try HostilePathTests.makeParts(tmp + "/parts")
        let base = ["-n", "-C", ToolRunner.repoRoot, "images", "IMAGES=\(tmp)/parts", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(tmp)/a"]
        // make itself by its path, with a PATH that holds no srun.
        let noSrun = try ToolRunner.run("/usr/bin/make", base + ["CLUSTER=slurm"], environment: ["PATH": tmp + "/empty"])
        assertMakeRefusal(noSrun, ["CLUSTER=slurm but srun is not on PATH"])
        assertMakeRefusal(try ToolRunner.run("make", base + ["CLUSTER=pbs"]), ["CLUSTER=pbs: the only cluster is slurm"])
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/srun") {
            assertMakeRefusal(try ToolRunner.run("make", base + ["CLUSTER=slurm", "SLURM_ARGS=--time 5; touch \(tmp)/ran"]),
                              ["SLURM_ARGS=--time 5; touch", "the character ; is not allowed"])
            assertMakeRefusal(try ToolRunner.run("make", base + ["CLUSTER=slurm", "SLURM_ARGS=$(shell touch \(tmp)/ran)"]),
                              ["the character $ is not allowed"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/ran"))
        }
        assertMakeRefusal(try ToolRunner.run("make", base + ["SHARDS=0"]), ["SHARDS=0"])
        assertMakeRefusal(try ToolRunner.run("make", base + ["SHARDS=two"]), ["'two' is not a seed"])
        // SHARDS=2: each detector's apply as two shards and a merge, nothing else changed.
        let sharded = try ToolRunner.run("make", base + ["SHARDS=2", "DETECTORS=padim"])
        XCTAssertEqual(sharded.status, 0, sharded.stderr)
        XCTAssertTrue(sharded.stdout.contains("--shard 1/2 -o \(tmp)/a/parts/maps-shards/parts/padim/1-of-2.h5"), sharded.stdout)
        XCTAssertTrue(sharded.stdout.contains("extract-maps merge \(tmp)/a/parts/maps-shards/parts/padim/1-of-2.h5 \(tmp)/a/parts/maps-shards/parts/padim/2-of-2.h5 -o \(tmp)/a/parts/maps/parts/padim.h5"), sharded.stdout)
        // score-array.sh checks its arguments before it submits anything.
        let script = ToolRunner.repoRoot + "/scripts/cluster/score-array.sh"
        for (args, says) in [(["--pipeline", "p.h5", "--list", "l.txt", "--shards", "0", "-o", "o"], "--shards '0'"),
                             (["--pipeline", "p.h5", "--shards", "2", "-o", "o"], "--list is missing"),
                             (["--pipeline", tmp + "/none.h5", "--list", "l.txt", "--shards", "2", "-o", "o"], "\(tmp)/none.h5: no such file")] {
            assertOneLineRefusal(try ToolRunner.run("bash", [script] + args, cwd: tmp), says)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/o"))
        let plain = try ToolRunner.run("make", base + ["DETECTORS=padim"])
        XCTAssertFalse(plain.stdout.contains("--shard") || plain.stdout.contains("extract-maps merge"), plain.stdout)
    }

    /// Make refused at parse time: non-zero, one line on stderr naming `expected`, no stage command printed.
    private func assertMakeRefusal(_ r: ToolRunner.Result, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, r.stdout, file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        for text in expected { XCTAssertTrue(r.stderr.contains(text), "\(text) not in: \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stdout.contains("extract-maps"), r.stdout, file: file, line: line)
    }

    func testMakeImagesAndScoringArrayOnTwoNodes() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ClusterFixture.weights), "weights not fetched (make weights)")
        try XCTSkipUnless(getuid() == 0, "not root: the two-node Slurm cluster test runs as root (as in CI)")
        let installed = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/srun", "/usr/sbin/munged"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        try XCTSkipUnless(installed || FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get"),
                          "Slurm is not installed and there is no apt-get to install it")
        try ClusterFixture.localRun()
        let tmp = try temporaryFolder()
        let state = tmp + "/slurm"
        let scripts = ToolRunner.repoRoot + "/scripts/cluster"
        let up = try ToolRunner.run("bash", [scripts + "/up.sh", state])
        addTeardownBlock { _ = try? ToolRunner.run("bash", [scripts + "/down.sh", state]) }
        if up.status == 2 { throw XCTSkip(up.stderr) }
        XCTAssertEqual(up.status, 0, up.stderr)
        guard up.status == 0 else { return }
        let env = ["SLURM_CONF": state + "/slurm.conf"]

        // make images on the cluster, in the same ARTIFACTS path as the local run.
        let cluster = ClusterFixture.root + "/cluster"
        try FileManager.default.createDirectory(atPath: cluster, withIntermediateDirectories: true)
        try ClusterFixture.pointArtifacts(at: cluster)
        defer { try? ClusterFixture.pointArtifacts(at: ClusterFixture.local) }
        let args = ClusterFixture.makeArgs + ["CLUSTER=slurm", "SHARDS=2"]
        let made = try ToolRunner.run("make", ["-j2"] + args, environment: env)
        XCTAssertEqual(made.status, 0, made.stdout + made.stderr)
        let log = (try? String(contentsOfFile: state + "/slurmctld.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("NodeList=nodea") && log.contains("NodeList=nodeb"), "not both nodes ran steps: \(log)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cluster + "/parts/maps-shards/parts/padim/2-of-2.h5"))
        var compared = 0
        let localRun = ClusterFixture.local + "/parts"
        for folder in ["maps", "models", "report", "detectors"] {
            let files = FileManager.default.enumerator(atPath: localRun + "/" + folder)!.compactMap { $0 as? String }
            for f in files where !f.hasSuffix("/") {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: localRun + "/\(folder)/\(f)", isDirectory: &isDir)
                if isDir.boolValue { continue }
                // The run record and results.md's History table carry the run's time
                // (ReportHistory): the rest of results.md is compared.
                if folder == "report" && f == "run.json" { continue }
                if folder == "report" && f == "results.md" {
                    func table(_ p: String) -> String? { (try? String(contentsOfFile: p, encoding: .utf8))?.components(separatedBy: "\n## History\n").first }
                    XCTAssertEqual(table(cluster + "/parts/report/results.md"), table(localRun + "/report/results.md"), "report/results.md")
                    compared += 1
                    continue
                }
                XCTAssertEqual(ClusterFixture.bytes(cluster + "/parts/\(folder)/\(f)"), ClusterFixture.bytes(localRun + "/\(folder)/\(f)"), "\(folder)/\(f)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
        XCTAssertEqual(ClusterFixture.bytes(cluster + "/parts/pipeline.h5"), ClusterFixture.bytes(localRun + "/pipeline.h5"))
        let again = try ToolRunner.run("make", ["-q"] + args, environment: env)
        XCTAssertEqual(again.status, 0, "make -q after the cluster run: \(again.stdout)\(again.stderr)")
        try ClusterFixture.pointArtifacts(at: ClusterFixture.local)

        // The wrapper: a failing stage's status and one-line error come back
        // through srun as a step; a recipe without a stage runs here, no job.
        let wrapper = scripts + "/srun-shell.sh"
        let wrapEnv = env.merging(["SEGAD_CLUSTER_BIN": ToolRunner.binDirectory, "SEGAD_SLURM_ARGS": "--job-name segad-wrap-test"]) { $1 }
        let failed = try ToolRunner.run(wrapper, ["-c", "\(ToolRunner.binDirectory)/evaluate score-new --pipeline \(tmp)/none.h5 --images \(tmp) -o \(tmp)/x"],
                                        environment: wrapEnv)
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.hasPrefix("evaluate score-new: error: "), failed.stderr)
        let jobs = { (try? String(contentsOfFile: state + "/slurmctld.log", encoding: .utf8))?.components(separatedBy: "_slurm_rpc_allocate_resources").count ?? 0 }
        let jobsBefore = jobs()
        let local = try ToolRunner.run(wrapper, ["-c", "echo here; exit 3"], environment: wrapEnv)
        XCTAssertEqual(local.status, 3)
        XCTAssertEqual(local.stdout, "here\n")
        XCTAssertEqual(jobs(), jobsBefore, "a recipe without a stage went to Slurm")

        // Scoring as a job array.
        let list = try ClusterFixture.newImages(tmp)
        let ids = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n")
            .map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        let bad = ClusterFixture.shard(of: "broken", ids: ids, count: 4)
        let pipeline = localRun + "/pipeline.h5"
        let evaluate = ToolRunner.binDirectory + "/evaluate"
        func array(_ out: String, _ extra: [String] = []) throws -> ToolRunner.Result {
            try ToolRunner.run("bash", [scripts + "/score-array.sh", "--pipeline", pipeline, "--list", list, "--shards", "4",
                                        "-o", out, "--evaluate", evaluate, "--wait"] + extra, cwd: tmp, environment: env)
        }
        func single(_ out: String, _ extra: [String] = []) throws {
            let r = try ToolRunner.run(evaluate, ["score-new", "--pipeline", pipeline, "--list", list, "--no-overlays", "-o", out] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }

        let skip = try array(tmp + "/skip", ["--skip-unreadable"])
        XCTAssertEqual(skip.status, 0, skip.stderr)
        try single(tmp + "/one-skip", ["--skip-unreadable"])
        XCTAssertTrue((try? String(contentsOfFile: tmp + "/skip/errors.csv", encoding: .utf8))?.contains("broken,\(tmp)/new/broken.png,") == true)
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/skip/scores.csv"), ClusterFixture.bytes(tmp + "/one-skip/scores.csv"))
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/skip/errors.csv"), ClusterFixture.bytes(tmp + "/one-skip/errors.csv"))

        let strict = try array(tmp + "/strict")
        XCTAssertEqual(strict.status, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("shards \(bad) of 4 did not finish"), strict.stderr)
        XCTAssertTrue((try? String(contentsOfFile: tmp + "/strict/logs/shard-\(bad).out", encoding: .utf8))?.contains("broken.png") == true)
        let shardFolders = (1...4).map { tmp + "/strict/shards/\($0)" }
        assertOneLineRefusal(try ToolRunner.run(evaluate, ["merge-scores"] + shardFolders + ["-o", tmp + "/strict"]),
                             shardFolders[bad - 1], "no shard.json")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/strict/scores.csv"))
        func stamp(_ k: Int) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: shardFolders[k - 1] + "/shard.json"))?[.modificationDate] as? Date
        }
        let before = (1...4).map(stamp)
        try ImagesTests.writePart(tmp + "/new/broken.png", n: 496, bad: true)  // 496 mod 4 = 0: a PNG
        let rerun = try array(tmp + "/strict")
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("submitting shards \(bad) of 4\n"), rerun.stderr)
        for k in 1...4 where k != bad { XCTAssertEqual(stamp(k), before[k - 1], "shard \(k) ran again") }
        try single(tmp + "/one")
        XCTAssertNotNil(ClusterFixture.bytes(tmp + "/strict/scores.csv"))
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/strict/scores.csv"), ClusterFixture.bytes(tmp + "/one/scores.csv"))
    }
}
