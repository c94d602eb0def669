import Foundation
import SegADNative

/// Writes a whole file under a temporary name and renames it into place.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        if path.isEmpty { throw OutputError.emptyPath("-o", what: "file") }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try OutputPaths.prepareFolder(folder) }
        TemporaryLock.removeStale(of: path)  // left by a killed writer
        let temporary = "\(path).tmp-\(getpid())"
        TemporaryLock.claim(temporary)
        defer { TemporaryLock.release(temporary) }
        do { try writeWhole(data, to: temporary, naming: path) } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let reason = OutputError.reason(errno)
            unlink(temporary)
            throw OutputError.cannotMoveFileIntoPlace(path, reason: reason)
        }
    }

    /// Writes `data` to `file` (created or truncated) and syncs it; a
    /// failure is `OutputError.cannotWrite` naming `path` with the reason —
    /// a full disk and a read-only file system say so (`OutputError.reason`).
    public static func writeWhole(_ data: Data, to file: String, naming path: String) throws {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, reason: OutputError.reason(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                done += n
            }
        }
        if failure == 0 && fsync(fd) != 0 && errno != EINVAL { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 { throw OutputError.cannotWrite(path, reason: OutputError.reason(failure)) }
    }
}
