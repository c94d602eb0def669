#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The image of a `multipart/form-data` body (RFC 7578), as a browser's
/// form or `curl -F image=@part.png` sends it: exactly one part carrying a
/// file (a `filename` in its Content-Disposition); parts without a file
/// (form fields) are ignored. The body was read whole under --max-body
/// before it gets here; the parser adds its own bounds (parts, header
/// bytes) and refuses anything else with one line (docs/serving.md,
/// "POST /v1/score").
enum MultipartBody {
    /// Parts read at most; more is refused.
    static let maxParts = 16
    /// Header bytes of one part at most.
    static let maxHeaderBytes = 8 << 10

    /// The boundary of a `multipart/form-data` Content-Type, nil when the
    /// type is another one; throws when it is multipart without a usable boundary.
    static func boundary(contentType: String) throws -> String? {
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = fields.first, type.lowercased() == "multipart/form-data" else {
            if let type = fields.first, type.lowercased().hasPrefix("multipart/") {
                throw ServeError.badMultipart("Content-Type \(type): only multipart/form-data is read")
            }
            return nil
        }
        for field in fields.dropFirst() {
            guard let eq = field.firstIndex(of: "=") else { continue }
            guard field[..<eq].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = field[field.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters, no control characters.
            guard (1...70).contains(value.utf8.count), value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw ServeError.badMultipart("the boundary must be 1 to 70 printable ASCII characters")
            }
            return value
        }
        throw ServeError.badMultipart("Content-Type multipart/form-data without a boundary")
    }

    /// The bytes of the one file part of `body`.
    static func filePart(_ body: [UInt8], boundary: String) throws -> ArraySlice<UInt8> {
        let dash = Array("--\(boundary)".utf8)
        let delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary line opens the body or follows a preamble ending in CRLF.
        var pos: Int
        if body.starts(with: dash) {
            pos = dash.count
        } else if let at = find(delimiter, in: body, from: 0) {
            pos = at + delimiter.count
        } else {
            throw ServeError.badMultipart("no boundary line: not the multipart body its Content-Type announces")
        }
        var file: ArraySlice<UInt8>?
        var parts = 0
        while true {
            // After a boundary: "--" closes the body, CRLF opens a part (transport padding allowed).
            if body[pos...].starts(with: [0x2D, 0x2D]) { break }
            while pos < body.count && (body[pos] == 0x20 || body[pos] == 0x09) { pos += 1 }
            guard body[pos...].starts(with: [0x0D, 0x0A]) else { throw ServeError.badMultipart("a boundary line not followed by CRLF") }
            pos += 2
            parts += 1
            guard parts <= maxParts else { throw ServeError.badMultipart("more than \(maxParts) parts") }
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: pos, limit: maxHeaderBytes + 4) else {
                throw ServeError.badMultipart("a part's headers do not end (a blank line) within \(maxHeaderBytes) bytes")
            }
            let headers = String(decoding: body[pos..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let end = find(delimiter, in: body, from: contentStart) else {
                throw ServeError.badMultipart("a part without its closing boundary (the body is cut short)")
            }
            if try carriesFile(headers) {
                guard file == nil else { throw ServeError.badMultipart("more than one file part: send one image per request") }
                file = body[contentStart..<end]
            }
            pos = end + delimiter.count
            guard pos < body.count else { throw ServeError.badMultipart("the body ends after a boundary without its closing --") }
        }
        guard let file else { throw ServeError.badMultipart("no file part (a part with a filename): nothing to score") }
        return file
    }

    /// Whether a part's headers name a file: `Content-Disposition: form-data; …; filename=…`.
    static func carriesFile(_ headers: String) throws -> Bool {
        for line in headers.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else {
                throw ServeError.badMultipart("a part header without a colon")
            }
            guard line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else { continue }
            let fields = line[line.index(after: colon)...].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first?.lowercased() == "form-data" else {
                throw ServeError.badMultipart("a part whose Content-Disposition is not form-data")
            }
            return fields.dropFirst().contains { $0.lowercased().hasPrefix("filename=") || $0.lowercased().hasPrefix("filename*=") }
        }
        throw ServeError.badMultipart("a part without a Content-Disposition header")
    }

    /// The first offset ≥ `from` where `needle` starts in `haystack`
    /// (within `limit` bytes from `from` when given): memchr for the first
    /// byte, memcmp for the rest.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, limit: Int? = nil) -> Int? {
        guard !needle.isEmpty, from >= 0, from <= haystack.count else { return nil }
        let end = from + min(haystack.count - from, limit ?? Int.max)
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                var at = from
                while end - at >= n.count {
                    guard let hit = memchr(h.baseAddress! + at, Int32(n[0]), end - at - n.count + 1) else { return nil }
                    at = h.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(h.baseAddress! + at, n.baseAddress!, n.count) == 0 { return at }
                    at += 1
                }
                return nil
            }
        }
    }
}
