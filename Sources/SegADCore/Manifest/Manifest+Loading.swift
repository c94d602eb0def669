import Foundation
import SegADNative

extension Manifest {
    /// Reads and validates a manifest. Every fault is a `ManifestError` naming
    /// the file and, where it helps, the item: unknown keys at any level, a
    /// newer version, duplicate or missing ids, labels and roles outside
    /// their sets, and splits that train on test rows.
    ///
    /// The bytes are first parsed by JSONSerialization, the strict RFC 8259
    /// parser whose reasons the "not valid JSON" message quotes (JSONDecoder
    /// accepts leading zeros, raw control characters and lone surrogates);
    /// a key given twice in one object is refused (the two parsers would
    /// keep different values); then they are decoded as a `ManifestFile`.
    public static func load(path: String) throws -> Manifest {
        guard let data = try RegularFile.contents(atPath: path) else {
            throw FileManager.default.fileExists(atPath: path) ? ManifestError.cannotRead(path) : .noSuchFile(path)
        }
        if data.isEmpty { throw ManifestError.emptyFile(path) }
        do { _ = try JSONSerialization.jsonObject(with: data) } catch {
            throw ManifestError.notJSON(path, reason: Self.jsonReason(error))
        }
        if let (key, line) = ManifestFile.duplicateKey(in: data) {
            throw ManifestError.keyGivenTwice(path, key: key, line: line)
        }
        let file: ManifestFile
        do { file = try ManifestFile.decoder(path: path).decode(ManifestFile.self, from: data) } catch let fault as ManifestError {
            throw fault
        } catch {
            throw ManifestError.notJSON(path, reason: Self.jsonReason(error))
        }
        return try Manifest(validating: file, path: path)
    }

    static func jsonReason(_ error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return (text ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
    }

    /// The rules between the file's parts: every id a seed names is an item,
    /// at most once per role; training roles hold good (and for SegAD and
    /// the classifier, bad) items only; no id is both trained on and tested.
    init(validating file: ManifestFile, path: String) throws {
        let base = (path as NSString).deletingLastPathComponent
        var root = file.root ?? "."
        if !root.hasPrefix("/") { root = (base.isEmpty ? "." : base) + "/" + root }
        root = (root as NSString).standardizingPath

        let items = file.items.map {
            ManifestItem(id: $0.id, label: $0.label, image: $0.image, maps: $0.maps,
                         segmentation: $0.segmentation, tags: $0.tags)
        }
        var index: [String: Int] = [:]
        for (n, item) in items.enumerated() { index[item.id] = n }

        var seeds: [Int: [Role: [String]]] = [:]
        for entry in file.seeds {
            let key = entry.key
            var parsed: [Role: [String]] = [:]
            for (role, ids) in entry.roles {
                    var inRole = Set<String>()
                for id in ids {
                    guard let at = index[id] else { throw ManifestError.unknownId(path, seed: key, role: role, id: id) }
                    if !inRole.insert(id).inserted { throw ManifestError.idTwiceInRole(path, seed: key, role: role, id: id) }
                    if role == .segadTrain || role == .classifierTrain || role == .detectorTrain {
                        let label = items[at].label
                        if role == .detectorTrain ? label != .good : !(label == .good || label == .bad) {
                            throw ManifestError.wrongLabel(path, seed: key, role: role, id: id, label: label)
                        }
                    }
                }
                parsed[role] = ids
            }
            let test = Set(parsed[.test] ?? [])
            for role in [Role.segadTrain, .detectorTrain, .classifierTrain] {
                if let clash = (parsed[role] ?? []).first(where: test.contains) {
                    throw ManifestError.trainedAndTested(path, seed: key, role: role, id: clash)
                }
            }
            seeds[entry.seed] = parsed
        }
        self.init(name: file.name, className: file.className ?? file.name, items: items, seeds: seeds,
                  root: root, path: path)
    }
}

extension Manifest {
    /// Serializes the manifest in its canonical form (sorted keys, items in
    /// order; `root` is not written).
    ///
    /// The `ManifestFile` the loader decodes is encoded here too, so what is
    /// written is what is read. Its JSON is then re-serialized by
    /// JSONSerialization, whose sorted-keys order (seed "2" before "10",
    /// detector "B" after "a_b") and layout the manifests written so far
    /// have — and their hashes are recorded in artifacts. JSONEncoder sorts
    /// by code point.
    public func jsonData() throws -> Data {
        let file = ManifestFile(
            name: name, className: className != name ? className : nil,
            items: items.map {
                ManifestFile.Item(id: $0.id, label: $0.label, image: $0.image, maps: $0.maps,
                                  segmentation: $0.segmentation, tags: $0.tags)
            },
            seeds: seeds.keys.sorted().map { seed in
                ManifestFile.Seed(key: String(seed), seed: seed,
                                  roles: seeds[seed]!.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) })
            })
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(file))
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }
}
