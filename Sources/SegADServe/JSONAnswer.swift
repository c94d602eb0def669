/// A small JSON writer for the service's answers (SegADCore's `JSONText`
/// reads and writes artifact configurations through JSONSerialization):
/// numbers are written as Swift prints them (the shortest text that reads
/// back to the same Double), so a score in an answer has the bytes of
/// score-new's scores.csv (docs/serving.md).
/// JSONSerialization's number formatting differs between platforms.
public indirect enum JSONAnswer: Sendable {
    case string(String)
    case number(Double)
    case float(Float)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONAnswer])
    case object([(String, JSONAnswer)])

    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .string(let s): Self.quote(s, into: &out)
        case .number(let d): out += d.isFinite ? "\(d)" : "null"
        case .float(let f): out += f.isFinite ? "\(f)" : "null"
        case .int(let i): out += "\(i)"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"  // never closes a <script> it is embedded in
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
