import Foundation
import SegADNative

/// Writes a whole file under a temporary name and renames it into place.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        if path.isEmpty { throw OutputError.emptyPath("-o", what: "file") }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try OutputPaths.prepareFolder(folder) }
        ArtifactWriter.removeStaleTemporaries(of: path)  // left by a killed writer
        let temporary = "\(path).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw OutputError.cannotWriteFile(path)
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw OutputError.cannotMoveFileIntoPlace(path, reason: String(cString: strerror(errno)))
        }
    }
}
