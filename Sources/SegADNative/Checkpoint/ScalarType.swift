/// The element types a checkpoint may store, with their conversion to Float.
enum ScalarType: String, Sendable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// From a torch storage class name such as `FloatStorage`.
    init?(torchStorage name: String) {
        switch name {
        case "FloatStorage": self = .float32
        case "DoubleStorage": self = .float64
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }

    /// From a safetensors dtype such as `F32`.
    init?(safetensors name: String) {
        switch name {
        case "F32": self = .float32
        case "F64": self = .float64
        case "F16": self = .float16
        case "BF16": self = .bfloat16
        case "I64": self = .int64
        case "I32": self = .int32
        case "I16": self = .int16
        case "I8": self = .int8
        case "U8": self = .uint8
        case "BOOL": self = .bool
        default: return nil
        }
    }

    var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// The element at `index` of a little-endian buffer starting at `base`.
    /// The caller has checked that the element lies inside `bytes`.
    @inline(__always)
    func load(_ bytes: UnsafeRawBufferPointer, base: Int, index: Int) -> Float {
        let o = base + index * size
        switch self {
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
        case .float64:
            return Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self))))
        case .float16:
            return ScalarType.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
        case .bfloat16:
            let h = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self))
            return Float(bitPattern: UInt32(h) << 16)
        case .int64:
            return Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int64.self)))
        case .int32:
            return Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int32.self)))
        case .int16:
            return Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int16.self)))
        case .int8:
            return Float(Int8(bitPattern: bytes[o]))
        case .uint8, .bool:
            return Float(bytes[o])
        }
    }

    /// IEEE 754 binary16 → binary32, exact (every half is a float).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int(h >> 10) & 0x1F
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            // Zero or subnormal: mant · 2⁻²⁴.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13))
        }
        return Float(bitPattern: sign | (UInt32(exp - 15 + 127) << 23) | (mant << 13))
    }
}
