import SegADNative

/// A fault in an artifact: it is missing, not a SegAD artifact, another kind
/// or a newer format, was made from another version of an input, or lacks
/// what its kind must hold; or it cannot be written. `description` is the
/// stage's one line, `FILE: FAULT`. A damaged dataset (a failed Fletcher-32
/// checksum) is an `HDF5Error` whose `isChecksumFailure` is true; a missing
/// dataset or attribute an `HDF5FileError`.
public enum ArtifactError: SegADFault, Equatable {
    // Opening (ArtifactReader)
    case noSuchFile(String)
    /// An HDF5 file without the provenance attributes.
    case notAnArtifact(String)
    case newerFormat(String, version: Int)
    case unknownKind(String, kind: String)
    case wrongKind(String, found: ArtifactKind, expected: ArtifactKind)
    /// `segad_inputs` is not valid JSON.
    case corruptProvenance(String)
    /// `segad_config` is not a JSON object (never read as an empty config).
    case damagedConfig(String)

    // Provenance against the inputs given now
    case recordsNoInput(String, role: String)
    /// The artifact was made from another version of `given` (full SHA-256s;
    /// the message shows their first 12 digits).
    case inputChanged(String, role: String, given: String, recorded: String, actual: String)

    // What a kind must hold
    case noDetectorName(String)
    case incompleteDetectorState(String)
    /// A detector state from before training ids were recorded (LeakageGuard).
    case noTrainingIds(String)
    case noSeed(String)
    case noModel(String)
    case noMethodOrClass(String)
    case featuresShape(String, shape: [Int], rows: Int, columns: Int)
    case mapsShape(String, shape: [Int], ids: Int)
    case labelCount(String, rows: Int, ids: Int)
    case groupLabelCount(String, group: String, rows: Int, expected: Int)
    case labelCode(String, code: Int64)
    /// A value that configures computation lies outside its bounds
    /// (`StateBounds`, docs/reliability.md "One artifact gate"): `key` names
    /// it (`segments`, `detector 'golden' sigma`, `detector 'padim' tensor channels`).
    case configValue(String, key: String, value: String, expected: String)
    /// A scores artifact's seed group whose ids, scores and tags differ in length.
    case lengthMismatch(String, group: String)
    case noRow(String, id: String, context: String)
    case noFeature(String, name: String, features: [String])
    /// The manifest (`file`) gives a seed no `segad-train` rows to train on.
    case noTrainingRows(String, seed: Int)

    // Writing
    case cannotCreate(String, reason: String)
    case cannotWrite(String, reason: String)
    case cannotMoveIntoPlace(String, reason: String)
    case incompleteMaps(String, wrote: Int, capacity: Int)
    case nonFiniteScore(String, seed: Int, id: String, score: Double)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .notAnArtifact(let f), .newerFormat(let f, _), .unknownKind(let f, _),
             .wrongKind(let f, _, _), .corruptProvenance(let f), .damagedConfig(let f), .recordsNoInput(let f, _),
             .inputChanged(let f, _, _, _, _), .noDetectorName(let f), .incompleteDetectorState(let f),
             .noTrainingIds(let f), .noSeed(let f), .noModel(let f), .noMethodOrClass(let f),
             .featuresShape(let f, _, _, _), .mapsShape(let f, _, _), .labelCount(let f, _, _),
             .groupLabelCount(let f, _, _, _), .labelCode(let f, _), .lengthMismatch(let f, _),
             .noRow(let f, _, _), .noFeature(let f, _, _), .noTrainingRows(let f, _),
             .cannotCreate(let f, _), .cannotWrite(let f, _), .cannotMoveIntoPlace(let f, _),
             .incompleteMaps(let f, _, _), .nonFiniteScore(let f, _, _, _), .configValue(let f, _, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .notAnArtifact: return "not a SegAD artifact (no provenance attributes)"
        case .newerFormat(_, let version):
            return "artifact format \(version) is newer than this tool reads (\(Provenance.formatVersion))"
        case .unknownKind(_, let kind): return "unknown artifact kind '\(kind)'"
        case .wrongKind(_, let found, let expected): return "is a \(found.rawValue) artifact; expected \(expected.rawValue)"
        case .corruptProvenance: return "corrupt provenance (segad_inputs is not valid JSON)"
        case .damagedConfig: return "damaged file: \(Provenance.configAttribute) is not a JSON object; remake this artifact"
        case .recordsNoInput(_, let role): return "records no '\(role)' input"
        case .inputChanged(_, let role, let given, let recorded, let actual):
            return "was made from a different \(role) than \(given) (recorded sha256 \(recorded.prefix(12))…, given \(actual.prefix(12))…); rerun the stage that made it"
        case .noDetectorName: return "maps artifact records no detector name"
        case .incompleteDetectorState: return "detector state artifact lacks kind, name, size or tensors"
        case .noTrainingIds: return "records no training ids (made by an older extract-maps fit); fit the detector again"
        case .noSeed: return "model records no seed"
        case .noModel: return "holds no model"
        case .noMethodOrClass: return "scores artifact records no method or class"
        case .featuresShape(_, let shape, let rows, let columns):
            return "features has shape \(shape); expected \(rows)×\(columns)"
        case .mapsShape(_, let shape, let ids): return "maps dataset has shape \(shape) for \(ids) ids; expected N×H×W"
        case .labelCount(_, let rows, let ids): return "labels has \(rows) rows; ids has \(ids)"
        case .groupLabelCount(_, let group, let rows, let expected):
            return "\(group)/labels has \(rows) rows; expected \(expected)"
        case .labelCode(_, let code): return "label code \(code) outside {0, 1, -1, -2}"
        case .configValue(_, let key, let value, let expected): return "\(key) is \(value); expected \(expected)"
        case .lengthMismatch(_, let group): return "\(group): ids, scores and tags differ in length"
        case .noRow(_, let id, let context): return "has no row for id '\(id)' (\(context))"
        case .noFeature(_, let name, let features):
            return "has no feature '\(name)' (features: \(features.prefix(6).joined(separator: ", "))…)"
        case .noTrainingRows(_, let seed): return "seed \(seed) has no 'segad-train' rows"
        case .cannotCreate(_, let reason): return "cannot write artifact here (\(reason))"
        case .cannotWrite(_, let reason): return "cannot write artifact (\(reason))"
        case .cannotMoveIntoPlace(_, let reason): return "cannot move artifact into place (\(reason))"
        case .incompleteMaps(_, let wrote, let capacity): return "wrote \(wrote) of \(capacity) maps"
        case .nonFiniteScore(_, let seed, let id, let score):
            return "refusing to write scores: seed \(seed), id '\(id)' has score \(score) (a NaN or infinite model or input)"
        }
    }
}
