import Foundation
import SegADNative

/// What an artifact holds; stored as its `segad_kind` attribute.
public enum ArtifactKind: String, Sendable, CaseIterable {
    case maps, features, model, scores
    case detectorState = "detector-state"
    /// A derived label map's provenance sidecar (Segmentation/SegmentationArtifact.swift).
    case segmentation
    /// A saved pipeline: detector states, segmentation, model and operating point (Scoring/).
    case pipeline
    /// The supervised classifier g(I) of build-dataset classifier-fit
    /// (SegADDatasets/Classifier/): full and per-fold logistic models.
    /// Written as kind `model` before it had its own kind; its reader still
    /// takes those files (their `classifier` config tells them apart).
    case classifier
}

/// One input an artifact was made from: a role (e.g. "manifest", "maps:rd4ad"),
/// the path as given, and the SHA-256 of its bytes.
public struct ArtifactInput: Codable, Equatable, Sendable {
    public var role: String
    public var path: String
    public var sha256: String

    public init(role: String, path: String, sha256: String) {
        self.role = role; self.path = path; self.sha256 = sha256
    }

    /// Hashes the file at `path`.
    public static func hashing(role: String, path: String) throws -> ArtifactInput {
        ArtifactInput(role: role, path: path, sha256: try FileHashes.sha256(path))
    }
}

/// The provenance every artifact carries as HDF5 attributes of its root group.
public enum Provenance {
    public static let formatVersion = 1
    public static let toolVersion = "segad-swift 0.1.0"

    static let formatAttribute = "segad_format_version"
    static let kindAttribute = "segad_kind"
    static let stageAttribute = "segad_stage"
    static let configAttribute = "segad_config"
    static let inputsAttribute = "segad_inputs"
    static let toolAttribute = "segad_tool_version"
}

/// Memoized SHA-256 of input files, so a stage hashes each file once.
public enum FileHashes {
    /// Read and written only under `lock` (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) private static var cache: [String: String] = [:]
    private static let lock = NSLock()

    public static func sha256(_ path: String) throws -> String {
        let key = (path as NSString).standardizingPath
        lock.lock(); let hit = cache[key]; lock.unlock()
        if let hit { return hit }
        let hex = try SHA256.hexOfFile(atPath: path)
        lock.lock(); cache[key] = hex; lock.unlock()
        return hex
    }
}

/// Writes an artifact under a temporary name and renames it into place on
/// `commit()`, so a killed stage never leaves a half-written file under the
/// final name. Without `commit()` the temporary file is removed.
public final class ArtifactWriter {
    public let path: String
    public let temporaryPath: String
    public let file: HDF5File
    private var committed = false

    /// - Parameters:
    ///   - config: the stage's configuration, stored as JSON (sorted keys).
    ///   - inputs: every file the artifact was made from, hashed.
    public init(path: String, kind: ArtifactKind, stage: String, config: [String: Any],
                inputs: [ArtifactInput]) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if path.isEmpty { throw OutputError.emptyPath("-o", what: "artifact") }
        if !folder.isEmpty { try OutputPaths.prepareFolder(folder) }
        TemporaryLock.removeStale(of: path)
        temporaryPath = "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        TemporaryLock.claim(temporaryPath)
        do {
            file = try HDF5File(path: temporaryPath, mode: .create)
        } catch {
            throw ArtifactError.cannotCreate(path, reason: OutputPaths.diskFault(of: path) ?? "\(error)")
        }
        try file.setAttribute(Provenance.formatAttribute, int: Provenance.formatVersion)
        try file.setAttribute(Provenance.kindAttribute, string: kind.rawValue)
        try file.setAttribute(Provenance.stageAttribute, string: stage)
        try file.setAttribute(Provenance.configAttribute, string: JSONText.encode(config))
        let inputsData = try JSONEncoder.sorted.encode(inputs)
        try file.setAttribute(Provenance.inputsAttribute, string: String(decoding: inputsData, as: UTF8.self))
        try file.setAttribute(Provenance.toolAttribute, string: Provenance.toolVersion)
    }

    /// Closes the file, flushes it to disk and renames it to its final name.
    /// Nothing is renamed when HDF5 cannot flush the file or the disk cannot
    /// sync it (a full disk): the incomplete temporary file is removed instead.
    public func commit() throws {
        try closeAndSync()
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            throw ArtifactError.cannotMoveIntoPlace(path, reason: reason)
        }
        TemporaryLock.release(temporaryPath)
        committed = true
    }

    /// Flushes, closes and syncs the artifact and hands its temporary file to
    /// `set`, which renames it into place with the set's other members.
    public func stage(in set: inout OutputSet) throws {
        try closeAndSync()
        set.adopt(temporary: temporaryPath, final: path)
        committed = true
    }

    /// Flushes and closes the HDF5 file, then fsyncs its temporary file.
    private func closeAndSync() throws {
        do { try file.flushAndClose() } catch {
            throw ArtifactError.cannotWrite(path, reason: OutputPaths.diskFault(of: path) ?? "\(error)")
        }
        let fd = open(temporaryPath, O_RDONLY)
        guard fd >= 0, fsync(fd) == 0 else {
            let reason = OutputError.reason(errno)
            if fd >= 0 { close(fd) }
            throw ArtifactError.cannotWrite(path, reason: "fsync: \(reason)")
        }
        close(fd)
    }

    deinit {
        if !committed {
            file.close()
            unlink(temporaryPath)
            TemporaryLock.release(temporaryPath)
        }
    }
}

/// An artifact opened for reading, with its provenance checked.
public final class ArtifactReader {
    public let path: String
    public let file: HDF5File
    public let kind: ArtifactKind
    public let stage: String
    public let config: [String: Any]
    public let inputs: [ArtifactInput]

    /// `alsoAccepting`: older kinds the reader still takes for `expected`
    /// (it tells them apart by their config).
    public init(path: String, expecting expected: ArtifactKind, alsoAccepting older: Set<ArtifactKind> = []) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { throw ArtifactError.noSuchFile(path) }
        file = try HDF5File(path: path, mode: .readOnly)
        guard file.hasAttribute(Provenance.formatAttribute), file.hasAttribute(Provenance.kindAttribute) else {
            throw ArtifactError.notAnArtifact(path)
        }
        let version = try file.intAttribute(Provenance.formatAttribute)
        if version > Provenance.formatVersion {
            throw ArtifactError.newerFormat(path, version: version)
        }
        let kindName = try file.stringAttribute(Provenance.kindAttribute)
        guard let kind = ArtifactKind(rawValue: kindName) else { throw ArtifactError.unknownKind(path, kind: kindName) }
        guard kind == expected || older.contains(kind) else {
            throw ArtifactError.wrongKind(path, found: kind, expected: expected)
        }
        self.kind = kind
        stage = try file.stringAttribute(Provenance.stageAttribute)
        // A config that is not a JSON object is a damaged file, never an
        // empty configuration (every kind reads its fields from it).
        guard let config = JSONText.decodeObject(try file.stringAttribute(Provenance.configAttribute)) else {
            throw ArtifactError.damagedConfig(path)
        }
        self.config = config
        let inputsText = try file.stringAttribute(Provenance.inputsAttribute)
        do { inputs = try JSONDecoder().decode([ArtifactInput].self, from: Data(inputsText.utf8)) } catch {
            throw ArtifactError.corruptProvenance(path)
        }
    }

    /// The SHA-256 of this artifact's bytes.
    public func sha256() throws -> String { try FileHashes.sha256(path) }

    /// Inputs recorded under `role`.
    public func inputs(role: String) -> [ArtifactInput] { inputs.filter { $0.role == role } }

    /// Refuses a file whose hash differs from the one recorded under `role`:
    /// the artifact was made from another version of it.
    public func requireInput(role: String, file given: String) throws {
        let recorded = inputs(role: role)
        guard !recorded.isEmpty else { throw ArtifactError.recordsNoInput(path, role: role) }
        let actual = try FileHashes.sha256(given)
        guard recorded.contains(where: { $0.sha256 == actual }) else {
            throw ArtifactError.inputChanged(path, role: role, given: given, recorded: recorded[0].sha256, actual: actual)
        }
    }

    public func close() { file.close() }
}

/// JSON helpers for configuration attributes: sorted keys, so equal
/// configurations give equal bytes.
public enum JSONText {
    public static func encode(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// The JSON object `text` holds, or nil when it is not one.
    public static func decodeObject(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}

extension JSONEncoder {
    public static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
