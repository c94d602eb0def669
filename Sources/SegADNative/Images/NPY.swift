#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element types a `.npy` file may hold here.
public enum NPYDType: String, Sendable, CaseIterable {
    case float16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// True for the integer and bool types.
    public var isInteger: Bool {
        switch self {
        case .float16, .float32, .float64: return false
        default: return true
        }
    }
}

/// One parsed `.npy` array: its element type, its shape and its raw element
/// bytes, already put in C (row-major) order and in the host's byte order.
///
/// Convert with `floats()` or `int32s()`.
public struct NPYArray: Sendable {
    /// The name used in error messages (usually the file's path).
    public let name: String
    /// The element type declared by the header.
    public let dtype: NPYDType
    /// The shape (C order, as numpy reports `a.shape`); `[]` for a 0-d array.
    public let shape: [Int]
    /// Whether the file stored the data in Fortran order (the bytes here are
    /// C order either way).
    public let fortranOrderInFile: Bool
    /// Element bytes, C order, host byte order; `count * dtype.size` bytes.
    public let bytes: [UInt8]

    /// Number of elements (the product of `shape`, 1 for a 0-d array).
    public var count: Int { bytes.count / dtype.size }

    /// The values as `Float`: exact for float16/float32, int8/16, uint8/16 and
    /// bool; float64 and wide integers round to nearest, as numpy's
    /// `astype(np.float32)` does.
    public func floats() -> [Float] {
        let n = count
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                switch dtype {
                case .float16:
                    for i in 0..<n { out[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                case .float32:
                    for i in 0..<n { out[i] = raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
                case .float64:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
                case .int8:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: i, as: Int8.self)) }
                case .int16:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
                case .int32:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
                case .int64:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
                case .uint8:
                    for i in 0..<n { out[i] = Float(raw[i]) }
                case .uint16:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
                case .uint32:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                case .uint64:
                    for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
                case .bool:
                    for i in 0..<n { out[i] = raw[i] != 0 ? 1 : 0 }
                }
            }
            initialized = n
        }
    }

    /// The values as `Int32`, for label maps. Integer and bool types convert
    /// exactly; a float type is accepted only when every value is integral.
    /// - Throws: `ImageError.labelValue` naming the first value that is not
    ///   integral or lies outside the `Int32` range.
    public func int32s() throws -> [Int32] {
        let n = count
        var out = [Int32](repeating: 0, count: n)
        func bad(_ i: Int, _ value: String, _ why: String) -> ImageError {
            .labelValue(name, value: value, index: i, reason: why)
        }
        try bytes.withUnsafeBytes { raw in
            func fromWide<T: BinaryInteger>(_ type: T.Type) throws {
                for i in 0..<n {
                    let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                    guard let w = Int32(exactly: v) else { throw bad(i, "\(v)", "is outside the Int32 range") }
                    out[i] = w
                }
            }
            func fromFloat(_ load: (Int) -> Double) throws {
                for i in 0..<n {
                    let v = load(i)
                    guard v.rounded(.towardZero) == v else {
                        throw bad(i, "\(v)", "is not an integer (\(dtype.rawValue) labels must be integral)")
                    }
                    guard let w = Int32(exactly: v) else { throw bad(i, "\(v)", "is outside the Int32 range") }
                    out[i] = w
                }
            }
            switch dtype {
            case .int8: for i in 0..<n { out[i] = Int32(raw.loadUnaligned(fromByteOffset: i, as: Int8.self)) }
            case .uint8: for i in 0..<n { out[i] = Int32(raw[i]) }
            case .bool: for i in 0..<n { out[i] = raw[i] != 0 ? 1 : 0 }
            case .int16: for i in 0..<n { out[i] = Int32(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
            case .uint16: for i in 0..<n { out[i] = Int32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            case .int32: for i in 0..<n { out[i] = raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self) }
            case .uint32: try fromWide(UInt32.self)
            case .int64: try fromWide(Int64.self)
            case .uint64: try fromWide(UInt64.self)
            case .float16:
                try fromFloat { Double(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
            case .float32:
                try fromFloat { Double(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self)) }
            case .float64:
                try fromFloat { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
            }
        }
        return out
    }
}

/// Reads and writes numpy's `.npy` format (format versions 1.0, 2.0, 3.0),
/// in pure Swift.
///
/// The file is `\x93NUMPY`, a major and a minor version byte, the header
/// length (little-endian UInt16 for 1.x, UInt32 for 2.x/3.x), an ASCII (3.x:
/// UTF-8) Python dict literal with exactly the keys `descr`, `fortran_order`
/// and `shape`, then the raw elements. See numpy's `numpy.lib.format`.
///
/// Every fault is an `ImageError` naming the file. A declared shape is checked
/// against the bytes the file actually holds before anything is allocated for
/// it, so a corrupt header cannot make the reader allocate a huge buffer.
/// A file read from disk must hold exactly header + data (`readFile`);
/// `parse` ignores bytes after the data, as `numpy.load` does.
public enum NPY {
    /// Reads a `.npy` file of any supported dtype as `Float` (C order).
    public static func readFloats(path: String) throws -> (values: [Float], shape: [Int]) {
        let array = try parse(data: readFile(path: path), name: path)
        return (array.floats(), array.shape)
    }

    /// Reads a `.npy` file of an integer or bool dtype as `Int32` (C order).
    /// A float dtype is accepted when every value is integral.
    /// - Throws: `ImageError.labelValue` for a value outside `Int32` or a non-integral float.
    public static func readInt32s(path: String) throws -> (values: [Int32], shape: [Int]) {
        let array = try parse(data: readFile(path: path), name: path)
        return (try array.int32s(), array.shape)
    }

    /// Writes `floats` as a little-endian float32 `.npy` (version 1.0, C order).
    public static func write(path: String, floats: [Float], shape: [Int]) throws {
        var payload = [UInt8]()
        payload.reserveCapacity(floats.count * 4)
        for v in floats { appendLittleEndian(v.bitPattern, to: &payload) }
        try write(path: path, descr: "<f4", count: floats.count, shape: shape, payload: payload)
    }

    /// Writes `int32s` as a little-endian int32 `.npy` (version 1.0, C order).
    public static func write(path: String, int32s: [Int32], shape: [Int]) throws {
        var payload = [UInt8]()
        payload.reserveCapacity(int32s.count * 4)
        for v in int32s { appendLittleEndian(UInt32(bitPattern: v), to: &payload) }
        try write(path: path, descr: "<i4", count: int32s.count, shape: shape, payload: payload)
    }

    /// Parses the preamble and header of a `.npy` file (`data` holds at least
    /// the header; the data may be absent); `name` appears in errors.
    static func parseHeader(data: [UInt8], name: String) throws -> Layout {
        func fail(_ fault: String) -> ImageError { .unreadable(name, detail: fault) }
        func truncated(_ fault: String) -> ImageError { .truncated(name, detail: fault) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard data.count >= 10 else {
            throw data.isEmpty ? fail("empty file; expected a .npy array")
                : truncated("truncated .npy: \(data.count) bytes, shorter than the 10-byte preamble")
        }
        guard Array(data[0..<6]) == magic else { throw fail("not a .npy file (bad magic bytes)") }
        let major = data[6], minor = data[7]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[8]) | Int(data[9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else { throw truncated("truncated .npy: \(data.count) bytes, shorter than the 12-byte preamble") }
            headerLength = Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
            headerStart = 12
        default:
            throw ImageError.unsupported(name, detail: "unsupported .npy format version \(major).\(minor)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= data.count else {
            throw truncated("truncated .npy: header says \(headerLength) header bytes, file holds \(data.count - headerStart)")
        }
        let headerBytes = data[headerStart..<dataStart]
        let header: String
        if major == 3 {
            guard let text = String(validating: headerBytes, as: UTF8.self) else { throw fail("bad .npy header: not UTF-8") }
            header = text
        } else {
            header = String(decoding: headerBytes.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)  // latin-1; non-ASCII is never valid here
        }
        let dict: [String: HeaderValue]
        do {
            var parser = HeaderParser(text: Array(header.unicodeScalars))
            dict = try parser.parseDict()
        } catch let error as HeaderParser.Failure {
            throw fail("bad .npy header: \(error.message)")
        }
        let keys = Set(dict.keys)
        guard keys == ["descr", "fortran_order", "shape"] else {
            throw fail("bad .npy header: keys are \(keys.sorted()), expected descr, fortran_order, shape")
        }
        guard case .string(let descr)? = dict["descr"] else {
            throw ImageError.unsupported(name, detail: "unsupported dtype (structured or non-string descr)")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw fail("bad .npy header: fortran_order is not True or False")
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw fail("bad .npy header: shape is not a tuple of integers")
        }
        let (dtype, bigEndian) = try parseDescr(descr) { ImageError.unsupported(name, detail: $0) }

        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("bad .npy header: shape \(formatShape(shape)) is too large") }
            count = p
        }
        return Layout(dtype: dtype, bigEndian: bigEndian, fortran: fortran, shape: shape, count: count, dataStart: dataStart)
    }

    /// What a `.npy` header declares: element type, byte order, order, shape,
    /// element count and where the data start.
    struct Layout {
        var dtype: NPYDType
        var bigEndian: Bool
        var fortran: Bool
        var shape: [Int]
        var count: Int
        var dataStart: Int
        /// Bytes of data the shape declares, nil on overflow.
        var dataBytes: Int? {
            let (n, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            return overflow ? nil : n
        }
    }

    /// Parses the bytes of a whole `.npy` file; `name` appears in errors.
    public static func parse(data: [UInt8], name: String) throws -> NPYArray {
        let layout = try parseHeader(data: data, name: name)
        let (dtype, bigEndian, fortran, shape, count, dataStart) =
            (layout.dtype, layout.bigEndian, layout.fortran, layout.shape, layout.count, layout.dataStart)
        func truncated(_ fault: String) -> ImageError { .truncated(name, detail: fault) }
        let available = data.count - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, needed <= available else {
            throw truncated("truncated .npy: header says \(count) values, file holds \(available / dtype.size)")
        }

        // Copy into host byte order, then C order.
        var bytes = Array(data[dataStart..<(dataStart + needed)])
        let hostIsBig = 1.bigEndian == 1
        if dtype.size > 1 && bigEndian != hostIsBig {
            let s = dtype.size
            var i = 0
            while i < needed { bytes[i..<(i + s)].reverse(); i += s }
        }
        if fortran && shape.count > 1 && count > 1 {
            bytes = fortranToC(bytes, shape: shape, elementSize: dtype.size)
        }
        return NPYArray(name: name, dtype: dtype, shape: shape, fortranOrderInFile: fortran, bytes: bytes)
    }
}

// MARK: - Header parsing

extension NPY {
    enum HeaderValue: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
        case other
    }

    /// A parser for the small subset of Python literals an `.npy` header uses:
    /// a dict with string keys whose values are strings, True/False, tuples of
    /// non-negative integers, or (rejected later) lists for structured dtypes.
    struct HeaderParser {
        struct Failure: Error { var message: String }
        let text: [Unicode.Scalar]
        var pos = 0

        init(text: [Unicode.Scalar]) { self.text = text }

        mutating func skipSpace() {
            while pos < text.count, text[pos].properties.isWhitespace { pos += 1 }
        }

        mutating func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard pos < text.count, text[pos] == c else {
                throw Failure(message: "expected '\(c)' at character \(pos)")
            }
            pos += 1
        }

        mutating func peek() -> Unicode.Scalar? {
            skipSpace()
            return pos < text.count ? text[pos] : nil
        }

        mutating func parseDict() throws -> [String: HeaderValue] {
            try expect("{")
            var result: [String: HeaderValue] = [:]
            while true {
                if peek() == "}" { pos += 1; break }
                let key = try parseString()
                try expect(":")
                let value = try parseValue()
                guard result.updateValue(value, forKey: key) == nil else {
                    throw Failure(message: "key '\(key)' appears twice")
                }
                if peek() == "," { pos += 1; continue }
                try expect("}")
                break
            }
            skipSpace()
            guard pos == text.count else { throw Failure(message: "unexpected text after the dict") }
            return result
        }

        mutating func parseString() throws -> String {
            skipSpace()
            guard pos < text.count, text[pos] == "'" || text[pos] == "\"" else {
                throw Failure(message: "expected a quoted string at character \(pos)")
            }
            let quote = text[pos]
            pos += 1
            var s = String.UnicodeScalarView()
            while pos < text.count, text[pos] != quote {
                s.append(text[pos]); pos += 1
            }
            guard pos < text.count else { throw Failure(message: "unterminated string") }
            pos += 1
            return String(s)
        }

        mutating func parseValue() throws -> HeaderValue {
            guard let c = peek() else { throw Failure(message: "unexpected end of header") }
            switch c {
            case "'", "\"":
                return .string(try parseString())
            case "(":
                pos += 1
                var dims: [Int] = []
                while true {
                    if peek() == ")" { pos += 1; break }
                    dims.append(try parseInt())
                    if peek() == "," { pos += 1; continue }
                    try expect(")")
                    break
                }
                return .tuple(dims)
            case "[":
                // A structured dtype's descr; skip to the matching bracket.
                var depth = 0
                while pos < text.count {
                    if text[pos] == "[" { depth += 1 }
                    if text[pos] == "]" { depth -= 1; if depth == 0 { pos += 1; return .other } }
                    pos += 1
                }
                throw Failure(message: "unterminated list")
            default:
                var word = ""
                while pos < text.count, text[pos].properties.isAlphabetic || ("0"..."9").contains(text[pos]) || text[pos] == "_" {
                    word.unicodeScalars.append(text[pos]); pos += 1
                }
                if word == "True" { return .bool(true) }
                if word == "False" { return .bool(false) }
                if !word.isEmpty, word.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) { return .other }
                throw Failure(message: word.isEmpty ? "unexpected '\(c)' at character \(pos)" : "unexpected value '\(word)'")
            }
        }

        mutating func parseInt() throws -> Int {
            skipSpace()
            var digits = ""
            while pos < text.count, ("0"..."9").contains(text[pos]) {
                digits.unicodeScalars.append(text[pos]); pos += 1
            }
            // Python 2 era files may write long integers as `3L`.
            if pos < text.count, text[pos] == "L" { pos += 1 }
            guard !digits.isEmpty else { throw Failure(message: "shape holds a non-integer at character \(pos)") }
            guard let v = Int(digits) else { throw Failure(message: "shape dimension \(digits) is too large") }
            return v
        }
    }

    /// Maps a descr such as `<f4`, `>i8`, `|u1`, `|b1` to a dtype and whether
    /// the data are big-endian.
    static func parseDescr(_ descr: String, _ fail: (String) -> ImageError) throws -> (NPYDType, bigEndian: Bool) {
        let chars = Array(descr)
        guard chars.count >= 3, "<>|=".contains(chars[0]) else { throw fail("unsupported dtype '\(descr)'") }
        let order = chars[0]
        let code = String(chars[1...])
        let table: [String: NPYDType] = [
            "f2": .float16, "f4": .float32, "f8": .float64,
            "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64,
            "b1": .bool,
        ]
        guard let dtype = table[code] else { throw fail("unsupported dtype '\(descr)'") }
        let hostIsBig = 1.bigEndian == 1
        let big = order == ">" || (order == "=" && hostIsBig)
        if order == "|" && dtype.size > 1 { throw fail("unsupported dtype '\(descr)' (multi-byte type without byte order)") }
        return (dtype, big)
    }

    /// Reorders Fortran-order element bytes to C order.
    static func fortranToC(_ src: [UInt8], shape: [Int], elementSize s: Int) -> [UInt8] {
        let rank = shape.count
        var fStride = [Int](repeating: 1, count: rank)  // Fortran strides in elements
        for k in 1..<rank { fStride[k] = fStride[k - 1] * shape[k - 1] }
        var dst = [UInt8](repeating: 0, count: src.count)
        var index = [Int](repeating: 0, count: rank)
        var offset = 0  // Fortran offset of `index`
        let count = src.count / s
        for c in 0..<count {
            for b in 0..<s { dst[c * s + b] = src[offset * s + b] }
            // Advance the C-order odometer, last axis fastest.
            var k = rank - 1
            while k >= 0 {
                index[k] += 1
                offset += fStride[k]
                if index[k] < shape[k] { break }
                offset -= fStride[k] * shape[k]
                index[k] = 0
                k -= 1
            }
        }
        return dst
    }

    static func formatShape(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

// MARK: - Writing and file access

extension NPY {
    static func appendLittleEndian<T: FixedWidthInteger>(_ v: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func write(path: String, descr: String, count: Int, shape: [Int], payload: [UInt8]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw ImageError.cannotWrite(path, detail: "cannot write .npy: shape \(formatShape(shape)) does not hold \(count) values")
        }
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(formatShape(shape)), }"
        // Pad with spaces so that the data start on a 64-byte boundary, then '\n'.
        var version: UInt8 = 1
        var preamble = 10
        if (preamble + header.utf8.count + 1 + 63) / 64 * 64 - preamble > 0xFFFF { version = 2; preamble = 12 }
        let total = (preamble + header.utf8.count + 1 + 63) / 64 * 64
        header += String(repeating: " ", count: total - preamble - header.utf8.count - 1) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        let length = header.utf8.count
        if version == 1 {
            appendLittleEndian(UInt16(length), to: &bytes)
        } else {
            appendLittleEndian(UInt32(length), to: &bytes)
        }
        bytes.append(contentsOf: header.utf8)
        bytes.append(contentsOf: payload)
        try writeFile(path: path, bytes: bytes)
    }

    #if canImport(Glibc)
    static let systemWrite = Glibc.write
    #else
    static let systemWrite = Darwin.write
    #endif

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Largest header read: numpy writes a few hundred bytes and refuses
    /// more than 10000 by default (`max_header_size`).
    static let maxHeaderBytes = 1 << 20

    /// Reads a regular `.npy` file: the header first, then exactly the bytes
    /// its shape declares. A file larger or smaller than header + data is
    /// refused before the data are read, so a 50 GB file named as an 8×8
    /// map costs a few bytes, not 50 GB (docs/reliability.md, "Files,
    /// outputs and CSV cells"); a FIFO or device is refused by `RegularFile`.
    static func readFile(path: String) throws -> [UInt8] {
        let fd = try ImageFile.openRegular(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ImageError.unreadable(path, detail: "cannot stat: \(errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ImageError.unreadable(path, detail: "not a regular file") }
        let size = Int(info.st_size)
        var bytes = try readPrefix(fd, path, count: min(size, 12))
        // The header's length from the preamble (malformed preambles are
        // reported by parseHeader on what was read).
        if bytes.count >= 10, bytes[6] == 1 || bytes[6] == 2 || bytes[6] == 3 {
            let length = bytes[6] == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
                : bytes.count >= 12 ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24 : 0
            guard length <= maxHeaderBytes else {
                throw ImageError.unreadable(path, detail: "bad .npy header: \(length) header bytes declared, more than \(maxHeaderBytes)")
            }
            let headerEnd = (bytes[6] == 1 ? 10 : 12) + length
            bytes += try readPrefix(fd, path, count: min(size, headerEnd) - bytes.count)
        }
        let layout = try parseHeader(data: bytes, name: path)
        guard let needed = layout.dataBytes, layout.dataStart.addingReportingOverflow(needed).overflow == false else {
            throw ImageError.unreadable(path, detail: "bad .npy header: shape \(formatShape(layout.shape)) is too large")
        }
        let expected = layout.dataStart + needed
        if size < expected {
            throw ImageError.truncated(path, detail: "truncated .npy: header says \(layout.count) values, file holds \((size - layout.dataStart) / layout.dtype.size)")
        }
        if size > expected {
            throw ImageError.unreadable(path, detail: "the file holds \(size) bytes, but a .npy of \(layout.dtype.rawValue) shape \(formatShape(layout.shape)) holds \(expected); not the array it claims to be (extra bytes after the data)")
        }
        bytes += try readPrefix(fd, path, count: expected - bytes.count)
        return bytes
    }

    /// The next `count` bytes of `fd` (fewer when the file ends early).
    static func readPrefix(_ fd: Int32, _ path: String, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError.unreadable(path, detail: "cannot read: \(errnoText())")
            }
            if n == 0 { break }
            done += n
        }
        return done == count ? bytes : Array(bytes[0..<done])
    }

    /// Writes a whole file (created or truncated).
    static func writeFile(path: String, bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ImageError.cannotWrite(path, detail: "cannot create: \(errnoText())") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let text = errnoText()
                close(fd)
                throw ImageError.cannotWrite(path, detail: "cannot write: \(text)")
            }
            done += n
        }
        guard close(fd) == 0 else { throw ImageError.cannotWrite(path, detail: "cannot write: \(errnoText())") }
    }
}
