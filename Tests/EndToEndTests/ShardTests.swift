import Foundation
import XCTest
import SegAD
import _TestSupport

/// Sharded scoring and detector application (docs/cluster.md, "Shards"),
/// on this host: shards joined by merge-scores and extract-maps merge equal
/// one run byte for byte; bad shards, lists and merges are refused with one
/// line and write nothing.
final class ShardTests: XCTestCase {
    // MARK: - Bad input (no pipeline needed)

    func testBadShardsAndListsAreOneLine() throws {
        let tmp = try temporaryFolder()
        for bad in ["0/0", "5/4", "a/b", "0/4", "1/", "1/4x", "1/4/2", "+1/4"] {
            let score = try ToolRunner.run("evaluate", ["score-new", "--pipeline", tmp + "/p.h5", "--images", tmp, "--shard", bad, "-o", tmp + "/o"])
            assertOneLineRefusal(score, "--shard", bad)
            let apply = try ToolRunner.run("extract-maps", ["apply", "--manifest", tmp + "/m.json", "--state", tmp + "/s.h5", "--shard", bad, "-o", tmp + "/m.h5"])
            assertOneLineRefusal(apply, "--shard", bad)
        }
        let empty = tmp + "/empty.txt"
        try "\n  \n".write(toFile: empty, atomically: true, encoding: .utf8)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", tmp + "/p.h5", "--list", empty, "-o", tmp + "/o"]),
                             empty, "names no image")
        let missing = tmp + "/missing.txt"
        try ImagesTests.writePart(tmp + "/a.png", n: 0, bad: false)
        try "a.png\ngone.png\n".write(toFile: missing, atomically: true, encoding: .utf8)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", tmp + "/p.h5", "--list", missing, "-o", tmp + "/o"]),
                             tmp + "/gone.png")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", tmp + "/p.h5", "--list", missing, "--images", tmp, "-o", tmp + "/o"]),
                             "exactly one of")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/o/scores.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/o/shard.json"))
        // A listed file that an output would replace: refused before anything is read or written.
        try FileManager.default.createDirectory(atPath: tmp + "/out", withIntermediateDirectories: true)
        try "keep".write(toFile: tmp + "/out/scores.csv", atomically: true, encoding: .utf8)
        let own = tmp + "/own.txt"
        try "a.png\nout/scores.csv\n".write(toFile: own, atomically: true, encoding: .utf8)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["score-new", "--pipeline", tmp + "/p.h5", "--list", own, "--skip-unreadable", "-o", tmp + "/out"]),
                             "would overwrite the input")
        XCTAssertEqual(try String(contentsOfFile: tmp + "/out/scores.csv", encoding: .utf8), "keep")
    }

    /// merge-scores on shard folders written by hand: the rows go back to
    /// their positions; a missing, repeated or foreign shard is refused.
    func testMergeScoresOrdersRowsAndRefusesBadSets() throws {
        let tmp = try temporaryFolder()
        let ids = ["c", "a", "d", "b"]  // source order; sorted: a b c d → shard 1: a b, shard 2: c d
        func shard(_ k: Int, pipeline: String = String(repeating: "ab", count: 32), n: Int = 2, list: [String] = ids) throws -> String {
            let dir = tmp + "/s\(k)-\(pipeline.prefix(2))-\(n)-\(list.count)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let positions = Shard(index: k, count: n).positions(of: list)
            let record = ScoreShardRecord(pipelineSHA256: pipeline, shard: k, shards: n, listSHA256: Shard.listDigest(list),
                                          images: list.count, skipUnreadable: false, ids: positions.map { list[$0] }, positions: positions)
            try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: dir + "/shard.json"))
            let rows = positions.map { "\(list[$0]),0.\($0),normal,x (+0.1)\n" }.joined()
            try ("id,score,decision,top_features\n" + rows).write(toFile: dir + "/scores.csv", atomically: true, encoding: .utf8)
            return dir
        }
        let s1 = try shard(1), s2 = try shard(2)
        let merged = try ToolRunner.run("evaluate", ["merge-scores", s2, s1, "-o", tmp + "/out"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(try String(contentsOfFile: tmp + "/out/scores.csv", encoding: .utf8),
                       "id,score,decision,top_features\nc,0.0,normal,x (+0.1)\na,0.1,normal,x (+0.1)\nd,0.2,normal,x (+0.1)\nb,0.3,normal,x (+0.1)\n")

        let out = tmp + "/refused"
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, "-o", out]), "shard 2/2", "missing")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, s1, s2, "-o", out]), "is shard 1/2, and so is")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, try shard(2, pipeline: String(repeating: "cd", count: 32)), "-o", out]),
                             "another run", "pipeline sha256")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, try shard(2, n: 3), "-o", out]), "3 shards, not 2")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, try shard(2, list: ids + ["e"]), "-o", out]),
                             "another list")
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, tmp, "-o", out]), tmp, "no shard.json")
        // A record naming an id twice (hand-edited): refused, not trusted.
        let twice = try shard(2, list: ["c", "a", "d", "b"])
        let text = try String(contentsOfFile: twice + "/shard.json", encoding: .utf8).replacingOccurrences(of: "\"ids\":[\"c\",\"d\"]", with: "\"ids\":[\"c\",\"c\"]")
        try text.write(toFile: twice + "/shard.json", atomically: true, encoding: .utf8)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", s1, twice, "-o", out]), "an id is named twice")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/scores.csv"))
    }

    // MARK: - On a real saved pipeline and detector states

    /// score-new over a list in 4 shards, one holding a corrupt image: without
    /// --skip-unreadable only that shard fails and the merge refuses; with it
    /// errors.csv names the file, and the merged scores.csv and errors.csv
    /// equal one run's byte for byte.
    func testShardedScoringEqualsOneRun() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ClusterFixture.weights), "weights not fetched (make weights)")
        try ClusterFixture.localRun()
        let tmp = try temporaryFolder()
        let list = try ClusterFixture.newImages(tmp)
        let pipeline = ClusterFixture.local + "/parts/pipeline.h5"
        let ids = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n")
            .map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        let bad = ClusterFixture.shard(of: "broken", ids: ids, count: 4)

        func score(_ extra: [String], _ out: String) throws -> ToolRunner.Result {
            try ToolRunner.run("evaluate", ["score-new", "--pipeline", pipeline, "--list", list, "--no-overlays", "-o", out] + extra)
        }
        for k in 1...4 {
            let r = try score(["--shard", "\(k)/4"], tmp + "/strict/\(k)")
            if k == bad {
                assertOneLineRefusal(r, tmp + "/new/broken.png")
                XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/strict/\(k)/shard.json"))
            } else {
                XCTAssertEqual(r.status, 0, r.stderr)
            }
        }
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores"] + (1...4).map { tmp + "/strict/\($0)" } + ["-o", tmp + "/strict"]),
                             tmp + "/strict/\(bad)", "no shard.json")

        let one = try score(["--skip-unreadable"], tmp + "/one")
        // Batches of 2 (the corrupt image inside one): the same rows as one batch of 32.
        let small = try score(["--skip-unreadable", "--batch", "2"], tmp + "/small")
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/small/scores.csv"), ClusterFixture.bytes(tmp + "/one/scores.csv"))
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/small/errors.csv"), ClusterFixture.bytes(tmp + "/one/errors.csv"))
        XCTAssertEqual(one.status, 0, one.stderr)
        let errors = try String(contentsOfFile: tmp + "/one/errors.csv", encoding: .utf8)
        XCTAssertTrue(errors.hasPrefix("id,path,fault\nbroken,\(tmp)/new/broken.png,"), errors)
        XCTAssertEqual(errors.split(separator: "\n").count, 2, errors)
        XCTAssertEqual(try String(contentsOfFile: tmp + "/one/scores.csv", encoding: .utf8).split(separator: "\n").count, 10)
        for k in 1...4 {
            let r = try score(["--shard", "\(k)/4", "--skip-unreadable"], tmp + "/skip/\(k)")
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let merged = try ToolRunner.run("evaluate", ["merge-scores"] + (1...4).map { tmp + "/skip/\($0)" } + ["-o", tmp + "/merged"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/merged/scores.csv"), ClusterFixture.bytes(tmp + "/one/scores.csv"))
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/merged/errors.csv"), ClusterFixture.bytes(tmp + "/one/errors.csv"))
        // A shard of the strict run is a shard of another run (no --skip-unreadable).
        let k = bad == 1 ? 2 : 1
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["merge-scores", tmp + "/strict/\(k)"] + (1...4).filter { $0 != k }.map { tmp + "/skip/\($0)" } + ["-o", tmp + "/x"]),
                             "--skip-unreadable")
    }

    /// extract-maps apply --shard K/3 for each K, then merge: the very bytes of
    /// one unsharded apply; repeated, missing and foreign shards refused.
    func testShardedApplyEqualsOneApply() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ClusterFixture.weights), "weights not fetched (make weights)")
        try ClusterFixture.localRun()
        let tmp = try temporaryFolder()
        let manifest = ClusterFixture.run + "/manifest.json"
        func apply(_ detector: String, _ extra: [String], _ out: String) throws {
            let r = try ToolRunner.run("extract-maps", ["apply", "--manifest", manifest, "--state", ClusterFixture.run + "/detectors/parts/\(detector).h5",
                                                        "--skip-detector-train", "-o", out] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try apply("padim", [], tmp + "/one.h5")
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/one.h5"), ClusterFixture.bytes(ClusterFixture.run + "/maps/parts/padim.h5"))
        for k in 1...3 { try apply("padim", ["--shard", "\(k)/3"], tmp + "/s\(k).h5") }
        let shards = (1...3).map { tmp + "/s\($0).h5" }
        let merged = try ToolRunner.run("extract-maps", ["merge"] + shards.reversed() + ["-o", tmp + "/merged.h5"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertNotNil(ClusterFixture.bytes(tmp + "/merged.h5"))
        XCTAssertEqual(ClusterFixture.bytes(tmp + "/merged.h5"), ClusterFixture.bytes(tmp + "/one.h5"))

        try apply("golden-template", ["--shard", "2/3"], tmp + "/g2.h5")
        let out = tmp + "/refused.h5"
        assertOneLineRefusal(try ToolRunner.run("extract-maps", ["merge", shards[0], shards[1], "-o", out]), "shard 3/3", "missing")
        assertOneLineRefusal(try ToolRunner.run("extract-maps", ["merge", shards[0], shards[1], shards[1], shards[2], "-o", out]), "is shard 2/3, and so is")
        assertOneLineRefusal(try ToolRunner.run("extract-maps", ["merge", shards[0], tmp + "/g2.h5", shards[2], "-o", out]), "another run")
        assertOneLineRefusal(try ToolRunner.run("extract-maps", ["merge", shards[0], tmp + "/one.h5", "-o", out]), "not written by extract-maps apply --shard")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Maps shards whose positions overlap, or whose maps do not add up to
    /// the items they name: refused before anything is allocated or written.
    func testMapsMergeRefusesOverlapsAndCounts() throws {
        let tmp = try temporaryFolder()
        func write(_ name: String, k: Int, items: Int, positions: [Int64]) throws -> String {
            let path = tmp + "/\(name).h5"
            let w = try MapsArtifactWriter(path: path, detector: "d", count: positions.count, height: 2, width: 2,
                                           config: ["mode": "native", "kind": "golden-template", ShardKeys.shard: k, ShardKeys.shards: 2,
                                                    ShardKeys.items: items, ShardKeys.itemsDigest: "x"], inputs: [])
            w.int64s[ShardKeys.positions] = positions
            for p in positions { try [Float](repeating: Float(p), count: 4).withUnsafeBufferPointer { try w.append(id: "i\(p)", label: .good, map: $0) } }
            try w.commit()
            return path
        }
        let a = try write("a", k: 1, items: 3, positions: [0, 2]), b = try write("b", k: 2, items: 3, positions: [2])
        XCTAssertThrowsError(try NativeDetectors.merge(shards: [a, b], output: tmp + "/out.h5")) {
            XCTAssertTrue("\($0)".contains("position 2 is outside the 3 items or overlaps another shard"), "\($0)")
        }
        let big = try write("big", k: 2, items: 1_000_000_000_000, positions: [1])
        let small = try write("small", k: 1, items: 1_000_000_000_000, positions: [0])
        XCTAssertThrowsError(try NativeDetectors.merge(shards: [small, big], output: tmp + "/out.h5")) {
            XCTAssertTrue("\($0)".contains("the shards hold 2 maps; their records name 1000000000000 items"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/out.h5"))
    }
}
