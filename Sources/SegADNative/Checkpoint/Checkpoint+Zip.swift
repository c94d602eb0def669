/// PyTorch's zip format: a zip archive of stored (uncompressed) entries,
/// `PREFIX/data.pkl` plus `PREFIX/data/KEY` per storage (PKWARE APPNOTE 6.3
/// for the layout; ZIP64 records are honoured for large archives).
extension Checkpoint {
    struct ZipEntry {
        var method: Int
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }

    static func zipDirectory(_ bytes: [UInt8], name: String) throws -> [String: ZipEntry] {
        // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
        var eocd = -1
        var i = bytes.count - 22
        let stop = max(0, bytes.count - 22 - 65_535)
        while i >= stop {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw CheckpointError.archive(name, detail: "zip: end of central directory not found (truncated?)") }
        var r = ByteReader(bytes, from: eocd + 10)
        var entries = try r.u16()
        _ = try r.u32()
        var cdOffset = try r.u32()
        if cdOffset == 0xFFFF_FFFF || entries == 0xFFFF, eocd >= 20 {
            // ZIP64 locator precedes the EOCD: signature 0x07064b50, then the ZIP64 EOCD offset.
            var l = ByteReader(bytes, from: eocd - 20)
            guard try l.uint(4) == 0x0706_4b50 else { throw CheckpointError.archive(name, detail: "zip: ZIP64 locator missing") }
            _ = try l.u32()
            let z = try l.u64()
            guard z < UInt64(bytes.count) else { throw CheckpointError.archive(name, detail: "zip: ZIP64 record out of range") }
            var z64 = ByteReader(bytes, from: Int(z))
            guard try z64.uint(4) == 0x0606_4b50 else { throw CheckpointError.archive(name, detail: "zip: ZIP64 end record missing") }
            try z64.skip(28)
            let n = try z64.u64()
            try z64.skip(8)
            let off = try z64.u64()
            guard n < UInt64(bytes.count), off < UInt64(bytes.count) else { throw CheckpointError.archive(name, detail: "zip: ZIP64 record out of range") }
            entries = Int(n); cdOffset = Int(off)
        }
        var c = ByteReader(bytes, from: cdOffset)
        var out: [String: ZipEntry] = [:]
        for _ in 0..<entries {
            guard try c.uint(4) == 0x0201_4b50 else { throw CheckpointError.archive(name, detail: "zip: corrupt central directory") }
            try c.skip(6)
            let method = try c.u16()
            try c.skip(8)
            var csize = try c.u32(), size = try c.u32()
            let nameLen = try c.u16(), extraLen = try c.u16(), commentLen = try c.u16()
            try c.skip(8)
            var local = try c.u32()
            guard let entryName = String(validating: try c.take(nameLen), as: UTF8.self) else {
                throw CheckpointError.archive(name, detail: "zip: entry name is not UTF-8")
            }
            var e = ByteReader(bytes, from: c.position, to: c.position + extraLen)
            try c.skip(extraLen + commentLen)
            // ZIP64 extended information: the fields that were 0xFFFFFFFF, in order.
            while e.remaining >= 4 {
                let tag = try e.u16(), len = try e.u16()
                var f = ByteReader(bytes, from: e.position, to: e.position + len)
                try e.skip(len)
                guard tag == 0x0001 else { continue }
                if size == 0xFFFF_FFFF { size = Int(clamping: try f.u64()) }
                if csize == 0xFFFF_FFFF { csize = Int(clamping: try f.u64()) }
                if local == 0xFFFF_FFFF { local = Int(clamping: try f.u64()) }
            }
            out[entryName] = ZipEntry(method: method, compressedSize: csize, size: size, localHeader: local)
        }
        return out
    }

    /// The byte range of a stored entry's data inside the archive.
    static func zipData(_ bytes: [UInt8], _ entry: ZipEntry, entryName: String, name: String) throws -> Range<Int> {
        guard entry.method == 0 else {
            throw CheckpointError.archive(name, detail: "zip entry \(entryName) is compressed (method \(entry.method)); only stored entries are supported")
        }
        var l = ByteReader(bytes, from: entry.localHeader)
        guard try l.uint(4) == 0x0403_4b50 else { throw CheckpointError.archive(name, detail: "zip entry \(entryName): bad local header") }
        try l.skip(22)
        let n = try l.u16(), m = try l.u16()
        try l.skip(n + m)
        let start = l.position
        guard entry.size <= l.remaining else { throw CheckpointError.archive(name, detail: "zip entry \(entryName): truncated") }
        return start..<(start + entry.size)
    }

    static func loadZip(_ bytes: [UInt8], name: String) throws -> [String: Tensor] {
        let dir = try zipDirectory(bytes, name: name)
        guard let pklName = dir.keys.filter({ $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }).min(by: { $0.count < $1.count }),
              let pkl = dir[pklName] else {
            throw CheckpointError.archive(name, detail: "zip: no data.pkl (not a PyTorch archive)")
        }
        let prefix = String(pklName.dropLast("data.pkl".count))
        if let bo = dir[prefix + "byteorder"] {
            let range = try zipData(bytes, bo, entryName: prefix + "byteorder", name: name)
            if String(decoding: bytes[range], as: UTF8.self) != "little" {
                throw CheckpointError.bigEndian(name)
            }
        }
        let pklRange = try zipData(bytes, pkl, entryName: pklName, name: name)
        var r = ByteReader(bytes, from: pklRange.lowerBound, to: pklRange.upperBound)
        let root = try Pickle.load(&r)
        return try materialize(root, name: name, bytes: bytes) { ref in
            let entryName = prefix + "data/" + ref.key
            guard let e = dir[entryName] else { return nil }
            let range = try zipData(bytes, e, entryName: entryName, name: name)
            guard range.count >= ref.numel * ref.type.size else {
                throw CheckpointError.storage(name, key: ref.key, detail: "\(range.count) bytes, declared \(ref.numel) elements")
            }
            return range
        }
    }
}
