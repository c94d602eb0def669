import Foundation
import SegADNative
import SegADCore

/// The content of the map files a manifest names for one detector, as one
/// SHA-256 (over `ID<TAB>SHA-256 of the file's bytes<LF>` per item, in
/// manifest order). `extract-maps` records it in the maps artifact
/// (`map_files_sha256`); `segment-stats` recomputes it and refuses a maps
/// artifact whose map files changed since — e.g. a symlinked map retargeted
/// after extract-maps ran (docs/reliability.md, section 6, class 4). Symlinks are followed: the
/// hash is of the content the path resolves to now.
public enum MapSources {
    public static let configKey = "map_files_sha256"

    /// nil when an item names no map for `detector` or a file is missing
    /// (maps moved after extraction cannot be re-verified).
    public static func digest(_ manifest: Manifest, detector: String) throws -> String? {
        var paths: [(id: String, path: String)] = []
        for item in manifest.items {
            guard let p = item.maps[detector] else { return nil }
            paths.append((item.id, manifest.resolve(p)))
        }
        // Missing files, folders: the stage that reads them reports those.
        guard paths.allSatisfy({ p in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: p.path, isDirectory: &isFolder) && !isFolder.boolValue
        }) else { return nil }
        var hashes = [String](repeating: "", count: paths.count)
        try hashes.withUnsafeMutableBufferPointer { slots in
            try concurrentForEach(paths.count) { i in slots[i] = try SHA256.hexOfFile(atPath: paths[i].path) }
        }
        var text = ""
        for (i, p) in paths.enumerated() { text += "\(p.id)\t\(hashes[i])\n" }
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        return SHA256.hex(of: hasher.finalize())
    }

    /// Refuses `artifact` when it records a digest that differs from the
    /// files' content now.
    public static func verify(_ artifact: MapsArtifact, manifest: Manifest) throws {
        guard let recorded = artifact.reader.config[configKey] as? String else { return }
        guard let now = try digest(manifest, detector: artifact.detector) else { return }
        if now != recorded {
            throw MapError.sourcesChanged(artifact.reader.path, detector: artifact.detector)
        }
    }
}
