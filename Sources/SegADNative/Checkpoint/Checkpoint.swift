import Foundation

/// Reads the named weight tensors of a model from disk, natively (no Python).
///
/// Three formats are recognised by their first bytes:
/// - PyTorch's zip format (`torch.save` since 1.6): `ARCHIVE/data.pkl` holds
///   the pickled state dict and `ARCHIVE/data/KEY` the raw storages, stored
///   uncompressed;
/// - PyTorch's legacy format (`_use_new_zipfile_serialization=False`): four
///   pickles in a row (magic number, protocol version, system info, the state
///   dict), then a pickled list of storage keys, then each storage as an
///   int64 element count followed by its bytes;
/// - safetensors: an 8-byte header length, a JSON header, then the data.
///
/// Every tensor is converted to float32 (float16, bfloat16, float64 and
/// integer types are converted exactly or by rounding to nearest) and made
/// contiguous, following its strides. Nested dicts (such as a checkpoint
/// holding `{"state_dict": {...}}`) are flattened with dotted keys.
///
/// Faults throw a `CheckpointError` whose one line names the file and the fault,
/// with the key where there is one. Sizes declared in the file are checked
/// against the bytes actually present before anything is allocated.
public enum Checkpoint {
    /// Loads every tensor in the checkpoint at `path`.
    public static func load(path: String) throws -> [String: Tensor] {
        guard let data = try RegularFile.contents(atPath: path) else {
            throw CheckpointError.cannotRead(path)
        }
        return try load(bytes: [UInt8](data), name: path)
    }

    /// Loads every tensor from the bytes of a checkpoint; `name` labels errors.
    public static func load(bytes: [UInt8], name: String) throws -> [String: Tensor] {
        do {
            if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 0x03, bytes[3] == 0x04 {
                return try loadZip(bytes, name: name)
            }
            // By structure, not by one byte (docs/reliability.md, section 6, class 8): a safetensors
            // header length is little-endian, so its first byte may be 0x80
            // like a pickle's PROTO opcode.
            if looksLikeSafetensors(bytes) {
                return try loadSafetensors(bytes, name: name)
            }
            if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
                return try loadLegacy(bytes, name: name)
            }
            if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") {
                return try loadSafetensors(bytes, name: name)
            }
            throw CheckpointError.notACheckpoint(name)
        } catch is ByteReader.Truncated {
            throw CheckpointError.truncated(name)
        } catch let f as Pickle.Fault {
            throw CheckpointError.pickle(name, message: f.message)
        }
    }

    /// A safetensors file: an 8-byte little-endian header length N with
    /// 2 ≤ N ≤ size − 8, then a JSON object: `{` … `}` (trailing spaces allowed).
    static func looksLikeSafetensors(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 10, bytes[8] == UInt8(ascii: "{") else { return false }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n >= 2, n <= UInt64(bytes.count - 8) else { return false }
        var end = 8 + Int(n) - 1
        while end > 8, bytes[end] == 0x20 { end -= 1 }
        return bytes[end] == UInt8(ascii: "}")
    }

    // MARK: - Legacy pickle format

    static let legacyMagic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    static func loadLegacy(_ bytes: [UInt8], name: String) throws -> [String: Tensor] {
        var r = ByteReader(bytes)
        guard case let .bytes(magic) = try Pickle.load(&r), magic == legacyMagic else {
            throw CheckpointError.legacy(name, detail: "wrong magic number")
        }
        guard let proto = try Pickle.load(&r).intValue, proto == 1001 else {
            throw CheckpointError.legacy(name, detail: "unsupported protocol version")
        }
        let sysInfo = try Pickle.load(&r)
        if case let .dict(d) = sysInfo, let i = d.keys.firstIndex(where: { $0.stringValue == "little_endian" }),
           case let .bool(little) = d.values[i], !little {
            throw CheckpointError.bigEndian(name)
        }
        let root = try Pickle.load(&r)
        guard let keyList = try Pickle.load(&r).tupleValue else {
            throw CheckpointError.legacy(name, detail: "storage key list missing")
        }
        // Storages follow in key order: int64 element count, then the bytes.
        var storages: [String: (type: ScalarType?, range: Range<Int>)] = [:]
        var types: [String: ScalarType] = [:]
        collectStorageTypes(root, into: &types)
        for k in keyList {
            guard let key = k.stringValue else { throw CheckpointError.legacy(name, detail: "malformed storage key") }
            guard let type = types[key] else { throw CheckpointError.storage(name, key: key, detail: "no tensor refers to it, size unknown") }
            let count = try r.u64()
            guard count <= UInt64(r.remaining / type.size) else {
                throw CheckpointError.storage(name, key: key, detail: "declares \(count) elements, file truncated")
            }
            let start = r.position
            try r.skip(Int(count) * type.size)
            storages[key] = (type, start..<r.position)
        }
        return try materialize(root, name: name, bytes: bytes) { ref in
            var key = ref.key, offset = 0
            if let v = ref.view { key = v.key; offset = v.offset }
            guard let s = storages[key] else { return nil }
            let lo = s.range.lowerBound + offset * ref.type.size
            guard lo <= s.range.upperBound else { return nil }
            return lo..<s.range.upperBound
        }
    }

    static func collectStorageTypes(_ v: Pickle.Value, into types: inout [String: ScalarType]) {
        switch v {
        case let .tensor(t):
            types[t.storage.view?.key ?? t.storage.key] = t.storage.type
        case let .dict(d): for x in d.values { collectStorageTypes(x, into: &types) }
        case let .list(l): for x in l.items { collectStorageTypes(x, into: &types) }
        case let .tuple(t): for x in t { collectStorageTypes(x, into: &types) }
        case let .object(_, args): for x in args { collectStorageTypes(x, into: &types) }
        default: break
        }
    }

    // MARK: - Tensors from storages

    /// Walks the unpickled root, turning every tensor into a contiguous Float
    /// tensor; `locate` gives the byte range of a storage (nil when missing).
    static func materialize(_ root: Pickle.Value, name: String, bytes: [UInt8],
                            locate: (Pickle.StorageRef) throws -> Range<Int>?) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        func walk(_ v: Pickle.Value, _ prefix: String) throws {
            switch v {
            case let .dict(d):
                for (k, x) in zip(d.keys, d.values) {
                    let ks = k.stringValue ?? k.intValue.map(String.init) ?? "?"
                    try walk(x, prefix.isEmpty ? ks : prefix + "." + ks)
                }
            case let .tensor(t):
                guard let range = try locate(t.storage) else {
                    throw CheckpointError.tensor(name, key: prefix, detail: "storage \(t.storage.key) missing")
                }
                out[prefix] = try gather(t, bytes: bytes, range: range, name: name, key: prefix)
            default:
                break
            }
        }
        try walk(root, "")
        if out.isEmpty { throw CheckpointError.noTensors(name) }
        return out
    }

    /// Copies a strided view of a storage into a row-major Float array.
    static func gather(_ t: Pickle.TensorRef, bytes: [UInt8], range: Range<Int>,
                       name: String, key: String) throws -> Tensor {
        let type = t.storage.type
        let available = range.count / type.size
        var count = 1
        for s in t.size {
            guard s >= 0 else { throw CheckpointError.tensor(name, key: key, detail: "negative size") }
            let (p, o) = count.multipliedReportingOverflow(by: s)
            guard !o else { throw CheckpointError.tensor(name, key: key, detail: "size overflows") }
            count = p
        }
        if count > 0 {
            var last = t.offset
            for (s, st) in zip(t.size, t.stride) {
                guard st >= 0 else { throw CheckpointError.tensor(name, key: key, detail: "negative stride") }
                let (p, o) = (s - 1).multipliedReportingOverflow(by: st)
                guard !o else { throw CheckpointError.tensor(name, key: key, detail: "stride overflows") }
                last += p
            }
            guard t.offset >= 0, last < available else {
                throw CheckpointError.tensor(name, key: key, detail: "shape \(t.size) with strides \(t.stride) exceeds its storage of \(available) elements")
            }
        }
        var values = [Float](repeating: 0, count: count)
        if count == 0 { return Tensor(shape: t.size, values: values) }
        bytes.withUnsafeBytes { raw in
            let base = range.lowerBound
            let n = t.size.count
            if n == 0 { values[0] = type.load(raw, base: base, index: t.offset); return }
            var index = [Int](repeating: 0, count: n)
            var src = t.offset
            let inner = t.size[n - 1], innerStride = t.stride[n - 1]
            var o = 0
            outer: while true {
                var s = src
                for _ in 0..<inner { values[o] = type.load(raw, base: base, index: s); o += 1; s += innerStride }
                var d = n - 2
                while d >= 0 {
                    index[d] += 1
                    src += t.stride[d]
                    if index[d] < t.size[d] { continue outer }
                    src -= t.stride[d] * t.size[d]
                    index[d] = 0
                    d -= 1
                }
                break
            }
        }
        return Tensor(shape: t.size, values: values)
    }
}
