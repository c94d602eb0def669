import Foundation
import SegADNative

/// The one CSV codec (RFC 4180) every reader and writer of the project uses:
/// score files, the reference's pandas files, `path,label` lists, reports.
///
/// Reading: fields are separated by commas, records by LF or CRLF (a lone CR
/// too); a field that starts with `"` is quoted and may hold commas, quotes
/// (doubled) and line breaks. A `"` inside an unquoted field is an ordinary
/// character. Blank lines are skipped; a UTF-8 byte-order mark is dropped.
/// Each record keeps the line it starts on, for errors. Rows may have any
/// number of fields: the caller decides (`CSVTable` requires the header's).
///
/// Writing: a field is quoted only when it holds a comma, a quote, CR or
/// LF (its quotes doubled), so ordinary fields are written as they are;
/// records end with LF. Every text cell the tools write — an id, a path, a
/// method, class, segment or feature name — goes through `text` first, so
/// no cell is safe for a spreadsheet to run (docs/reliability.md, "Files,
/// outputs and CSV cells"): a text cell beginning with `=`, `+`, `-`, `@`,
/// a tab or CR (or `'`) gets a leading `'`, as OWASP's "CSV Injection" page
/// recommends, and control characters (newline, ESC, …) are written as
/// `\u{…}` escapes. Numbers (a score `-0.5`) are written as they are, so
/// they stay numbers. Readers of the tools' own files undo the prefix
/// (`untext`).
public enum CSV {
    /// One record and the 1-based line it starts on.
    public struct Record: Equatable, Sendable {
        public var fields: [String]
        public var line: Int
        public init(fields: [String], line: Int) { self.fields = fields; self.line = line }
    }

    /// Reads the records of the file at `path`; every fault is a `CSVError`
    /// naming the file (no file, not UTF-8, an unterminated quote).
    public static func read(path: String) throws -> [Record] {
        guard let data = try RegularFile.contents(atPath: path) else {
            throw FileManager.default.fileExists(atPath: path) ? CSVError.cannotRead(path) : .noSuchFile(path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CSVError.notUTF8(path) }
        return try parse(text, file: path)
    }

    /// The records of `text` (see the type's comment for the rules); a
    /// syntax fault is a `CSVError` naming `file`.
    public static func parse(_ text: String, file: String = "") throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var quoted = false, wasQuoted = false, quoteLine = 0
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(String(field))
            // A blank line is one empty unquoted field: skipped.
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                records.append(Record(fields: fields, line: recordLine))
            }
            fields = []; field = String.UnicodeScalarView(); wasQuoted = false
        }

        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if c == "\n" || (c == "\r") { line += 1 }
                    if c == "\r" {
                        // CRLF inside quotes is one line break.
                        let next = iterator.next()
                        if next == "\n" { field.append(c); field.append("\n") } else { field.append(c); pending = next }
                        continue
                    }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !wasQuoted:
                quoted = true; wasQuoted = true; quoteLine = line
            case ",":
                fields.append(String(field)); field = String.UnicodeScalarView(); wasQuoted = false
            case "\n":
                endRecord(); line += 1; recordLine = line
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord(); line += 1; recordLine = line
            default:
                field.append(c)
            }
        }
        if quoted { throw CSVError.unclosedQuote(file, line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// `s` as a CSV field: quoted (quotes doubled) when it holds a comma, a
    /// quote, CR or LF; otherwise as it is.
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The first characters that make a spreadsheet read a cell as a formula
    /// (= + - @, tab, CR), and `'` so that `untext` inverts `text` exactly.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "'"]

    /// A text cell made safe for spreadsheets (see the type's documentation):
    /// `'` before a formula start, control characters as `\u{…}`.
    public static func text(_ s: String) -> String {
        let formula = s.unicodeScalars.first.map { formulaStarts.contains($0) } ?? false
        return (formula ? "'" : "") + InputError.printable(s)
    }

    /// `text`'s prefix removed: for cells the tools wrote and read back (a
    /// scores file's ids, a path list). A cell whose `'` is not followed by a
    /// formula start (or an escaped tab/CR) is returned as it is.
    public static func untext(_ s: String) -> String {
        guard s.hasPrefix("'") else { return s }
        let rest = s.dropFirst()
        if let next = rest.unicodeScalars.first, formulaStarts.contains(next) { return String(rest) }
        if rest.hasPrefix("\\u{9}") || rest.hasPrefix("\\u{d}") { return String(rest) }
        return s
    }

    /// One record: fields joined by commas, ended by LF.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// A whole file: the header, then each row.
    public static func encode(header: [String], rows: [[String]]) -> String {
        var text = line(header)
        for row in rows { text += line(row) }
        return text
    }
}
