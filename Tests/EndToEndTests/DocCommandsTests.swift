import Foundation
import XCTest
import SegADNative
import _TestSupport

/// Every command of README.md and docs/*.md, run as written (docs/doc-tests.md).
///
/// The blocks run in document order (README.md, then docs/*.md by name),
/// each as one `bash -euo pipefail` script, in a sandbox laid out like a
/// checkout: Makefile, pipelines/, scripts/, Sources/ linked from the
/// repository; `.build/release` and `.build/debug` pointing at the built
/// binaries (ToolRunner.binDirectory); `.cache/weights` the real
/// EfficientNet-Lite0 weights; and small stand-ins for the data a newcomer
/// would bring or download:
///
/// - `.cache/elpv/`: a fake ELPV folder (62 mono, 38 poly cells of 40×40);
/// - `my.json`, `labels.png`, `new-parts/`: "your own parts" — 48 gray
///   32×32 images with imported `efficient_ad` and `rd4ad` maps, seeds 0 1 2,
///   a 5-segment label map, and 6 new 40×48 images;
/// - `$VAD_TREE`: VADTests' tree plus a 7-label `vad-labels.png`;
/// - `$VISA_TREE`: scripts/visa/make_synthetic_tree.py for pcb1 (6 segments);
/// - `$IMAGES_TREE`: the same 48 parts as a folder of good/ and bad/ PNGs.
///
/// `make` is a wrapper that appends small sizes to every call
/// (`smallSettings`), so the documented goals run on the stand-ins in
/// seconds, and `PREFIX=<sandbox>/.doc-test/prefix`, so a documented
/// `make install` fills a bin/ folder on the blocks' PATH instead of /usr/local. A block fails the test when it exits non-zero, or when an
/// `-o`/`--output` path or a path its `expect` marker promises is missing.
final class DocCommandsTests: XCTestCase {
    /// Make variables appended to every `make` a block runs: the stand-ins' sizes.
    static let smallSettings = [
        "VAD_SIZE=32", "VAD_SEEDS=0 1", "VAD_DETECTORS=golden-template", "VAD_CLASSIFIER=0",
        "DEMO_SIZE=32", "DEMO_SEEDS=0 1", "DEMO_DETECTORS=golden-template patchcore",
        "PATCHCORE_ARGS=--coreset-ratio 0.05",
        "SCORE_SIZE=32", "SCORE_INPUT_ARGS=--detector-train 8 --good 12 --bad 8 --new 6", "SCORE_FOLDS=3",
        "VISA_CLASSES=pcb1", "SIZE=32x32",
        "BRF_ARGS=--num-parallel-tree 20", "SCORE_BRF_ARGS=--num-parallel-tree 20",
    ]

    // MARK: the rules

    func testFenceAndMarkerRules() throws {
        let doc = """
            Text.

            <!-- doc-test: stand-in /data/VAD => $VAD_TREE; expect out/a.txt out/*.png -->
            ```sh
            make x VAD_ROOT=/data/VAD -o out/b.h5
            ```

            ```console
            $ tool a \\
                --flag
            output line
            $ tool b
            ```

            - item

              ```text
              not run
              ```
            """
        let blocks = try DocBlock.parse(doc, file: "t.md")
        XCTAssertEqual(blocks.map(\.language), ["sh", "console", "text"])
        XCTAssertEqual(blocks.map(\.runnable), [true, true, false])
        XCTAssertEqual(blocks[0].script, "make x VAD_ROOT=$VAD_TREE -o out/b.h5")
        XCTAssertEqual(blocks[0].expect, ["out/a.txt", "out/*.png"])
        XCTAssertEqual(blocks[0].outputs, ["out/b.h5"])
        XCTAssertEqual(blocks[0].line, 4)
        XCTAssertEqual(blocks[1].script, "tool a \\\n    --flag\ntool b")
        XCTAssertEqual(blocks[2].body, "not run")

        func fails(_ text: String, _ message: String) {
            XCTAssertThrowsError(try DocBlock.parse(text, file: "t.md")) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
        fails("```\nmake demo\n```\n", "without a language")
        fails("<!-- doc-test: skip -->\n```sh\nmake demo\n```\n", "'skip' needs a reason")
        fails("<!-- doc-test: run later -->\n```sh\nmake demo\n```\n", "unknown doc-test directive")
        fails("<!-- doc-test: stand-in /x => /y -->\n```sh\nmake demo\n```\n", "does not occur")
        fails("<!-- doc-test: skip why -->\n```text\nlayout\n```\n", "not run")
        fails("```sh\nmake demo\n", "never closed")
    }

    /// The project's own Markdown follows the rules (no untagged fence).
    func testProjectDocsParse() throws {
        var runnable = 0
        for doc in try DocBlock.documents(root: ToolRunner.repoRoot) {
            let text = try String(contentsOfFile: ToolRunner.repoRoot + "/" + doc, encoding: .utf8)
            runnable += try DocBlock.parse(text, file: doc).filter(\.runnable).count
        }
        XCTAssertGreaterThan(runnable, 5)
    }

    // MARK: running them

    func testEveryDocumentedCommandRuns() throws {
        let weights = ToolRunner.repoRoot + "/.cache/weights"
        guard FileManager.default.fileExists(atPath: weights + "/efficientnet-lite0.pth") else {
            throw XCTSkip("needs the EfficientNet-Lite0 weights in .cache/weights (scripts/fetch-data.sh)")
        }
        // SEGAD_DOC_TEST_DIR=DIR keeps the sandbox in DIR (emptied first) to look at afterwards.
        let tmp: String
        if let keep = ProcessInfo.processInfo.environment["SEGAD_DOC_TEST_DIR"] {
            tmp = keep
            try? FileManager.default.removeItem(atPath: tmp)
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        } else {
            tmp = try temporaryFolder()
        }
        let sandbox = tmp + "/checkout"
        try makeSandbox(sandbox, weights: weights)
        let vadTree = tmp + "/vad", visaTree = tmp + "/visa"
        try makeVADTree(vadTree)
        let visa = try ToolRunner.run("python3", [ToolRunner.repoRoot + "/scripts/visa/make_synthetic_tree.py",
                                                  "--root", visaTree, "--classes", "pcb1"])
        XCTAssertEqual(visa.status, 0, visa.stderr)

        var blocks: [DocBlock] = []
        for doc in try DocBlock.documents(root: ToolRunner.repoRoot) {
            let text = try String(contentsOfFile: ToolRunner.repoRoot + "/" + doc, encoding: .utf8)
            blocks += try DocBlock.parse(text, file: doc).filter(\.runnable)
        }
        let fm = FileManager.default
        // `make install` goes to the sandbox's prefix (PREFIX in the wrapper), whose bin/ is on PATH
        // as /usr/local/bin would be; it is empty until a block installs.
        let path = sandbox + "/.doc-test/bin:" + sandbox + "/.doc-test/prefix/bin:"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var timings: [String] = []
        for (n, block) in blocks.enumerated() {
            if let reason = block.skip {
                timings.append("\(block.location): skipped (\(reason))")
                continue
            }
            let script = sandbox + "/.doc-test/block-\(n).sh"
            try ("set -euo pipefail\n" + block.script + "\n").write(toFile: script, atomically: true, encoding: .utf8)
            let t0 = Date()
            let r = try ToolRunner.run("bash", [script], cwd: sandbox,
                                       environment: ["PATH": path, "VAD_TREE": vadTree, "VISA_TREE": visaTree,
                                                     "IMAGES_TREE": sandbox + "/.doc-test/images"])
            let seconds = Date().timeIntervalSince(t0)
            timings.append(String(format: "%@: %.1f s", block.location, seconds))
            guard r.status == 0 else {
                XCTFail("\(block.location): the documented command failed (exit \(r.status)):\n\(block.script)\n"
                        + "--- stdout (end)\n\(r.stdout.suffix(1500))\n--- stderr (end)\n\(r.stderr.suffix(2500))")
                continue
            }
            for output in block.outputs where !fm.fileExists(atPath: output.hasPrefix("/") ? output : sandbox + "/" + output) {
                XCTFail("\(block.location): documented output \(output) is missing after\n\(block.script)")
            }
            for pattern in block.expect {
                let found = try ToolRunner.run("bash", ["-c", "shopt -s nullglob; f=(\(pattern)); [ ${#f[@]} -gt 0 ]"], cwd: sandbox)
                XCTAssertEqual(found.status, 0, "\(block.location): \(pattern), promised by the docs, is missing after\n\(block.script)")
            }
        }
        print("doc blocks run:\n  " + timings.joined(separator: "\n  "))
    }

    // MARK: the sandbox and its stand-ins

    func makeSandbox(_ s: String, weights: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: s + "/.build", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: s + "/.cache", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: s + "/.doc-test/bin", withIntermediateDirectories: true)
        for name in ["Makefile", "Package.swift", "pipelines", "scripts", "Sources", "Tests", "docs", "README.md"] {
            try fm.createSymbolicLink(atPath: s + "/" + name, withDestinationPath: ToolRunner.repoRoot + "/" + name)
        }
        // The binaries where the README says they are; set-up counts as done.
        for config in ["release", "debug"] {
            try fm.createSymbolicLink(atPath: s + "/.build/" + config, withDestinationPath: ToolRunner.binDirectory)
        }
        _ = fm.createFile(atPath: s + "/.build/setup.stamp", contents: Data())
        try fm.createSymbolicLink(atPath: s + "/.cache/weights", withDestinationPath: weights)
        try makeFakeELPV(s + "/.cache/elpv")
        try makeOwnParts(s)

        // make: the real one, with the stand-ins' small sizes appended.
        let make = try ToolRunner.run("bash", ["-c", "command -v make"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        func quoted(_ a: String) -> String { "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let wrapper = "#!/usr/bin/env bash\nexec \(quoted(make)) \"$@\" "
            + ([quoted("BIN=\(s)/.build/release"), quoted("PREFIX=\(s)/.doc-test/prefix")] + Self.smallSettings.map(quoted))
                .joined(separator: " ") + "\n"
        try wrapper.write(toFile: s + "/.doc-test/bin/make", atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: s + "/.doc-test/bin/make")
    }

    /// A fake ELPV folder: labels.csv in ELPV's layout and 40×40 synthetic cells
    /// (DemoTests.syntheticCell); bad cells carry a dark crack, uncertain ones a faint one.
    func makeFakeELPV(_ root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        var labels = ""
        var n = 0
        for (type, good, bad, uncertain) in [("mono", 40, 16, 6), ("poly", 24, 10, 4)] {
            for (p, count) in [("0.0", good), ("1.0", bad), ("0.3333333333333333", uncertain)] {
                for _ in 0..<count {
                    n += 1
                    var cell = DemoTests.syntheticCell(size: 40, busbars: [12, 26], seed: n)
                    if p != "0.0" {
                        let row = 5 + (n * 7) % 28, depth: Float = p == "1.0" ? 90 : 40
                        for x in (5 + n % 9)..<(25 + n % 9) { cell[row * 40 + x] -= depth; cell[(row + 1) * 40 + x] -= depth }
                    }
                    let name = String(format: "images/cell%04d.png", n)
                    try PNG.writeGray8(path: root + "/" + name, width: 40, height: 40,
                                       pixels: cell.map { UInt8(max(0, min(255, $0))) })
                    labels += "\(name)  \(p)  \(type)\n"
                }
            }
        }
        try labels.write(toFile: root + "/labels.csv", atomically: true, encoding: .utf8)
    }

    /// "Your own parts": my.json (48 gray 32×32 images, each with imported
    /// `efficient_ad` and `rd4ad` maps as gray PNGs; seeds 0 1 2 with
    /// detector-train, segad-train and test), labels.png (5 segments) and
    /// new-parts/ (6 images of 40×48).
    func makeOwnParts(_ s: String) throws {
        let fm = FileManager.default
        for d in ["parts", "maps/efficient_ad", "maps/rd4ad", "new-parts", ".doc-test/images/good", ".doc-test/images/bad"] {
            try fm.createDirectory(atPath: s + "/" + d, withIntermediateDirectories: true)
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        func part(height: Int, width: Int, bad: Bool) -> (image: [UInt8], map: [Double]) {
            var px = [Double](repeating: 0, count: height * width), map = px
            for y in 0..<height { for x in 0..<width { px[y * width + x] = ((y / 6) % 2 == 0 ? 80 : 170) + 30 * (next() - 0.5) } }
            if bad {
                let cy = 3 + Int(next() * Double(height - 6)), cx = 3 + Int(next() * Double(width - 6))
                for y in (cy - 2)...(cy + 2) { for x in (cx - 2)...(cx + 2) { px[y * width + x] += 60; map[y * width + x] = 0.5 } }
            }
            for i in map.indices { map[i] = min(1, map[i] + 0.2 * next()) }
            return (px.map { UInt8(max(0, min(255, $0))) }, map)
        }
        var items: [[String: Any]] = []
        var good: [String] = [], bad: [String] = []
        for i in 0..<48 {
            let isBad = i % 8 >= 5   // 30 good, 18 bad
            let id = String(format: "part%02d", i)
            let (image, map) = part(height: 32, width: 32, bad: isBad)
            try PNG.writeGray8(path: "\(s)/parts/\(id).png", width: 32, height: 32, pixels: image)
            try PNG.writeGray8(path: "\(s)/.doc-test/images/\(isBad ? "bad" : "good")/\(id).png", width: 32, height: 32, pixels: image)
            try PNG.writeGray8(path: "\(s)/maps/efficient_ad/\(id).png", width: 32, height: 32,
                               pixels: map.map { UInt8(($0 * 255).rounded()) })
            try PNG.writeGray8(path: "\(s)/maps/rd4ad/\(id).png", width: 32, height: 32,
                               pixels: map.map { UInt8((min(1, $0 * 0.8 + 0.1 * next()) * 255).rounded()) })
            items.append(["id": id, "label": isBad ? "bad" : "good", "image": "parts/\(id).png",
                          "maps": ["efficient_ad": "maps/efficient_ad/\(id).png", "rd4ad": "maps/rd4ad/\(id).png"]])
            if isBad { bad.append(id) } else { good.append(id) }
        }
        var seeds: [String: Any] = [:]
        let pool = Array(good.prefix(10)), rest = Array(good.dropFirst(10))
        for seed in 0..<3 {
            let g = (0..<rest.count).map { rest[($0 + 5 * seed) % rest.count] }
            let b = (0..<bad.count).map { bad[($0 + 6 * seed) % bad.count] }
            seeds["\(seed)"] = ["detector-train": pool, "segad-train": Array(g.prefix(10)) + Array(b.prefix(8)),
                                "test": Array(g.dropFirst(10)) + Array(b.dropFirst(8))]
        }
        let manifest: [String: Any] = ["format": "segad-manifest", "version": 1, "name": "my", "class": "my",
                                       "items": items, "seeds": seeds]
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: s + "/my.json"))
        var labels = [UInt8](repeating: 0, count: 32 * 32)
        for y in 0..<32 { for x in 0..<32 { labels[y * 32 + x] = x < 3 || x >= 29 ? 0 : UInt8(1 + (y / 8)) } }
        try PNG.writeGray8(path: s + "/labels.png", width: 32, height: 32, pixels: labels)
        for i in 0..<6 {
            let (image, _) = part(height: 40, width: 48, bad: i % 2 == 1)
            try PNG.writeGray8(path: String(format: "%@/new-parts/new%02d.png", s, i), width: 48, height: 40, pixels: image)
        }
    }

    /// VADTests' tree, plus a 7-label map `vad-labels.png` (the paper's L for VAD).
    func makeVADTree(_ root: String) throws {
        try VADTests.makeTree(root)
        var labels = [UInt8](repeating: 0, count: 32 * 32)
        for y in 0..<32 { for x in 0..<32 { labels[y * 32 + x] = x < 4 ? 0 : UInt8(1 + min(y / 5, 5)) } }
        try PNG.writeGray8(path: root + "/vad-labels.png", width: 32, height: 32, pixels: labels)
    }
}
