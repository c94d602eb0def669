/// A minimal pickle virtual machine: enough of protocols 0–5 to read what
/// `torch.save` writes for state dicts (dicts, OrderedDicts, tuples, lists,
/// numbers, strings, globals, REDUCE of the torch rebuild functions, and
/// persistent ids for storages). It never executes anything: a global is
/// just its name, and REDUCE of an unknown callable yields an opaque object.
///
/// Reference: CPython's Lib/pickle.py opcode table (read for definitions).
struct Pickle {
    /// A fault while unpickling, with the byte offset where it happened.
    struct Fault: Error { var message: String }

    final class ListBox { var items: [Value] = [] }
    final class DictBox {
        var keys: [Value] = []
        var values: [Value] = []
        func set(_ k: Value, _ v: Value) {
            if let i = keys.firstIndex(where: { $0.sameKey(k) }) { values[i] = v } else { keys.append(k); values.append(v) }
        }
    }

    /// A reference to a typed storage: `('storage', torch.XStorage, key, location, numel[, view])`.
    struct StorageRef {
        var type: ScalarType
        var key: String
        var numel: Int
        /// Legacy views: (root key, element offset, element count) of another storage.
        var view: (key: String, offset: Int, count: Int)?
    }

    /// A tensor described by `_rebuild_tensor_v2(storage, offset, size, stride, …)`.
    struct TensorRef {
        var storage: StorageRef
        var offset: Int
        var size: [Int]
        var stride: [Int]
    }

    indirect enum Value {
        case none
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case bytes([UInt8])
        case tuple([Value])
        case list(ListBox)
        case dict(DictBox)
        case global(module: String, name: String)
        case storage(StorageRef)
        case tensor(TensorRef)
        case object(callable: String, args: [Value])
        case mark

        func sameKey(_ other: Value) -> Bool {
            switch (self, other) {
            case let (.string(a), .string(b)): return a == b
            case let (.int(a), .int(b)): return a == b
            default: return false
            }
        }

        var intValue: Int? { if case let .int(v) = self { return v }; return nil }
        var stringValue: String? { if case let .string(v) = self { return v }; return nil }
        var tupleValue: [Value]? {
            switch self {
            case let .tuple(v): return v
            case let .list(b): return b.items
            default: return nil
            }
        }
    }

    /// Unpickles one object starting at the reader's position, leaving the
    /// reader just after its STOP opcode.
    static func load(_ r: inout ByteReader) throws -> Value {
        var stack: [Value] = []
        var marks: [Int] = []
        var memo: [Int: Value] = [:]

        func pop() throws -> Value {
            guard let v = stack.popLast() else { throw Fault(message: "stack underflow") }
            return v
        }
        func popMark() throws -> [Value] {
            guard let m = marks.popLast(), m <= stack.count else { throw Fault(message: "MARK missing") }
            let items = Array(stack[m...])
            stack.removeSubrange(m...)
            return items
        }
        func top() throws -> Value {
            guard let v = stack.last else { throw Fault(message: "stack underflow") }
            return v
        }
        func utf8(_ s: ArraySlice<UInt8>) throws -> String {
            guard let str = String(validating: s, as: UTF8.self) else { throw Fault(message: "invalid UTF-8 string") }
            return str
        }
        func length(_ n: UInt64) throws -> Int {
            guard n <= UInt64(r.remaining) else { throw ByteReader.Truncated() }
            return Int(n)
        }

        while true {
            let at = r.position
            let op = try r.u8()
            switch op {
            case 0x80: _ = try r.u8()                                 // PROTO
            case 0x95: _ = try r.u64()                                // FRAME
            case 0x2E: return try pop()                               // STOP '.'
            case 0x28: marks.append(stack.count)                      // MARK '('
            case 0x4E: stack.append(.none)                            // NONE
            case 0x88: stack.append(.bool(true))                      // NEWTRUE
            case 0x89: stack.append(.bool(false))                     // NEWFALSE
            case 0x4A: stack.append(.int(try r.i32()))                // BININT
            case 0x4B: stack.append(.int(Int(try r.u8())))            // BININT1
            case 0x4D: stack.append(.int(try r.u16()))                // BININT2
            case 0x8A, 0x8B:                                          // LONG1, LONG4
                let n = op == 0x8A ? Int(try r.u8()) : try length(UInt64(try r.u32()))
                let b = try r.take(n)
                if n == 0 { stack.append(.int(0)); break }
                if n > 8 {
                    // Only torch's legacy magic number is this long; keep it as bytes.
                    stack.append(.bytes(Array(b))); break
                }
                var v: UInt64 = 0
                for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
                if n < 8, b.last! & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x49:                                                // INT (text)
                let s = try utf8(try r.line())
                if s == "00" { stack.append(.bool(false)) } else if s == "01" { stack.append(.bool(true)) }
                else if let v = Int(s) { stack.append(.int(v)) } else { throw Fault(message: "bad INT \(s)") }
            case 0x4C:                                                // LONG (text)
                var s = try utf8(try r.line())
                if s.hasSuffix("L") { s.removeLast() }
                guard let v = Int(s) else { throw Fault(message: "bad LONG \(s)") }
                stack.append(.int(v))
            case 0x47:                                                // BINFLOAT (big-endian)
                let b = try r.take(8)
                var v: UInt64 = 0
                for x in b { v = (v << 8) | UInt64(x) }
                stack.append(.float(Double(bitPattern: v)))
            case 0x46:                                                // FLOAT (text)
                let s = try utf8(try r.line())
                guard let v = Double(s) else { throw Fault(message: "bad FLOAT \(s)") }
                stack.append(.float(v))
            case 0x58: stack.append(.string(try utf8(try r.take(try length(UInt64(try r.u32()))))))  // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try r.take(Int(try r.u8())))))             // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try r.take(try length(try r.u64())))))     // BINUNICODE8
            case 0x54: stack.append(.string(try utf8(try r.take(try length(UInt64(try r.u32())))))) // BINSTRING
            case 0x55: stack.append(.string(try utf8(try r.take(Int(try r.u8())))))             // SHORT_BINSTRING
            case 0x42: stack.append(.bytes(Array(try r.take(try length(UInt64(try r.u32()))))))  // BINBYTES
            case 0x43: stack.append(.bytes(Array(try r.take(Int(try r.u8())))))                 // SHORT_BINBYTES
            case 0x8E: stack.append(.bytes(Array(try r.take(try length(try r.u64())))))         // BINBYTES8
            case 0x29: stack.append(.tuple([]))                       // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))            // TUPLE
            case 0x85: let a = try pop(); stack.append(.tuple([a]))   // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))                // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c])) // TUPLE3
            case 0x5D: stack.append(.list(ListBox()))                 // EMPTY_LIST
            case 0x6C: let l = ListBox(); l.items = try popMark(); stack.append(.list(l))            // LIST
            case 0x7D: stack.append(.dict(DictBox()))                 // EMPTY_DICT
            case 0x64:                                                // DICT
                let items = try popMark()
                guard items.count % 2 == 0 else { throw Fault(message: "odd DICT items") }
                let d = DictBox()
                for i in stride(from: 0, to: items.count, by: 2) { d.set(items[i], items[i + 1]) }
                stack.append(.dict(d))
            case 0x61:                                                // APPEND
                let v = try pop()
                guard case let .list(l) = try top() else { throw Fault(message: "APPEND to a non-list") }
                l.items.append(v)
            case 0x65:                                                // APPENDS
                let items = try popMark()
                guard case let .list(l) = try top() else { throw Fault(message: "APPENDS to a non-list") }
                l.items.append(contentsOf: items)
            case 0x73:                                                // SETITEM
                let v = try pop(), k = try pop()
                guard case let .dict(d) = try top() else { throw Fault(message: "SETITEM on a non-dict") }
                d.set(k, v)
            case 0x75:                                                // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw Fault(message: "odd SETITEMS items") }
                guard case let .dict(d) = try top() else { throw Fault(message: "SETITEMS on a non-dict") }
                for i in stride(from: 0, to: items.count, by: 2) { d.set(items[i], items[i + 1]) }
            case 0x30: _ = try pop()                                  // POP
            case 0x31: _ = try popMark()                              // POP_MARK
            case 0x32: stack.append(try top())                        // DUP
            case 0x71: memo[Int(try r.u8())] = try top()              // BINPUT
            case 0x72: memo[try r.u32()] = try top()                  // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                   // MEMOIZE
            case 0x70:                                                // PUT (text)
                guard let i = Int(try utf8(try r.line())) else { throw Fault(message: "bad PUT") }
                memo[i] = try top()
            case 0x68, 0x6A, 0x67:                                    // BINGET, LONG_BINGET, GET
                let i: Int
                if op == 0x68 { i = Int(try r.u8()) } else if op == 0x6A { i = try r.u32() }
                else { guard let v = Int(try utf8(try r.line())) else { throw Fault(message: "bad GET") }; i = v }
                guard let v = memo[i] else { throw Fault(message: "memo \(i) missing") }
                stack.append(v)
            case 0x63:                                                // GLOBAL
                let module = try utf8(try r.line()), name = try utf8(try r.line())
                stack.append(.global(module: module, name: name))
            case 0x93:                                                // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let m = module.stringValue, let n = name.stringValue else { throw Fault(message: "STACK_GLOBAL of non-strings") }
                stack.append(.global(module: m, name: n))
            case 0x51:                                                // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x50:                                                // PERSID (text)
                stack.append(try persistent(.string(try utf8(try r.line()))))
            case 0x52:                                                // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args.tupleValue ?? []))
            case 0x81:                                                // NEWOBJ
                let args = try pop(), cls = try pop()
                stack.append(try reduce(cls, args.tupleValue ?? []))
            case 0x62:                                                // BUILD: state is ignored
                _ = try pop()
            default:
                throw Fault(message: String(format: "unknown pickle opcode 0x%02x at byte %d", op, at))
            }
        }
    }

    /// torch's persistent ids name storages: ('storage', torch.XStorage, key, location, numel[, view]).
    static func persistent(_ pid: Value) throws -> Value {
        guard let t = pid.tupleValue, t.count >= 5, t[0].stringValue == "storage",
              case let .global(_, typeName) = t[1] else {
            throw Fault(message: "unsupported persistent id")
        }
        guard let type = ScalarType(torchStorage: typeName) else { throw Fault(message: "unsupported storage type \(typeName)") }
        guard let key = t[2].stringValue ?? t[2].intValue.map(String.init), let numel = t[4].intValue, numel >= 0 else {
            throw Fault(message: "malformed storage id")
        }
        var ref = StorageRef(type: type, key: key, numel: numel, view: nil)
        if t.count >= 6, let v = t[5].tupleValue, v.count == 3,
           let vk = v[0].stringValue, let off = v[1].intValue, let n = v[2].intValue {
            ref.view = (vk, off, n)
        }
        return .storage(ref)
    }

    static func reduce(_ callable: Value, _ args: [Value]) throws -> Value {
        guard case let .global(module, name) = callable else {
            return .object(callable: "?", args: args)
        }
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            guard args.count >= 4, case let .storage(s) = args[0], let off = args[1].intValue,
                  let size = args[2].tupleValue?.compactMap({ $0.intValue }),
                  let stride = args[3].tupleValue?.compactMap({ $0.intValue }),
                  size.count == stride.count, size.count == args[2].tupleValue?.count else {
                throw Fault(message: "malformed \(name) arguments")
            }
            return .tensor(TensorRef(storage: s, offset: off, size: size, stride: stride))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let first = args.first else { throw Fault(message: "malformed \(name) arguments") }
            return first
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            return .dict(DictBox())
        default:
            return .object(callable: "\(module).\(name)", args: args)
        }
    }
}
