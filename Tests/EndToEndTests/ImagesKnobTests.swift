import Foundation
import XCTest
import _TestSupport

/// `make images` is never stale and never reruns for nothing
/// (docs/reliability.md, section 2): every knob that changes a result makes
/// exactly its dependent artifacts out of date, a dropped detector reruns the
/// report and pipeline.h5, and neither `make -n` nor a refused value moves a
/// stamp. One real run on a tiny folder of ELPV cells, then dry runs.
final class ImagesKnobTests: XCTestCase {
    static let elpv = ToolRunner.repoRoot + "/.cache/elpv"
    static let weights = ToolRunner.repoRoot + "/.cache/weights/efficientnet-lite0.pth"

    /// DIR/good and DIR/bad as links to the first `good` functional and `bad`
    /// defective mono cells of ELPV (labels.csv: path, defect probability, type).
    static func makeELPVFolder(_ dir: String, good: Int, bad: Int) throws {
        let rows = try String(contentsOfFile: elpv + "/labels.csv", encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            .filter { $0.count == 3 && $0[2] == "mono" }
        let fm = FileManager.default
        for (label, count, probability) in [("good", good, "0.0"), ("bad", bad, "1.0")] {
            try fm.createDirectory(atPath: dir + "/" + label, withIntermediateDirectories: true)
            for row in rows.filter({ $0[1] == probability }).prefix(count) {
                let name = (row[0] as NSString).lastPathComponent
                try fm.createSymbolicLink(atPath: dir + "/\(label)/" + name, withDestinationPath: elpv + "/" + row[0])
            }
        }
    }

    /// Every file under `root` with its size and modification time.
    static func snapshot(_ root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        guard let walk = fm.enumerator(atPath: root) else { return out }
        for case let path as String in walk {
            let attributes = try fm.attributesOfItem(atPath: root + "/" + path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            out[path] = "\(attributes[.size] ?? 0) \(time)"
        }
        return out
    }

    /// What a `make` listing runs: each stage command's output (after `-o`,
    /// quotes dropped, relative to `artifacts`, a `.new-` temporary named by
    /// its final file), or "report".
    static func outputs(_ text: String, artifacts: String) -> Set<String> {
        var out = Set<String>()
        for line in text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n") {
            guard ["/extract-maps ", "/segment-stats ", "/train-brf ", "/evaluate ", "/build-dataset "]
                .contains(where: line.contains) else { continue }
            if line.contains("evaluate report") { out.insert("report"); continue }
            let words = line.split(separator: " ").map { $0.filter { !"';".contains($0) } }
            if let i = words.firstIndex(of: "-o"), i + 1 < words.count {
                out.insert(words[i + 1].replacingOccurrences(of: artifacts + "/", with: "")
                    .replacingOccurrences(of: "/.new-", with: "/"))
            }
        }
        return out
    }

    func testEveryKnobRerunsExactlyItsArtifacts() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.weights), "weights not fetched (make weights)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.elpv + "/labels.csv"), "ELPV not fetched (make demo)")
        let tmp = try temporaryFolder()
        let cells = tmp + "/cells"
        try Self.makeELPVFolder(cells, good: 24, bad: 14)
        let artifacts = tmp + "/artifacts"
        let knobs: [(String, String)] = [
            ("DETECTORS", "patchcore padim golden-template"), ("SEGMENTATION", "derive"), ("SEGMENTS", "3"),
            ("SIZE", "32"), ("SEEDS", "0 1"), ("POOL_FRACTION", "0.4"), ("TEST_FRACTION", "0.5"),
            ("PATCHCORE_ARGS", "--coreset-ratio 0.05"), ("PADIM_ARGS", ""),
            ("BRF_ARGS", "--num-parallel-tree 5 --rounds 2"), ("WEIGHTS", Self.weights), ("RESIZE", "stretch"), ("REPOOL", "")]
        func args(_ changed: [String: String] = [:]) -> [String] {
            ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(cells)", "BIN=\(ToolRunner.binDirectory)",
             "ARTIFACTS=\(artifacts)"] + knobs.map { "\($0.0)=\(changed[$0.0] ?? $0.1)" }
        }
        let run = try ToolRunner.run("make", ["-j2"] + args())
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)

        // The artifacts, relative to artifacts/.
        let c = "cells/", dets = ["patchcore", "padim", "golden-template"], all = dets.joined(separator: "+")
        let seeds = ["0", "1"]
        func chain(_ combo: String) -> Set<String> {
            Set([c + "features/cells/\(combo).h5", c + "scores/cells/segad-\(combo).h5"]
                + seeds.map { c + "models/cells/\(combo)/seed-\($0).h5" })
        }
        func detector(_ d: String) -> Set<String> {
            [c + "detectors/cells/\(d).h5", c + "maps/cells/\(d).h5", c + "scores/cells/det-\(d).h5"]
        }
        let end: Set<String> = ["report", c + "pipeline.h5"]
        let oneSegment = chain("one-segment")
        let segmented = dets.reduce(chain(all)) { $0.union(chain($1)) }
        let models = Set((dets + [all, "one-segment"]).flatMap { combo in seeds.map { c + "models/cells/\(combo)/seed-\($0).h5" } }
            + (dets + [all, "one-segment"]).map { c + "scores/cells/segad-\($0).h5" })
        let afterSize = dets.reduce(segmented.union(oneSegment).union(end)) { $0.union(detector($1)) }
            .union([c + "segmentation/derived.png", c + "segmentation/one-segment.png"])
        let everything = afterSize.union([c + "size.txt", c + "manifest.json", c + "pool.txt"])
        // A new split with the same pool (SEEDS, TEST_FRACTION): no fit, no segmentation, no size.
        let afterSplit = dets.reduce(segmented.union(oneSegment).union(end).union([c + "manifest.json"])) {
            $0.union([c + "maps/cells/\($1).h5", c + "scores/cells/det-\($1).h5"]) }

        let before = try Self.snapshot(artifacts)
        func planned(_ changed: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
            let now = try Self.snapshot(artifacts)
            let result = try ToolRunner.run("make", ["-n"] + args(changed))
            XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
            XCTAssertEqual(try Self.snapshot(artifacts), now, "make -n wrote a file", file: file, line: line)
            return Self.outputs(result.stdout, artifacts: artifacts)
        }
        XCTAssertEqual(try planned(), [], "a finished run has nothing to do")
        XCTAssertEqual(try ToolRunner.run("make", ["-q"] + args()).status, 0)

        // Knob by knob: exactly the dependent artifacts.
        XCTAssertEqual(try planned(["BRF_ARGS": "--num-parallel-tree 6 --rounds 2"]), models.union(end))
        XCTAssertEqual(try planned(["SEGMENTS": "4"]), segmented.union(end).union([c + "segmentation/derived.png"]))
        let labels = tmp + "/labels.png"
        try FileManager.default.copyItem(atPath: artifacts + "/cells/segmentation/derived.png", toPath: labels)
        XCTAssertEqual(try planned(["SEGMENTATION": labels]), segmented.union(end))
        XCTAssertEqual(try planned(["PATCHCORE_ARGS": "--coreset-ratio 0.1"]),
                       detector("patchcore").union(chain("patchcore")).union(chain(all)).union(oneSegment).union(end))
        XCTAssertEqual(try planned(["PADIM_ARGS": "--limit 100"]),
                       detector("padim").union(chain("padim")).union(chain(all)).union(oneSegment).union(end))
        let weightsLink = tmp + "/lite0.pth"
        try FileManager.default.createSymbolicLink(atPath: weightsLink, withDestinationPath: Self.weights)
        XCTAssertEqual(try planned(["WEIGHTS": weightsLink]),
                       ["patchcore", "padim"].reduce(chain(all).union(oneSegment).union(end)) {
                           $0.union(detector($1)).union(chain($1)) })
        XCTAssertEqual(try planned(["SIZE": "32x64"]), afterSize.union([c + "size.txt"]))
        // RESIZE: every fit (its stamp) and both segmentations (params/resize.txt), and all after them.
        XCTAssertEqual(try planned(["RESIZE": "pad"]), afterSize)
        XCTAssertEqual(try planned(["SEEDS": "0 1 2"]),
                       afterSplit.union(Set((dets + [all, "one-segment"]).map { c + "models/cells/\($0)/seed-2.h5" })))
        XCTAssertEqual(try planned(["TEST_FRACTION": "0.4"]), afterSplit)
        // A new pool fraction draws a new pool: everything. REPOOL=1 draws it
        // again (a dry run cannot know it comes out the same: everything).
        XCTAssertEqual(try planned(["POOL_FRACTION": "0.5"]), everything)
        XCTAssertEqual(try planned(["REPOOL": "1"]), everything)
        // A shorter DETECTORS: the new combination, the one-segment row, the report and pipeline.h5.
        XCTAssertEqual(try planned(["DETECTORS": "padim golden-template"]),
                       chain("padim+golden-template").union(oneSegment).union(end))

        // A refused value of the wrong form: one line, no stamp or artifact touched.
        for bad in [["SIZE": "abc"], ["SEGMENTS": "0"], ["DETECTORS": "padim sift"], ["RESIZE": "zoom"], ["REPOOL": "yes"]] {
            let refused = try ToolRunner.run("make", args(bad))
            XCTAssertNotEqual(refused.status, 0, "\(bad)")
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
            XCTAssertEqual(try Self.snapshot(artifacts), before, "\(bad) wrote a file")
        }
        // A value the stage refuses rewrites its stamp; the next correct run
        // remakes the manifest identically and refits nothing.
        let refused = try ToolRunner.run("make", args(["TEST_FRACTION": "2"]))
        XCTAssertNotEqual(refused.status, 0, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("2"), refused.stderr)
        let again = try ToolRunner.run("make", args())
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertEqual(Self.outputs(again.stdout, artifacts: artifacts), [c + "manifest.json"], again.stdout)
        XCTAssertEqual(try planned(), [])
        let settled = try Self.snapshot(artifacts)
        XCTAssertEqual(settled.filter { !$0.key.contains("/params/") }, before.filter { !$0.key.contains("/params/") })

        // A folder that gained a file under `make -n` and lost it again has nothing to do.
        let extra = cells + "/good/extra.png"
        try FileManager.default.copyItem(atPath: cells + "/good/" + (try FileManager.default.contentsOfDirectory(atPath: cells + "/good").sorted()[0]), toPath: extra)
        let grown = try ToolRunner.run("make", ["-n"] + args())
        XCTAssertTrue(Self.outputs(grown.stdout, artifacts: artifacts).contains(c + "manifest.json"), grown.stdout)
        try FileManager.default.removeItem(atPath: extra)
        XCTAssertEqual(try ToolRunner.run("make", ["-q"] + args()).status, 0)
        XCTAssertEqual(try Self.snapshot(artifacts), settled)
    }
}
