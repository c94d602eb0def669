import Foundation
import SegADNative

/// A small CSV reader (RFC 4180 quoting) for the reference's pandas files.
public struct CSVTable {
    public var header: [String]
    public var rows: [[String]]
    public let path: String

    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path, "no such file") }
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false
        var chars = String(decoding: data, as: UTF8.self).makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" || c == "\r\n" { record.append(field); field = ""; if record != [""] { records.append(record) }; record = [] }
            else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { throw InputError(path, "empty CSV") }
        self.header = header
        rows = Array(records.dropFirst())
        for (n, r) in rows.enumerated() where r.count != header.count {
            throw InputError(path, "line \(n + 2) has \(r.count) fields; the header has \(header.count)")
        }
    }

    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw InputError(path, "no column '\(name)' (columns: \(header.joined(separator: ", ")))")
        }
        return i
    }
}
