import Foundation
import XCTest
import _TestSupport

/// Code, tests, scripts and docs cite sections of the repository's own docs
/// (docs/design.md, docs/reliability.md, …), never a file or an issue a
/// maintainer with only this repository cannot read, and every section they
/// cite exists.
final class DocReferencesTests: XCTestCase {
    /// The repository's text files, relative path → contents (build outputs,
    /// fetched data and binary fixtures left out).
    static func textFiles() throws -> [(path: String, text: String)] {
        let root = ToolRunner.repoRoot
        let extensions: Set<String> = ["swift", "md", "py", "sh", "mk", "c", "h", "txt"]
        var files: [(String, String)] = []
        for top in ["Sources", "Tests", "docs", "pipelines", "scripts", "Benchmarks"] {
            guard let walker = FileManager.default.enumerator(atPath: root + "/" + top) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = top + "/" + relative
                guard extensions.contains((path as NSString).pathExtension),
                      let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { continue }
                files.append((path, text))
            }
        }
        for name in ["README.md", "BENCHMARKS.md", "Makefile", "Package.swift"] {
            files.append((name, try String(contentsOfFile: root + "/" + name, encoding: .utf8)))
        }
        return files
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    /// The name of a design brief kept outside the repository, and issue
    /// numbers, once stood in 40 comments; each now names the section of
    /// docs/ that explains it.
    func testNothingCitesAFileOrIssueOutsideTheRepository() throws {
        let outside = "DESIGN" + ".md"
        let issue = "[Ii]ssue" + "[ -][0-9]+"
        for (path, text) in try Self.textFiles() {
            XCTAssertFalse(text.contains(outside), "\(path) cites \(outside); cite docs/design.md")
            for m in Self.matches(issue, in: text) {
                XCTFail("\(path) cites '\(m[0])'; cite the section of docs/ that explains it")
            }
        }
    }

    /// Every `docs/NAME.md` named exists; every section of docs/design.md
    /// named (`docs/design.md, "Features"`, `design.md#metrics`) is a heading
    /// there, every invariant number an item of its "Invariants" list; every
    /// `docs/reliability.md, section N` a numbered heading there.
    func testEveryCitedDocAndSectionExists() throws {
        let root = ToolRunner.repoRoot
        let design = try String(contentsOfFile: root + "/docs/design.md", encoding: .utf8)
        let reliability = try String(contentsOfFile: root + "/docs/reliability.md", encoding: .utf8)
        let headings = Set(Self.matches("(?m)^## (.+)$", in: design).map { $0[1] })
        let anchors = Set(headings.map { heading in
            String(heading.lowercased().compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : nil })
        })
        let invariantsPart = design.components(separatedBy: "## Invariants").last ?? ""
        let invariants = Set(Self.matches("(?m)^([0-9]+)\\. ", in: invariantsPart).map { Int($0[1])! })
        XCTAssertEqual(invariants, Set(1...invariants.count), "docs/design.md: invariants numbered 1…n")
        XCTAssertTrue(invariants.count >= 4)
        let sections = Set(Self.matches("(?m)^## ([0-9]+)\\.", in: reliability).map { Int($0[1])! })
        var cited = 0
        for (path, text) in try Self.textFiles() {
            for m in Self.matches("docs/([a-z-]+)\\.md", in: text) {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/docs/\(m[1]).md"), "\(path) cites \(m[0])")
            }
            for m in Self.matches("design\\.md,? \\(?\"([^\"]+)\"", in: text) {
                cited += 1
                XCTAssertTrue(headings.contains(m[1]), "\(path) cites section \"\(m[1])\" of docs/design.md: no such heading")
            }
            for m in Self.matches("design\\.md#([a-z0-9-]+)", in: text) {
                cited += 1
                XCTAssertTrue(anchors.contains(m[1]), "\(path) cites design.md#\(m[1]): no such heading")
            }
            for m in Self.matches("\"Invariants\", ([0-9]+)|#invariants\\), invariant ([0-9]+)", in: text) {
                let n = Int(m[1].isEmpty ? m[2] : m[1])!
                XCTAssertTrue(invariants.contains(n), "\(path) cites invariant \(n) of docs/design.md: no such item")
            }
            for m in Self.matches("reliability\\.md,? section ([0-9]+)", in: text) {
                cited += 1
                XCTAssertTrue(sections.contains(Int(m[1])!), "\(path) cites section \(m[1]) of docs/reliability.md: no such section")
            }
        }
        XCTAssertGreaterThan(cited, 30, "the citations this test reads are gone or spelled otherwise")
    }
}
