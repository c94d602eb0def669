import Foundation

/// The manifest file's schema (docs/manifest.md) as Codable types: what is
/// read and what is written go through the same keys.
///
/// Each level's `CodingKeys` is the list of keys it may hold. JSONDecoder
/// ignores keys a type does not name, so every `init(from:)` first compares
/// the keys present (`AnyKey`) with its `CodingKeys` and refuses the first
/// unknown one (sorted). Structural faults (unknown keys, wrong types,
/// labels, ids, seed keys, role names) are thrown here as a `Fault` whose
/// text is the message after the file name; the rules between levels (ids
/// named by the seeds, labels per role, train/test overlap) are
/// `Manifest.init(validating:path:)`.
struct ManifestFile: Codable {
    var format: String
    var version: Int
    var name: String
    var className: String?
    var root: String?
    var description: String?
    var items: [Item]
    /// Seeds in ascending order of their key.
    var seeds: [Seed]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, version, name, className = "class", root, description, items, seeds
    }

    /// One entry of `items`.
    struct Item: Codable {
        var id: String
        var label: Label
        var image: String?
        var maps: [String: String]
        var segmentation: String?
        var tags: [String]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, label, image, maps, segmentation, tags
        }
    }

    /// One entry of `seeds`: the key as written, its value, and role → ids
    /// in ascending order of the role's name.
    struct Seed {
        var key: String
        var seed: Int
        var roles: [(role: Manifest.Role, ids: [String])]
    }

    /// A structural fault: the message after `FILE: `.
    struct Fault: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Any string key, to list the keys an object holds.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The first key (sorted) of `container` that `Keys` does not name.
    static func unknownKey<Keys: CodingKey & CaseIterable>(in container: KeyedDecodingContainer<AnyKey>,
                                                           allowed _: Keys.Type) -> String? {
        let allowed = Set(Keys.allCases.map(\.stringValue))
        return container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted().first
    }

    /// A key that may be absent; present, it must hold a string (not null).
    static func optionalString<Keys: CodingKey>(_ c: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> String? {
        guard c.contains(key) else { return nil }
        guard let s = try? c.decode(String.self, forKey: key) else { throw Fault("'\(key.stringValue)' must be a string") }
        return s
    }

    init(format: String = Manifest.format, version: Int = Manifest.currentVersion, name: String,
         className: String?, root: String? = nil, description: String? = nil, items: [Item], seeds: [Seed]) {
        self.format = format; self.version = version; self.name = name; self.className = className
        self.root = root; self.description = description; self.items = items; self.seeds = seeds
    }

    init(from decoder: Decoder) throws {
        guard let keys = try? decoder.container(keyedBy: AnyKey.self) else {
            throw Fault("manifest must be a JSON object")
        }
        if let unknown = Self.unknownKey(in: keys, allowed: CodingKeys.self) {
            let allowed = CodingKeys.allCases.map(\.stringValue).sorted().joined(separator: ", ")
            throw Fault("unknown key '\(unknown)' (allowed: \(allowed))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard (try? c.decode(String.self, forKey: .format)) == Manifest.format else {
            throw Fault("'format' must be \"\(Manifest.format)\"")
        }
        format = Manifest.format
        guard let version = try? c.decode(Int.self, forKey: .version) else { throw Fault("'version' must be an integer") }
        if version > Manifest.currentVersion {
            throw Fault("manifest version \(version) is newer than this tool reads (\(Manifest.currentVersion)); update segad")
        }
        if version < 1 { throw Fault("'version' must be ≥ 1") }
        self.version = version
        guard let name = try? c.decode(String.self, forKey: .name), !name.isEmpty else {
            throw Fault("'name' must be a non-empty string")
        }
        self.name = name
        className = try Self.optionalString(c, .className)
        root = try Self.optionalString(c, .root)
        description = try Self.optionalString(c, .description)

        guard var list = try? c.nestedUnkeyedContainer(forKey: .items) else { throw Fault("'items' must be an array") }
        if list.count == 0 { throw Fault("'items' is empty") }
        items = []
        items.reserveCapacity(list.count ?? 0)
        var seen: [String: Int] = [:]
        while !list.isAtEnd {
            let n = list.currentIndex
            let item = try Item(from: try list.superDecoder(), number: n)
            if let fault = Bounds.idFault(item.id) {
                throw Fault("item \(n): id '\(item.id.prefix(60))\(item.id.count > 60 ? "…" : "")' \(fault)")
            }
            if let first = seen[item.id] { throw Fault("duplicate id '\(item.id)' (items \(first) and \(n))") }
            seen[item.id] = n
            items.append(item)
        }

        guard let seedsObject = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: .seeds) else {
            throw Fault("'seeds' must be an object mapping each seed to its roles")
        }
        if seedsObject.allKeys.isEmpty { throw Fault("'seeds' is empty") }
        seeds = []
        for key in seedsObject.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let k = key.stringValue
            guard let seed = Bounds.canonicalSeed(k) else {
                throw Fault("seed '\(k)' is not a canonical integer in 0…4294967295 (write 7, not 07 or +7)")
            }
            guard let rolesObject = try? seedsObject.nestedContainer(keyedBy: AnyKey.self, forKey: key) else {
                throw Fault("seed \(k): must map roles to id lists")
            }
            var roles: [(role: Manifest.Role, ids: [String])] = []
            for roleKey in rolesObject.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                let roleName = roleKey.stringValue
                guard let role = Manifest.Role(rawValue: roleName) else {
                    throw Fault("seed \(k): unknown role '\(roleName)' (roles: \(Manifest.Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard let ids = try? rolesObject.decode([String].self, forKey: roleKey) else {
                    throw Fault("seed \(k): '\(roleName)' must be a list of ids")
                }
                roles.append((role, ids))
            }
            seeds.append(Seed(key: k, seed: seed, roles: roles))
        }
    }

    /// The canonical form: sorted keys (by the serializer), `class` only when
    /// it differs from `name`, empty `maps` and `tags` left out.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(className, forKey: .className)
        try c.encodeIfPresent(root, forKey: .root)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(items, forKey: .items)
        var s = c.nestedContainer(keyedBy: AnyKey.self, forKey: .seeds)
        for seed in seeds {
            var r = s.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(seed.key))
            for (role, ids) in seed.roles { try r.encode(ids, forKey: AnyKey(role.rawValue)) }
        }
    }
}

extension ManifestFile.Item {
    init(from decoder: Decoder) throws {
        let n = decoder.codingPath.last?.intValue ?? 0
        try self.init(from: decoder, number: n)
    }

    /// Item `n` of `items`; faults name it by number until its id is known.
    init(from decoder: Decoder, number n: Int) throws {
        typealias Fault = ManifestFile.Fault
        guard let keys = try? decoder.container(keyedBy: ManifestFile.AnyKey.self) else {
            throw Fault("item \(n) must be an object")
        }
        if let unknown = ManifestFile.unknownKey(in: keys, allowed: CodingKeys.self) {
            throw Fault("item \(n): unknown key '\(unknown)'")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = try? c.decode(String.self, forKey: .id), !id.isEmpty else {
            throw Fault("item \(n): 'id' must be a non-empty string")
        }
        guard let labelName = try? c.decode(String.self, forKey: .label), let label = Label(rawValue: labelName) else {
            throw Fault("item '\(id)': 'label' must be one of \(Label.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.id = id
        self.label = label
        image = try ManifestFile.optionalString(c, .image)
        if c.contains(.maps) {
            guard let m = try? c.decode([String: String].self, forKey: .maps) else {
                throw Fault("item '\(id)': 'maps' must map detector names to paths")
            }
            maps = m
        } else {
            maps = [:]
        }
        segmentation = try ManifestFile.optionalString(c, .segmentation)
        if c.contains(.tags) {
            guard let t = try? c.decode([String].self, forKey: .tags) else {
                throw Fault("item '\(id)': 'tags' must be a list of strings")
            }
            tags = t
        } else {
            tags = []
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(label.rawValue, forKey: .label)
        try c.encodeIfPresent(image, forKey: .image)
        if !maps.isEmpty { try c.encode(maps, forKey: .maps) }
        try c.encodeIfPresent(segmentation, forKey: .segmentation)
        if !tags.isEmpty { try c.encode(tags, forKey: .tags) }
    }
}

extension ManifestFile {
    /// The first key given twice in one object of `data` (JSON already
    /// checked valid) and the line it is on, or nil. JSONSerialization keeps
    /// a repeated key's last value and JSONDecoder its first: the loader
    /// refuses the manifest rather than pick one. Keys are compared as
    /// written (an escaped spelling of the same key is not caught here).
    static func duplicateKey(in data: Data) -> (key: String, line: Int)? {
        data.withUnsafeBytes { raw -> (key: String, line: Int)? in
            let b = raw.bindMemory(to: UInt8.self)
            // Per open container: the keys seen (objects) or nil (arrays).
            var stack: [Set<ArraySlice<UInt8>>?] = []
            var expectKey = false
            var line = 1
            var i = 0
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\n"): line += 1
                case UInt8(ascii: "{"): stack.append([]); expectKey = true
                case UInt8(ascii: "["): stack.append(nil); expectKey = false
                case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast(); expectKey = false
                case UInt8(ascii: ","): expectKey = stack.last.map { $0 != nil } ?? false
                case UInt8(ascii: "\""):
                    let start = i + 1
                    i += 1
                    while i < b.count && b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                    if expectKey, !stack.isEmpty, stack[stack.count - 1] != nil {
                        let key = ArraySlice(b[start..<min(i, b.count)])
                        if !stack[stack.count - 1]!.insert(key).inserted {
                            return (String(decoding: key, as: UTF8.self), line)
                        }
                    }
                    expectKey = false
                default: break
                }
                i += 1
            }
            return nil
        }
    }
}
