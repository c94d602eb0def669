import Foundation

/// The fenced code blocks of the project's Markdown (README.md, docs/*.md)
/// and the doc-test rules they follow (docs/doc-tests.md):
///
/// - Every fence names its language. `sh`, `bash` and `shell` blocks are
///   scripts: every line is run. `console` blocks are transcripts: lines
///   starting with `$ ` are run, the others are output. Everything else
///   (`text` for layouts and printed output, `json`, …) is not run.
/// - An HTML comment `<!-- doc-test: … -->` on the line(s) just before the
///   fence (blank lines allowed in between) adjusts a runnable block;
///   directives are separated by `;`:
///   - `skip REASON` — not run; the reason is required;
///   - `stand-in OLD => NEW` — the literal text OLD (data the test cannot
///     have: a VAD or VisA download) is replaced by NEW before running;
///     NEW may name the sandbox's variables (`$VAD_TREE`, `$VISA_TREE`);
///   - `expect PATH …` — files or folders (globs allowed) the surrounding
///     text promises; each must exist after the block.
///   Besides, every `-o PATH` / `--output PATH` of a command must exist after it.
struct DocBlock: Equatable {
    var file: String
    /// 1-based line of the opening fence.
    var line: Int
    var language: String
    var body: String
    var skip: String?
    var standIns: [(old: String, new: String)] = []
    var expect: [String] = []

    static func == (a: DocBlock, b: DocBlock) -> Bool {
        a.file == b.file && a.line == b.line && a.language == b.language && a.body == b.body && a.skip == b.skip
            && a.standIns.map(\.old) == b.standIns.map(\.old) && a.standIns.map(\.new) == b.standIns.map(\.new)
            && a.expect == b.expect
    }

    static let scriptLanguages: Set<String> = ["sh", "bash", "shell"]
    static let transcriptLanguages: Set<String> = ["console"]

    var runnable: Bool { Self.scriptLanguages.contains(language) || Self.transcriptLanguages.contains(language) }

    var location: String { "\(file):\(line)" }

    /// The script to run: the body with its stand-ins applied (a transcript's
    /// `$ ` lines only, with their `\` continuations).
    var script: String {
        var text = body
        if Self.transcriptLanguages.contains(language) {
            var lines: [String] = []
            var continuing = false
            for raw in body.split(separator: "\n", omittingEmptySubsequences: false) {
                let l = String(raw)
                if continuing {
                    lines.append(l)
                } else if l.hasPrefix("$ ") {
                    lines.append(String(l.dropFirst(2)))
                } else {
                    continue
                }
                continuing = l.hasSuffix("\\")
            }
            text = lines.joined(separator: "\n")
        }
        for s in standIns { text = text.replacingOccurrences(of: s.old, with: s.new) }
        return text
    }

    /// The paths after `-o` / `--output` in the script (shell words, quotes
    /// stripped; none that holds a `[`, `$` or `…`).
    var outputs: [String] {
        let words = script.replacingOccurrences(of: "\\\n", with: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        var out: [String] = []
        for (i, w) in words.enumerated() where (w == "-o" || w == "--output") && i + 1 < words.count {
            let p = words[i + 1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if !p.contains("[") && !p.contains("…") && !p.contains("$") { out.append(p) }
        }
        for w in words where w.hasPrefix("--output=") { out.append(String(w.dropFirst("--output=".count))) }
        return out
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// The fenced blocks of one Markdown text. Throws on a fence without a
    /// language, an unknown doc-test directive, a `skip` without a reason,
    /// a marker before a block that is not run, or an unclosed fence.
    static func parse(_ text: String, file: String) throws -> [DocBlock] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [DocBlock] = []
        var i = 0
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else { i += 1; continue }
            let indent = lines[i].prefix { $0 == " " }.count
            let language = String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            let open = i
            if language.isEmpty {
                throw ParseError(description: "\(file):\(open + 1): a code fence without a language (use sh for commands, text for layouts and output)")
            }
            var body: [String] = []
            i += 1
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" {
                let l = lines[i]
                body.append(l.prefix(indent).allSatisfy { $0 == " " } ? String(l.dropFirst(min(indent, l.count))) : l)
                i += 1
            }
            if i == lines.count { throw ParseError(description: "\(file):\(open + 1): code fence never closed") }
            i += 1
            var block = DocBlock(file: file, line: open + 1, language: language, body: body.joined(separator: "\n"))
            // Markers: the HTML comments just above the fence.
            var j = open - 1
            while j >= 0, lines[j].trimmingCharacters(in: .whitespaces).isEmpty { j -= 1 }
            while j >= 0 {
                let l = lines[j].trimmingCharacters(in: .whitespaces)
                guard l.hasPrefix("<!-- doc-test:"), l.hasSuffix("-->") else { break }
                if !block.runnable {
                    throw ParseError(description: "\(file):\(j + 1): a doc-test marker before a '\(language)' block, which is not run")
                }
                let inner = l.dropFirst("<!-- doc-test:".count).dropLast(3)
                for directive in inner.split(separator: ";") {
                    let d = directive.trimmingCharacters(in: .whitespaces)
                    if d.hasPrefix("skip") {
                        let reason = d.dropFirst(4).trimmingCharacters(in: .whitespaces)
                        if reason.isEmpty { throw ParseError(description: "\(file):\(j + 1): 'skip' needs a reason") }
                        block.skip = reason
                    } else if d.hasPrefix("stand-in ") {
                        let parts = d.dropFirst("stand-in ".count).components(separatedBy: " => ")
                        guard parts.count == 2, !parts[0].isEmpty else {
                            throw ParseError(description: "\(file):\(j + 1): 'stand-in OLD => NEW' expected, got '\(d)'")
                        }
                        guard block.body.contains(parts[0]) else {
                            throw ParseError(description: "\(file):\(j + 1): stand-in '\(parts[0])' does not occur in the block")
                        }
                        block.standIns.append((parts[0], parts[1]))
                    } else if d.hasPrefix("expect ") {
                        block.expect += d.dropFirst("expect ".count).split(separator: " ").map(String.init)
                    } else {
                        throw ParseError(description: "\(file):\(j + 1): unknown doc-test directive '\(d)' (skip, stand-in, expect)")
                    }
                }
                j -= 1
            }
            blocks.append(block)
        }
        return blocks
    }

    /// README.md, then docs/*.md in name order, under `root`.
    static func documents(root: String) throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root + "/docs")
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return ["README.md"] + docs
    }
}
