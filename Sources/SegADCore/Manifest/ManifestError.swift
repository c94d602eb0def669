import SegADNative

/// A fault in a manifest file (docs/manifest.md): it cannot be read or is
/// not JSON; a key is unknown, given twice or of the wrong type; an item,
/// seed key or role is malformed; a seed's split breaks a rule; or a stage
/// asks for a seed or images the manifest does not have. `file` is the
/// manifest; `description` is the stage's one line, `FILE: FAULT`.
public enum ManifestError: SegADFault, Equatable {
    // The file
    case noSuchFile(String)
    case cannotRead(String)
    case emptyFile(String)
    /// `reason` is JSONSerialization's (or JSONDecoder's) text.
    case notJSON(String, reason: String)
    /// A key given twice in one object, on `line`.
    case keyGivenTwice(String, key: String, line: Int)

    // The top level
    case notAnObject(String)
    /// `allowed`: the top level's keys, sorted.
    case unknownKey(String, key: String, allowed: [String])
    /// `'KEY' must be WHAT` (a top-level key, or an optional string key at
    /// any level): `what` is e.g. `an integer`, `a string`, `≥ 1`.
    case mustBe(String, key: String, what: String)
    /// `items` or `seeds` holds nothing.
    case emptyList(String, key: String)
    case newerVersion(String, version: Int, reads: Int)

    // Items (`item` is the position in `items`, until the id is known)
    case itemNotAnObject(String, item: Int)
    case itemUnknownKey(String, item: Int, key: String)
    case itemNoId(String, item: Int)
    case invalidId(String, item: Int, id: String, IdFault)
    case duplicateId(String, id: String, first: Int, second: Int)
    case badLabel(String, id: String)
    case badMaps(String, id: String)
    case badTags(String, id: String)
    /// An empty tag or one holding a comma (artifacts join tags with commas).
    case badTag(String, id: String, tag: String)

    // Seeds (`seed` is the key as written)
    case badSeedKey(String, seed: String)
    case seedNotAnObject(String, seed: String)
    case unknownRole(String, seed: String, role: String)
    case roleNotAList(String, seed: String, role: String)

    // The rules between the parts
    case unknownId(String, seed: String, role: Manifest.Role, id: String)
    case idTwiceInRole(String, seed: String, role: Manifest.Role, id: String)
    /// A training role holding an item of a label it may not train on.
    case wrongLabel(String, seed: String, role: Manifest.Role, id: String, label: Label)
    case trainedAndTested(String, seed: String, role: Manifest.Role, id: String)

    // What a stage asks of it
    case noSeed(String, seed: Int)
    case noImages(String, seed: Int, role: Manifest.Role)
    case noImage(String, id: String)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .cannotRead(let f), .emptyFile(let f), .notJSON(let f, _),
             .keyGivenTwice(let f, _, _), .notAnObject(let f), .unknownKey(let f, _, _), .mustBe(let f, _, _),
             .emptyList(let f, _), .newerVersion(let f, _, _), .itemNotAnObject(let f, _),
             .itemUnknownKey(let f, _, _), .itemNoId(let f, _), .invalidId(let f, _, _, _),
             .duplicateId(let f, _, _, _), .badLabel(let f, _), .badMaps(let f, _), .badTags(let f, _), .badTag(let f, _, _),
             .badSeedKey(let f, _), .seedNotAnObject(let f, _), .unknownRole(let f, _, _),
             .roleNotAList(let f, _, _), .unknownId(let f, _, _, _), .idTwiceInRole(let f, _, _, _),
             .wrongLabel(let f, _, _, _, _), .trainedAndTested(let f, _, _, _), .noSeed(let f, _),
             .noImages(let f, _, _), .noImage(let f, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .cannotRead: return "cannot read manifest"
        case .emptyFile: return "empty file; expected a JSON manifest"
        case .notJSON(_, let reason): return "not valid JSON (\(reason))"
        case .keyGivenTwice(_, let key, let line): return "line \(line): key '\(key)' is given twice in one object"
        case .notAnObject: return "manifest must be a JSON object"
        case .unknownKey(_, let key, let allowed): return "unknown key '\(key)' (allowed: \(allowed.joined(separator: ", ")))"
        case .mustBe(_, let key, let what): return "'\(key)' must be \(what)"
        case .emptyList(_, let key): return "'\(key)' is empty"
        case .newerVersion(_, let version, let reads):
            return "manifest version \(version) is newer than this tool reads (\(reads)); update segad"
        case .itemNotAnObject(_, let n): return "item \(n) must be an object"
        case .itemUnknownKey(_, let n, let key): return "item \(n): unknown key '\(key)'"
        case .itemNoId(_, let n): return "item \(n): 'id' must be a non-empty string"
        case .invalidId(_, let n, let id, let fault):
            return "item \(n): id '\(id.prefix(60))\(id.count > 60 ? "…" : "")' \(fault.text)"
        case .duplicateId(_, let id, let first, let second): return "duplicate id '\(id)' (items \(first) and \(second))"
        case .badLabel(_, let id):
            return "item '\(id)': 'label' must be one of \(Label.allCases.map(\.rawValue).joined(separator: ", "))"
        case .badMaps(_, let id): return "item '\(id)': 'maps' must map detector names to paths"
        case .badTags(_, let id): return "item '\(id)': 'tags' must be a list of strings"
        case .badTag(_, let id, let tag): return "item '\(id)': tag '\(tag)' is empty or holds a comma"
        case .badSeedKey(_, let seed):
            return "seed '\(seed)' is not a canonical integer in 0…4294967295 (write 7, not 07 or +7)"
        case .seedNotAnObject(_, let seed): return "seed \(seed): must map roles to id lists"
        case .unknownRole(_, let seed, let role):
            return "seed \(seed): unknown role '\(role)' (roles: \(Manifest.Role.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .roleNotAList(_, let seed, let role): return "seed \(seed): '\(role)' must be a list of ids"
        case .unknownId(_, let seed, let role, let id): return "seed \(seed): '\(role.rawValue)' names unknown id '\(id)'"
        case .idTwiceInRole(_, let seed, let role, let id): return "seed \(seed): id '\(id)' twice in '\(role.rawValue)'"
        case .wrongLabel(_, let seed, let role, let id, let label):
            return "seed \(seed): '\(role.rawValue)' has '\(id)' labelled \(label.rawValue)"
        case .trainedAndTested(_, let seed, let role, let id):
            return "seed \(seed): '\(id)' is both in '\(role.rawValue)' and in 'test'"
        case .noSeed(_, let seed): return "has no seed \(seed)"
        case .noImages(_, let seed, let role): return "seed \(seed) has no '\(role.rawValue)' images"
        case .noImage(_, let id): return "item '\(id)' has no image"
        }
    }
}
