import Foundation

/// The manifest file's schema (docs/manifest.md) as Codable types: what is
/// read and what is written go through the same keys.
///
/// Each level's `CodingKeys` is the list of keys it may hold. JSONDecoder
/// ignores keys a type does not name, so every `init(from:)` first compares
/// the keys present (`AnyKey`) with its `CodingKeys` and refuses the first
/// unknown one (sorted). Structural faults (unknown keys, wrong types,
/// labels, ids, seed keys, role names) are thrown here as a `ManifestError`
/// naming the file the decoder's `userInfo[.manifestPath]` gives; the rules between levels (ids
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

    /// The manifest's path, for faults (`userInfo[.manifestPath]`).
    static func path(_ decoder: Decoder) -> String { decoder.userInfo[.manifestPath] as? String ?? "" }

    /// A decoder whose faults name `path`.
    static func decoder(path: String) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[.manifestPath] = path
        return decoder
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
    static func optionalString<Keys: CodingKey>(_ c: KeyedDecodingContainer<Keys>, _ key: Keys, path: String) throws -> String? {
        guard c.contains(key) else { return nil }
        guard let s = try? c.decode(String.self, forKey: key) else {
            throw ManifestError.mustBe(path, key: key.stringValue, what: "a string")
        }
        return s
    }

    init(format: String = Manifest.format, version: Int = Manifest.currentVersion, name: String,
         className: String?, root: String? = nil, description: String? = nil, items: [Item], seeds: [Seed]) {
        self.format = format; self.version = version; self.name = name; self.className = className
        self.root = root; self.description = description; self.items = items; self.seeds = seeds
    }

    init(from decoder: Decoder) throws {
        let path = Self.path(decoder)
        guard let keys = try? decoder.container(keyedBy: AnyKey.self) else { throw ManifestError.notAnObject(path) }
        if let unknown = Self.unknownKey(in: keys, allowed: CodingKeys.self) {
            throw ManifestError.unknownKey(path, key: unknown, allowed: CodingKeys.allCases.map(\.stringValue).sorted())
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard (try? c.decode(String.self, forKey: .format)) == Manifest.format else {
            throw ManifestError.mustBe(path, key: "format", what: "\"\(Manifest.format)\"")
        }
        format = Manifest.format
        guard let version = try? c.decode(Int.self, forKey: .version) else {
            throw ManifestError.mustBe(path, key: "version", what: "an integer")
        }
        if version > Manifest.currentVersion {
            throw ManifestError.newerVersion(path, version: version, reads: Manifest.currentVersion)
        }
        if version < 1 { throw ManifestError.mustBe(path, key: "version", what: "≥ 1") }
        self.version = version
        guard let name = try? c.decode(String.self, forKey: .name), !name.isEmpty else {
            throw ManifestError.mustBe(path, key: "name", what: "a non-empty string")
        }
        self.name = name
        className = try Self.optionalString(c, .className, path: path)
        root = try Self.optionalString(c, .root, path: path)
        description = try Self.optionalString(c, .description, path: path)

        guard var list = try? c.nestedUnkeyedContainer(forKey: .items) else {
            throw ManifestError.mustBe(path, key: "items", what: "an array")
        }
        if list.count == 0 { throw ManifestError.emptyList(path, key: "items") }
        items = []
        items.reserveCapacity(list.count ?? 0)
        var seen: [String: Int] = [:]
        while !list.isAtEnd {
            let n = list.currentIndex
            let item = try Item(from: try list.superDecoder(), number: n)
            if let fault = Bounds.idProblem(item.id) { throw ManifestError.invalidId(path, item: n, id: item.id, fault) }
            if let first = seen[item.id] { throw ManifestError.duplicateId(path, id: item.id, first: first, second: n) }
            seen[item.id] = n
            items.append(item)
        }

        guard let seedsObject = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: .seeds) else {
            throw ManifestError.mustBe(path, key: "seeds", what: "an object mapping each seed to its roles")
        }
        if seedsObject.allKeys.isEmpty { throw ManifestError.emptyList(path, key: "seeds") }
        seeds = []
        for key in seedsObject.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let k = key.stringValue
            guard let seed = Bounds.canonicalSeed(k) else { throw ManifestError.badSeedKey(path, seed: k) }
            guard let rolesObject = try? seedsObject.nestedContainer(keyedBy: AnyKey.self, forKey: key) else {
                throw ManifestError.seedNotAnObject(path, seed: k)
            }
            var roles: [(role: Manifest.Role, ids: [String])] = []
            for roleKey in rolesObject.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                let roleName = roleKey.stringValue
                guard let role = Manifest.Role(rawValue: roleName) else {
                    throw ManifestError.unknownRole(path, seed: k, role: roleName)
                }
                guard let ids = try? rolesObject.decode([String].self, forKey: roleKey) else {
                    throw ManifestError.roleNotAList(path, seed: k, role: roleName)
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
        let path = ManifestFile.path(decoder)
        guard let keys = try? decoder.container(keyedBy: ManifestFile.AnyKey.self) else {
            throw ManifestError.itemNotAnObject(path, item: n)
        }
        if let unknown = ManifestFile.unknownKey(in: keys, allowed: CodingKeys.self) {
            throw ManifestError.itemUnknownKey(path, item: n, key: unknown)
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = try? c.decode(String.self, forKey: .id), !id.isEmpty else {
            throw ManifestError.itemNoId(path, item: n)
        }
        guard let labelName = try? c.decode(String.self, forKey: .label), let label = Label(rawValue: labelName) else {
            throw ManifestError.badLabel(path, id: id)
        }
        self.id = id
        self.label = label
        image = try ManifestFile.optionalString(c, .image, path: path)
        if c.contains(.maps) {
            guard let m = try? c.decode([String: String].self, forKey: .maps) else {
                throw ManifestError.badMaps(path, id: id)
            }
            maps = m
        } else {
            maps = [:]
        }
        segmentation = try ManifestFile.optionalString(c, .segmentation, path: path)
        if c.contains(.tags) {
            guard let t = try? c.decode([String].self, forKey: .tags) else {
                throw ManifestError.badTags(path, id: id)
            }
            // Artifacts store an item's tags comma-joined in one string.
            if let bad = t.first(where: { $0.isEmpty || $0.contains(",") }) {
                throw ManifestError.badTag(path, id: id, tag: bad)
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

extension CodingUserInfoKey {
    /// The manifest file being decoded (a `String`), named by its faults.
    static let manifestPath = CodingUserInfoKey(rawValue: "segad.manifestPath")!
}
