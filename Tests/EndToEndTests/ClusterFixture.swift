import Foundation
import XCTest
import SegAD
import _TestSupport

/// One local `make images` run on a small synthetic folder, made once per
/// test process and shared by ShardTests and SlurmClusterTests (the cluster
/// run is compared with it byte for byte). ARTIFACTS is the link `art`,
/// pointing at `local/`; the cluster test points it at its own folder for
/// its run, so both runs name every path the same way (artifacts record the
/// paths of their inputs), and back. Removed when the process exits.
enum ClusterFixture {
    static let root = NSTemporaryDirectory() + "segad-cluster-\(getpid())"
    static var parts: String { root + "/parts" }
    static var artifacts: String { root + "/art" }
    static var local: String { root + "/local" }
    /// The run's artifacts folder (ARTIFACTS/parts) through the link.
    static var run: String { artifacts + "/parts" }
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    static var makeArgs: [String] {
        ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(artifacts)",
         "SIZE=32x48", "DETECTORS=padim golden-template", "SEGMENTS=3", "SEEDS=0 1",
         "BRF_ARGS=--num-parallel-tree 10 --rounds 3"]
    }

    nonisolated(unsafe) private static var built = false
    nonisolated(unsafe) private static var failure: String?
    struct RunFailed: Error, CustomStringConvertible { var description: String }

    /// Builds the local run once; throws (with make's output) when it failed.
    static func localRun() throws {
        if !built {
            built = true
            failure = build()
            atexit { try? FileManager.default.removeItem(atPath: ClusterFixture.root) }
        }
        if let failure { throw RunFailed(description: "the local make images run failed: \(failure)") }
    }

    /// nil, or why the run failed.
    private static func build() -> String? {
        do {
            let fm = FileManager.default
            try fm.createDirectory(atPath: local, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: artifacts, withDestinationPath: local)
            try ImagesTests.makeFolder(parts)
            let r = try ToolRunner.run("make", ["-j2"] + makeArgs)
            return r.status == 0 ? nil : r.stdout + r.stderr
        } catch { return "\(error)" }
    }

    /// Points `art` at `folder`.
    static func pointArtifacts(at folder: String) throws {
        try FileManager.default.removeItem(atPath: artifacts)
        try FileManager.default.createSymbolicLink(atPath: artifacts, withDestinationPath: folder)
    }

    /// New parts to score (PNG and JPEG) and one corrupt PNG, with a list
    /// naming them (relative to the list's folder); returns the list's path.
    static func newImages(_ dir: String) throws -> String {
        for i in 0..<9 { try ImagesTests.writePart(dir + "/new/n\(i).png", n: 400 + i, bad: i % 3 == 0) }
        _ = FileManager.default.createFile(atPath: dir + "/new/broken.png", contents: Data("\u{89}PNG not an image".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/new").sorted()
        let list = dir + "/list.txt"
        try names.map { "new/" + $0 + "\n" }.joined().write(toFile: list, atomically: true, encoding: .utf8)
        return list
    }

    /// The shard (1…n) holding `id` among `ids` (the rule of `Shard`).
    static func shard(of id: String, ids: [String], count: Int) -> Int {
        let i = ids.firstIndex(of: id)!
        return (1...count).first { Shard(index: $0, count: count).positions(of: ids).contains(i) }!
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}
