import Foundation

/// safetensors: u64 little-endian header length N, N bytes of JSON
/// `{NAME: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`,
/// then the data; offsets are relative to the end of the header.
extension Checkpoint {
    static func loadSafetensors(_ bytes: [UInt8], name: String) throws -> [String: Tensor] {
        var r = ByteReader(bytes)
        let n = try r.u64()
        guard n <= UInt64(r.remaining) else { throw CheckpointError.safetensors(name, detail: "header length \(n) exceeds the file") }
        let header = try r.take(Int(n))
        let dataStart = r.position
        guard let json = try? JSONSerialization.jsonObject(with: Data(header)) as? [String: Any] else {
            throw CheckpointError.safetensors(name, detail: "header is not a JSON object")
        }
        var out: [String: Tensor] = [:]
        for (key, value) in json where key != "__metadata__" {
            guard let info = value as? [String: Any], let dt = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offs = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offs.count == 2 else {
                throw CheckpointError.tensor(name, key: key, detail: "malformed header entry")
            }
            guard let type = ScalarType(safetensors: dt) else { throw CheckpointError.tensor(name, key: key, detail: "unsupported dtype \(dt)") }
            guard offs[0] >= 0, offs[0] <= offs[1], offs[1] <= bytes.count - dataStart else {
                throw CheckpointError.tensor(name, key: key, detail: "data offsets \(offs) exceed the file (truncated?)")
            }
            // Contiguous row-major strides.
            var stride = [Int](repeating: 1, count: shape.count)
            var acc = 1
            for d in stride.indices.reversed() {
                stride[d] = acc
                let (p, o) = acc.multipliedReportingOverflow(by: max(shape[d], 1))
                guard !o else { throw CheckpointError.tensor(name, key: key, detail: "shape overflows") }
                acc = p
            }
            // Checked arithmetic: a corrupt header's shape may be negative or overflow.
            guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError.tensor(name, key: key, detail: "negative dimension in shape \(shape)") }
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw CheckpointError.tensor(name, key: key, detail: "shape overflows") }
                count = p
            }
            let (needed, o) = count.multipliedReportingOverflow(by: type.size)
            guard !o, needed == offs[1] - offs[0] else {
                throw CheckpointError.tensor(name, key: key, detail: "shape \(shape) needs \(o ? "too many" : String(needed)) bytes, header gives \(offs[1] - offs[0])")
            }
            let ref = Pickle.TensorRef(storage: .init(type: type, key: key, numel: count, view: nil),
                                       offset: 0, size: shape, stride: stride)
            out[key] = try gather(ref, bytes: bytes, range: (dataStart + offs[0])..<(dataStart + offs[1]), name: name, key: key)
        }
        if out.isEmpty { throw CheckpointError.noTensors(name) }
        return out
    }
}
