import Foundation
import SegADNative

extension Manifest {
    /// Reads and validates a manifest. Every fault is an `InputError` naming
    /// the file and, where it helps, the item: unknown keys, a newer version,
    /// duplicate or missing ids, labels and roles outside their sets, and
    /// splits that train on test rows.
    public static func load(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, FileManager.default.fileExists(atPath: path)
                             ? "cannot read manifest" : "no such file")
        }
        if data.isEmpty { throw InputError(path, "empty file; expected a JSON manifest") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw InputError(path, "not valid JSON (\(Self.jsonReason(error)))")
        }
        return try parse(json, path: path)
    }

    static func jsonReason(_ error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return (text ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
    }

    static func parse(_ json: Any, path: String) throws -> Manifest {
        func fail(_ fault: String) -> InputError { InputError(path, fault) }
        guard let top = json as? [String: Any] else { throw fail("manifest must be a JSON object") }
        let allowed: Set<String> = ["format", "version", "name", "class", "root", "items", "seeds", "description"]
        if let unknown = top.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw fail("unknown key '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        guard top["format"] as? String == format else {
            throw fail("'format' must be \"\(format)\"")
        }
        guard let version = top["version"] as? Int else {
            throw fail("'version' must be an integer")
        }
        if version > currentVersion {
            throw fail("manifest version \(version) is newer than this tool reads (\(currentVersion)); update segad")
        }
        if version < 1 { throw fail("'version' must be ≥ 1") }
        guard let name = top["name"] as? String, !name.isEmpty else { throw fail("'name' must be a non-empty string") }
        let className = try optionalString(top["class"], "class", path) ?? name
        let base = (path as NSString).deletingLastPathComponent
        var root = try optionalString(top["root"], "root", path) ?? "."
        if !root.hasPrefix("/") { root = (base.isEmpty ? "." : base) + "/" + root }
        root = (root as NSString).standardizingPath

        guard let rawItems = top["items"] as? [Any] else { throw fail("'items' must be an array") }
        if rawItems.isEmpty { throw fail("'items' is empty") }
        var items: [ManifestItem] = []
        items.reserveCapacity(rawItems.count)
        var seen: [String: Int] = [:]
        for (n, raw) in rawItems.enumerated() {
            let item = try parseItem(raw, number: n, path: path)
            if let fault = Bounds.idFault(item.id) {
                throw fail("item \(n): id '\(item.id.prefix(60))\(item.id.count > 60 ? "…" : "")' \(fault)")
            }
            if let first = seen[item.id] {
                throw fail("duplicate id '\(item.id)' (items \(first) and \(n))")
            }
            seen[item.id] = n
            items.append(item)
        }

        guard let rawSeeds = top["seeds"] as? [String: Any] else {
            throw fail("'seeds' must be an object mapping each seed to its roles")
        }
        if rawSeeds.isEmpty { throw fail("'seeds' is empty") }
        var seeds: [Int: [Role: [String]]] = [:]
        for (key, value) in rawSeeds {
            guard let seed = Bounds.canonicalSeed(key) else {
                throw fail("seed '\(key)' is not a canonical integer in 0…4294967295 (write 7, not 07 or +7)")
            }
            guard let roles = value as? [String: Any] else { throw fail("seed \(key): must map roles to id lists") }
            var parsed: [Role: [String]] = [:]
            for (roleName, list) in roles {
                guard let role = Role(rawValue: roleName) else {
                    throw fail("seed \(key): unknown role '\(roleName)' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard let ids = list as? [String] else { throw fail("seed \(key): '\(roleName)' must be a list of ids") }
                var inRole = Set<String>()
                for id in ids {
                    guard let at = seen[id] else { throw fail("seed \(key): '\(roleName)' names unknown id '\(id)'") }
                    if !inRole.insert(id).inserted { throw fail("seed \(key): id '\(id)' twice in '\(roleName)'") }
                    if role == .segadTrain || role == .classifierTrain || role == .detectorTrain {
                        let label = items[at].label
                        if role == .detectorTrain ? label != .good : !(label == .good || label == .bad) {
                            throw fail("seed \(key): '\(roleName)' has '\(id)' labelled \(label.rawValue)")
                        }
                    }
                }
                parsed[role] = ids
            }
            let test = Set(parsed[.test] ?? [])
            for role in [Role.segadTrain, .detectorTrain, .classifierTrain] {
                if let clash = (parsed[role] ?? []).first(where: test.contains) {
                    throw fail("seed \(key): '\(clash)' is both in '\(role.rawValue)' and in 'test'")
                }
            }
            seeds[seed] = parsed
        }
        return Manifest(name: name, className: className, items: items, seeds: seeds, root: root, path: path)
    }

    private static func optionalString(_ value: Any?, _ key: String, _ path: String) throws -> String? {
        guard let value else { return nil }
        guard let s = value as? String else { throw InputError(path, "'\(key)' must be a string") }
        return s
    }

    private static func parseItem(_ raw: Any, number n: Int, path: String) throws -> ManifestItem {
        guard let object = raw as? [String: Any] else { throw InputError(path, "item \(n) must be an object") }
        let allowed: Set<String> = ["id", "label", "image", "maps", "segmentation", "tags"]
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw InputError(path, "item \(n): unknown key '\(unknown)'")
        }
        guard let id = object["id"] as? String, !id.isEmpty else {
            throw InputError(path, "item \(n): 'id' must be a non-empty string")
        }
        guard let labelName = object["label"] as? String, let label = Label(rawValue: labelName) else {
            throw InputError(path, "item '\(id)': 'label' must be one of \(Label.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let image = try optionalString(object["image"], "image", path)
        var maps: [String: String] = [:]
        if let rawMaps = object["maps"] {
            guard let m = rawMaps as? [String: String] else {
                throw InputError(path, "item '\(id)': 'maps' must map detector names to paths")
            }
            maps = m
        }
        let segmentation = try optionalString(object["segmentation"], "segmentation", path)
        var tags: [String] = []
        if let rawTags = object["tags"] {
            guard let t = rawTags as? [String] else { throw InputError(path, "item '\(id)': 'tags' must be a list of strings") }
            tags = t
        }
        return ManifestItem(id: id, label: label, image: image, maps: maps, segmentation: segmentation, tags: tags)
    }
}

extension Manifest {
    /// Serializes the manifest in its canonical form (sorted keys, items in order).
    public func jsonData() throws -> Data {
        var seedsObject: [String: Any] = [:]
        for (seed, roles) in seeds {
            var r: [String: Any] = [:]
            for (role, ids) in roles { r[role.rawValue] = ids }
            seedsObject[String(seed)] = r
        }
        let itemObjects: [[String: Any]] = items.map { item in
            var o: [String: Any] = ["id": item.id, "label": item.label.rawValue]
            if let image = item.image { o["image"] = image }
            if !item.maps.isEmpty { o["maps"] = item.maps }
            if let s = item.segmentation { o["segmentation"] = s }
            if !item.tags.isEmpty { o["tags"] = item.tags }
            return o
        }
        var top: [String: Any] = ["format": Self.format, "version": Self.currentVersion, "name": name,
                                  "items": itemObjects, "seeds": seedsObject]
        if className != name { top["class"] = className }
        return try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .prettyPrinted])
    }
}
