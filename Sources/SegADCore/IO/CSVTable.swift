import Foundation
import SegADNative

/// A CSV file with a header and rows of the header's width (the reference's
/// pandas files), read with the one codec (`CSV`).
public struct CSVTable {
    public var header: [String]
    public var rows: [[String]]
    public let path: String

    public init(path: String) throws {
        self.path = path
        let records = try CSV.read(path: path)
        guard let header = records.first else { throw InputError(path, "empty CSV") }
        self.header = header.fields
        rows = records.dropFirst().map(\.fields)
        for r in records.dropFirst() where r.fields.count != header.fields.count {
            throw InputError(path, "line \(r.line) has \(r.fields.count) fields; the header has \(header.fields.count)")
        }
    }

    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw InputError(path, "no column '\(name)' (columns: \(header.joined(separator: ", ")))")
        }
        return i
    }
}
