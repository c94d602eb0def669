import Foundation
import SegADNative
import SegADFigures

/// Atomic file writes: everything goes to `PATH.tmp-PID` first and is
/// renamed into place by `commit`, so a failure leaves earlier files intact.
struct StagedFiles {
    private(set) var staged: [(temporary: String, final: String)] = []

    static func temporary(for path: String) -> String { "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)" }

    mutating func gray8(_ path: String, width: Int, height: Int, pixels: [UInt8]) throws {
        try stage(path) { try PNG.writeGray8(path: $0, width: width, height: height, pixels: pixels) }
    }

    mutating func rgb8(_ path: String, _ canvas: Canvas) throws {
        try stage(path) { try PNG.writeRGB8(path: $0, width: canvas.width, height: canvas.height, pixels: canvas.pixels) }
    }

    mutating func data(_ path: String, _ data: Data) throws {
        try stage(path) { t in
            guard FileManager.default.createFile(atPath: t, contents: data) else { throw InputError(path, "cannot write here") }
        }
    }

    mutating func stage(_ path: String, _ write: (String) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw InputError(folder, "cannot create output folder (\(error.localizedDescription))")
            }
        }
        let t = Self.temporary(for: path)
        do { try write(t) } catch { unlink(t); throw error }
        let fd = open(t, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        staged.append((t, path))
    }

    /// Renames the staged files into place in the order they were staged.
    mutating func commit() throws {
        for (t, final) in staged {
            if rename(t, final) != 0 {
                throw InputError(final, "cannot move into place (\(String(cString: strerror(errno))))")
            }
        }
        staged = []
    }

    /// Removes staged files not yet committed.
    mutating func discard() {
        for (t, _) in staged { unlink(t) }
        staged = []
    }
}
