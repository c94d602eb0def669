import Foundation
import XCTest
import SegADNative
import _TestSupport

/// Paths never reach a shell as code (docs/reliability.md, 7.1): file names
/// found in user folders never become Make or shell text, user paths holding
/// a character Make or the shell cannot carry are refused with one line
/// naming it, NAME is a plain name, the folder stamp follows links and names
/// what it skips, and `make images` fails when save-pipeline fails. Every
/// case but the last two is a parse-only `make -n`: no stage runs.
final class HostilePathTests: XCTestCase {
    /// A name that runs `touch MARKER` in Make's folder if pasted into a
    /// single-quoted shell word (the probe of docs/reliability.md, 7.1).
    static func hostileName(marker: String) -> String { "0';touch${IFS}\(marker);'.png" }

    /// A fresh marker name; fails the test (and removes the file) if some
    /// command created it in the checkout or in `folder`.
    func assertNoMarker(_ marker: String, in folder: String, file: StaticString = #filePath, line: UInt = #line) {
        for dir in [ToolRunner.repoRoot, folder] {
            let path = dir + "/" + marker
            if FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                XCTFail("a file name ran as a command: \(path) was created", file: file, line: line)
            }
        }
    }

    func makeArgs(_ tmp: String, _ extra: [String]) -> [String] {
        ["-C", ToolRunner.repoRoot, "BIN=\(ToolRunner.binDirectory)", "ARTIFACTS=\(tmp)/artifacts"] + extra
    }

    /// A `make -n images` of `images` with tiny settings (parse only).
    func planImages(_ tmp: String, images: String, _ extra: [String] = []) throws -> ToolRunner.Result {
        try ToolRunner.run("make", ["-n", "images"] + makeArgs(tmp, ["IMAGES=\(images)", "SIZE=16x16", "DETECTORS=golden-template",
                                                                    "SEEDS=0", "SEGMENTS=2"] + extra))
    }

    /// Refused at parse time: non-zero, one line on stderr holding every `expected` text.
    func assertMakeRefusal(_ r: ToolRunner.Result, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, r.stdout, file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        for text in expected { XCTAssertTrue(r.stderr.contains(text), "\(text) not in: \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stdout.contains("extract-maps"), r.stdout, file: file, line: line)
    }

    static func writePNG(_ path: String, height: Int = 16, width: Int = 32) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try PNG.writeGray8(path: path, width: width, height: height, pixels: [UInt8](repeating: 90, count: height * width))
    }

    /// DIR/good with `good` PNGs and DIR/bad with 3.
    static func makeParts(_ dir: String, good: Int = 6) throws {
        for i in 0..<good { try writePNG("\(dir)/good/g\(i).png") }
        for i in 0..<3 { try writePNG("\(dir)/bad/b\(i).png") }
    }

    // MARK: - File names inside folders

    /// vad.mk took the working size from `$(shell … '$(first PNG's name)')`:
    /// this name ran `touch` while Make merely parsed the file.
    func testHostileFileNameInVADTreeRunsNothingOnMakeN() throws {
        let tmp = try temporaryFolder()
        let root = tmp + "/vad"
        for folder in ["train/bad", "test/good", "test/bad", "test/bad_unseen_defects"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let marker = "segad-probe-\(UUID().uuidString.prefix(8))"
        // The hostile PNG sorts first ('0' < 'p'), so it is the one the size comes from: 32 (H) × 64 (W).
        try Self.writePNG(root + "/train/good/" + Self.hostileName(marker: marker), height: 32, width: 64)
        try Self.writePNG(root + "/train/good/plain.png")
        let plan = try ToolRunner.run("make", ["-n", "vad-highshot"] + makeArgs(tmp, ["VAD_ROOT=\(root)", "VAD_SEEDS=0",
                                                                                       "VAD_DETECTORS=golden-template"]))
        assertNoMarker(marker, in: tmp)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("--size 256x512"), plan.stdout)
        // The VAD root itself may not carry a quote.
        let quoted = try ToolRunner.run("make", ["-n", "vad-highshot"] + makeArgs(tmp, ["VAD_ROOT=\(root)'x"]))
        assertMakeRefusal(quoted, ["VAD_ROOT=\(root)'x", "the character '"])
    }

    /// The same name inside an images folder: the folder stamp lists it as data.
    func testHostileFileNameInImagesFolderRunsNothingOnMakeN() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try Self.makeParts(parts)
        let marker = "segad-probe-\(UUID().uuidString.prefix(8))"
        try Self.writePNG(parts + "/good/" + Self.hostileName(marker: marker))
        let plan = try planImages(tmp, images: parts)
        assertNoMarker(marker, in: tmp)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("images-manifest --images '\(parts)' --name 'parts'"), plan.stdout)
    }

    // MARK: - User paths and names

    /// A quote in IMAGES was pasted into `cd '…'` at parse time and into the
    /// recipes; now it is refused before any command runs.
    func testQuoteInIMAGESIsRefusedWithoutRunning() throws {
        let tmp = try temporaryFolder()
        let marker = "segad-probe-\(UUID().uuidString.prefix(8))"
        let hostile = tmp + "/x';touch${IFS}" + marker + ";'"
        try Self.makeParts(hostile)
        let r = try planImages(tmp, images: hostile)
        assertNoMarker(marker, in: tmp)
        assertMakeRefusal(r, ["make images: IMAGES=\(hostile)", "the character "])
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/artifacts"), "nothing written")
        // A quote alone (no other special character) is named as such.
        let quote = tmp + "/o'neil"
        try Self.makeParts(quote)
        assertMakeRefusal(try planImages(tmp, images: quote), ["IMAGES=\(quote)", "the character ' cannot be carried"])
    }

    /// Each character Make cannot carry, in IMAGES, NAME and ARTIFACTS: one
    /// line naming the character and the variable. `$` is read from the raw
    /// value (IMAGES='…/cost$5' used to process …/cost silently).
    func testCharactersMakeCannotCarryAreRefusedNamingTheCharacter() throws {
        let tmp = try temporaryFolder()
        let cases: [(String, String)] = [("cost$5", "the character $"), ("a:b", "the character :"), ("a%b", "the character %"),
                                         ("a#b", "the character #"), ("a b", "a space"), ("a;b", "the character ;"),
                                         ("a*b", "the character *"), ("a(b)", "the character ("), ("a=b", "the character ="),
                                         ("a&b", "the character &"), ("a\tb", "a tab")]
        for (name, said) in cases {
            let dir = tmp + "/" + name
            try Self.makeParts(dir)
            assertMakeRefusal(try planImages(tmp, images: dir), ["make images: IMAGES=", said])
            assertMakeRefusal(try planImages(tmp, images: tmp + "/ok", ["NAME=\(name)"]), ["NAME=", said])
        }
        let artifacts = try ToolRunner.run("make", ["-n", "images", "-C", ToolRunner.repoRoot, "BIN=\(ToolRunner.binDirectory)",
                                                    "ARTIFACTS=\(tmp)/out:put", "IMAGES=\(tmp)/ok"])
        assertMakeRefusal(artifacts, ["ARTIFACTS=\(tmp)/out:put", "the character :"])
        // The same check guards the other pipelines' roots.
        let visa = try ToolRunner.run("make", ["-n", "visa"] + makeArgs(tmp, ["VISA_MAPS=\(tmp)/maps#1"]))
        assertMakeRefusal(visa, ["make visa: VISA_MAPS=\(tmp)/maps#1", "the character #"])
    }

    /// NAME names the artifacts folder: `..` wrote into the checkout root (and
    /// .DELETE_ON_ERROR then deleted a fitted state there).
    func testNAMEIsAPlainName() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try Self.makeParts(parts)
        for bad in ["..", ".", ".hidden", "-rf", "a/b", "a\u{2603}b"] {
            let r = try planImages(tmp, images: parts, ["NAME=\(bad)"])
            assertMakeRefusal(r, ["make images: NAME='\(bad)'", "a name may hold letters"])
        }
        // IMAGES=DIR/.. names DIR's parent (here the temporary folder), never '..'.
        let up = try planImages(tmp, images: parts + "/..", ["NAME="])
        let parent = (tmp as NSString).lastPathComponent
        XCTAssertEqual(up.status, 0, up.stderr)
        let upWithName = try ToolRunner.run("make", ["-n", "images"] + makeArgs(tmp, ["IMAGES=\(parts)/good/..", "SEEDS=0"]))
        XCTAssertEqual(upWithName.status, 0, upWithName.stderr)
        XCTAssertTrue(upWithName.stdout.contains("--name 'parts' ") && upWithName.stdout.contains("-o '\(tmp)/artifacts/parts/.new-manifest.json'"),
                      upWithName.stdout)
        XCTAssertTrue(up.stdout.contains("--name '\(parent)'"), up.stdout)
        // A default name that is not plain: refused with the hint to set NAME.
        let odd = tmp + "/teile-\u{E4}"
        try Self.makeParts(odd)
        assertMakeRefusal(try planImages(tmp, images: odd), ["NAME='teile-\u{E4}' holds '\u{E4}'", "set NAME="])
        XCTAssertEqual(try planImages(tmp, images: odd, ["NAME=teile"]).status, 0)
        // The default NAME of `make pipeline` (the manifest's file name) is checked the same way.
        let pipeline = try ToolRunner.run("make", ["-n", "pipeline"] + makeArgs(tmp, ["MANIFEST=\(tmp)/-x.json", "DETECTORS=a",
                                                                                     "SEGMENTATION=per-item", "SEGMENTS=2"]))
        assertMakeRefusal(pipeline, ["make pipeline: NAME='-x' starts with '-'", "set NAME="])
    }

    func testSeedsAreWholeNumbers() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        try Self.makeParts(parts)
        for (seeds, bad) in [("-1", "-1"), ("0 x", "x"), ("1.5", "1.5"), ("07", "07")] {
            assertMakeRefusal(try planImages(tmp, images: parts, ["SEEDS=\(seeds)"]),
                                 ["make images: SEEDS='\(seeds)': '\(bad)' is not a seed"])
        }
        let vad = try ToolRunner.run("make", ["-n", "vad-highshot"] + makeArgs(tmp, ["VAD_ROOT=\(tmp)/vad", "VAD_SEEDS=0 -1"]))
        assertMakeRefusal(vad, ["make vad-highshot: VAD_SEEDS='0 -1': '-1' is not a seed"])
    }

    // MARK: - The folder stamp

    /// Symlinked images and folders count by their targets; broken links,
    /// FIFOs and unknown top-level entries are named once on stderr.
    func testFolderStampFollowsLinksAndNamesWhatItSkips() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts", outside = tmp + "/outside"
        try Self.makeParts(parts)
        try Self.writePNG(outside + "/linked.png")
        try Self.writePNG(outside + "/folder/inner.png")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: parts + "/good/linked.png", withDestinationPath: outside + "/linked.png")
        try fm.createSymbolicLink(atPath: parts + "/good/folder", withDestinationPath: outside + "/folder")
        // A dry run writes no stamp: the value is read from the stamp's recipe in the plan.
        func plannedStamp(file: StaticString = #filePath, line: UInt = #line) throws -> (String, String) {
            let r = try planImages(tmp, images: parts)
            XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
            let recipe = r.stdout.split(separator: "\n").first { $0.contains("/params/images-listing.txt.tmp") }
            let value = recipe?.components(separatedBy: "printf '%s\\n' '").dropFirst().first?.components(separatedBy: "'").first
            XCTAssertNotNil(value, r.stdout, file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/artifacts"), "make -n wrote a file", file: file, line: line)
            return (value ?? "", r.stderr)
        }
        let (s0, quiet) = try plannedStamp()
        XCTAssertFalse(quiet.contains("not read"), quiet)
        XCTAssertEqual(try plannedStamp().0, s0, "an unchanged folder keeps its stamp")
        // The linked image's target edited (another size): the stamp changes.
        try Self.writePNG(outside + "/linked.png", height: 20)
        let s1 = try plannedStamp().0
        XCTAssertNotEqual(s1, s0)
        // An image added inside the linked folder: the stamp changes.
        try Self.writePNG(outside + "/folder/added.png")
        let s2 = try plannedStamp().0
        XCTAssertNotEqual(s2, s1)
        // The link retargeted: its path is the same, its new target's size and time count.
        try Self.writePNG(outside + "/other.png", height: 24)
        try fm.removeItem(atPath: parts + "/good/linked.png")
        try fm.createSymbolicLink(atPath: parts + "/good/linked.png", withDestinationPath: outside + "/other.png")
        let s3 = try plannedStamp().0
        XCTAssertNotEqual(s3, s2)

        // Entries left out are named once, on one line: a broken link, a FIFO,
        // an unknown top-level folder, a link back into the folder.
        try fm.createSymbolicLink(atPath: parts + "/bad/broken.png", withDestinationPath: tmp + "/nowhere.png")
        XCTAssertEqual(mkfifo(parts + "/good/pipe.png", 0o600), 0)
        try fm.createDirectory(atPath: parts + "/extra", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: parts + "/good/self", withDestinationPath: ".")
        let (s4, said) = try plannedStamp()
        XCTAssertEqual(s4, s3, "skipped entries do not change the stamp")
        let notes = said.split(separator: "\n").filter { $0.contains("not read") }
        XCTAssertEqual(notes.count, 1, said)
        for text in ["make images: \(parts): not read (4 entries)", "bad/broken.png (a broken link)", "good/pipe.png (a FIFO)",
                     "extra (not in good/, bad/ or uncertain/)", "good/self (a link back into the folder)"] {
            XCTAssertTrue(notes.first?.contains(text) == true, "\(text) not in: \(said)")
        }
    }

    /// images-manifest reads what the stamp covers: a linked folder's images
    /// (by the link's path), not a link leading back into the walk.
    func testImagesManifestReadsLinkedFolders() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts", outside = tmp + "/outside"
        try Self.makeParts(parts)
        try Self.writePNG(outside + "/inner.png")
        try Self.writePNG(outside + "/deeper/more.png")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: parts + "/good/folder", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: outside + "/back", withDestinationPath: parts + "/good")   // a loop through the link
        try fm.createSymbolicLink(atPath: parts + "/good/up", withDestinationPath: "..")             // a loop to the root
        try fm.createSymbolicLink(atPath: parts + "/good/broken.png", withDestinationPath: tmp + "/nowhere.png")
        let out = tmp + "/m.json"
        let r = try ToolRunner.run("build-dataset", ["images-manifest", "--images", parts, "--seeds", "0", "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        let ids = (json["items"] as! [[String: Any]]).map { $0["id"] as! String }
        XCTAssertEqual(ids.filter { $0.hasPrefix("good_") },
                       ["good_folder_deeper_more", "good_folder_inner"] + (0..<6).map { "good_g\($0)" })
        XCTAssertEqual(ids.filter { $0.hasPrefix("bad_") }, ["bad_b0", "bad_b1", "bad_b2"])
    }

    // MARK: - make images never leaves a pipeline.h5 of another run

    /// A BIN folder whose `evaluate save-pipeline` fails (the others are the real tools).
    func failingSavePipelineBin(_ tmp: String) throws -> String {
        let bin = tmp + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["extract-maps", "segment-stats", "train-brf"] {
            try FileManager.default.createSymbolicLink(atPath: bin + "/" + tool, withDestinationPath: ToolRunner.binDirectory + "/" + tool)
        }
        let script = """
            #!/bin/bash
            if [ "$1" = save-pipeline ]; then echo "evaluate: error: injected save-pipeline failure" >&2; exit 1; fi
            exec '\(ToolRunner.binDirectory)/evaluate' "$@"

            """
        try script.write(toFile: bin + "/evaluate", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/evaluate")
        return bin
    }

    /// save-pipeline failing inside `make images` left exit 0 (the recipe's
    /// `;` chain) and the earlier pipeline.h5 in place; a per-image run left a
    /// static run's pipeline.h5.
    func testSavePipelineFailureFailsMakeImagesAndNoStalePipelineStays() throws {
        let tmp = try temporaryFolder()
        let parts = tmp + "/parts"
        // save-pipeline's 5-fold operating point needs 5 good and 5 bad SegAD-training rows.
        try ImagesTests.makeFolder(parts, good: 20, bad: 10, uncertain: 0)
        func args(bin: String = ToolRunner.binDirectory, brf: String = "--num-parallel-tree 4 --rounds 2", _ extra: [String] = []) -> [String] {
            ["-C", ToolRunner.repoRoot, "images", "IMAGES=\(parts)", "BIN=\(bin)", "ARTIFACTS=\(tmp)/artifacts", "SIZE=16x16",
             "DETECTORS=golden-template", "SEEDS=0", "SEGMENTS=2", "BRF_ARGS=\(brf)"] + extra
        }
        let pipeline = tmp + "/artifacts/parts/pipeline.h5"
        let first = try ToolRunner.run("make", args())
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: pipeline))

        // Another configuration whose save-pipeline fails: make fails, and the earlier pipeline is gone.
        let failed = try ToolRunner.run("make", args(bin: try failingSavePipelineBin(tmp), brf: "--num-parallel-tree 5 --rounds 2"))
        XCTAssertNotEqual(failed.status, 0, failed.stdout + failed.stderr)
        XCTAssertTrue(failed.stderr.contains("injected save-pipeline failure"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("removed the earlier \(pipeline)"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pipeline))
        XCTAssertFalse(failed.stdout.contains("holds SegAD("), failed.stdout)

        // A per-image run after a static one: the static run's pipeline.h5 goes first, said once.
        try Data("a pipeline of another run".utf8).write(to: URL(fileURLWithPath: pipeline))
        let perImage = try ToolRunner.run("make", args(["SEGMENTATION=per-image"]))
        XCTAssertEqual(perImage.status, 0, perImage.stdout + perImage.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pipeline))
        XCTAssertEqual(perImage.stderr.components(separatedBy: "saves no pipeline: removed \(pipeline)").count, 2, perImage.stderr)
        let again = try ToolRunner.run("make", ["-n"] + args(["SEGMENTATION=per-image"]))
        XCTAssertFalse(again.stdout.contains("rm -f"), again.stdout)
    }
}
