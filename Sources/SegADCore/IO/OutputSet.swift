import Foundation
import SegADNative

/// A multi-file output committed as one unit (docs/reliability.md, section 6, class 3).
///
/// Every file (or folder) of the set is first written completely under a
/// temporary name (`PATH.tmp-PID`) and synced. `commit()` then, holding an
/// exclusive `flock` on the marker's folder (so concurrent writers of one
/// output commit one after the other, never interleaved):
/// 1. removes the previous marker — from here on the set reads as incomplete;
/// 2. renames every other member into place (a folder replaces the old one);
/// 3. renames the marker into place last, and syncs the folder.
///
/// The marker is the file Make targets and readers look for (a model's `.h5`,
/// `metrics.json`, `scores.csv`, a label PNG), so a set whose marker exists is
/// complete and of one run: a stage killed at any moment leaves either the
/// previous complete set, or no marker (rerun), or the new complete set.
///
/// Deleting only what the tool wrote (docs/reliability.md, "Files, outputs
/// and CSV cells"): every temporary is owned through `TemporaryLock`; a
/// folder member carries an `ownerMarker` file, and an existing folder in
/// its place is replaced only when it carries one too (or is empty) — a
/// user's folder, or a symlink, given as an output is refused, never
/// emptied; and two members with one final name are found before anything
/// is touched.
public struct OutputSet {
    public let marker: String
    private var staged: [(temporary: String, final: String)] = []

    public init(marker: String) { self.marker = marker }

    /// The file inside every folder an output set writes, naming it the
    /// tool's own: only such a folder (or an empty one) is replaced.
    public static let ownerMarker = ".segad-output"

    public static func temporary(for path: String) -> String { "\(path).tmp-\(getpid())" }

    /// Writes one member through `write`, which receives the temporary path.
    public mutating func stage(_ path: String, _ write: (String) throws -> Void) throws {
        try Self.makeParent(of: path)
        if staged.contains(where: { $0.final == path }) { throw OutputError.collision(path) }
        TemporaryLock.removeStale(of: path)
        let t = Self.temporary(for: path)
        TemporaryLock.claim(t)
        do { try write(t) } catch {
            try? FileManager.default.removeItem(atPath: t)
            TemporaryLock.release(t)
            throw error
        }
        let fd = open(t, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        staged.append((t, path))
    }

    public mutating func data(_ path: String, _ data: Data) throws {
        try stage(path) { t in try AtomicFile.writeWhole(data, to: t, naming: path) }
    }

    /// Adds a member already written completely at `temporary` (a file or a
    /// folder; a folder gets the `ownerMarker`).
    public mutating func adopt(temporary: String, final: String) {
        TemporaryLock.claim(temporary)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: temporary, isDirectory: &isFolder), isFolder.boolValue {
            _ = FileManager.default.createFile(atPath: (temporary as NSString).appendingPathComponent(Self.ownerMarker),
                                           contents: Data("written by segad; replaced as a whole by the stage that wrote it\n".utf8))
        }
        staged.append((temporary, final))
    }

    /// Refuses `folder` as a folder output unless replacing it destroys
    /// nothing but the tool's own earlier output: it does not exist, is
    /// empty, or holds the `ownerMarker`. A symlink is refused (replacing it
    /// would drop a link the user made). One line naming `option`.
    public static func checkReplaceable(_ folder: String, option: String) throws {
        var info = stat()
        guard lstat(folder, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: throw OutputError.isSymlink(folder, option: option)
        case S_IFDIR: break
        default: throw OutputError.notAFolder(folder, option: option)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if names.isEmpty || names.contains(ownerMarker) { return }
        throw OutputError.notOwnFolder(folder, option: option)
    }

    /// Creates `path`'s folder, with a one-line error naming it.
    public static func makeParent(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        try OutputPaths.prepareFolder(folder)
    }

    /// Commits the set (see the type's documentation).
    public mutating func commit() throws {
        guard let m = staged.firstIndex(where: { $0.final == marker }) else {
            preconditionFailure("OutputSet: the marker \(marker) was not staged")
        }
        // Before anything is touched: no two members with one final name, and
        // no folder member replacing a folder that is not the tool's own.
        var finals = Set<String>()
        for member in staged {
            if !finals.insert(OutputPaths.resolve(member.final)).inserted { throw OutputError.collision(member.final) }
            var isFolder: ObjCBool = false, info = stat()
            let finalIsFolder = lstat(member.final, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            if finalIsFolder || (FileManager.default.fileExists(atPath: member.temporary, isDirectory: &isFolder) && isFolder.boolValue) {
                try Self.checkReplaceable(member.final, option: "-o")
            }
        }
        let folder = (marker as NSString).deletingLastPathComponent
        let lock = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        guard lock >= 0 else { throw OutputError.cannotOpenFolder(folder, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lock, LOCK_UN) }

        Self.faultPoint()
        if unlink(marker) != 0 && errno != ENOENT {
            throw OutputError.cannotReplace(marker, reason: String(cString: strerror(errno)))
        }
        for (i, member) in staged.enumerated() where i != m {
            Self.faultPoint()
            try Self.move(member.temporary, to: member.final)
        }
        Self.faultPoint()
        if let ms = Self.pauseMs { usleep(ms * 1000) }
        try Self.move(staged[m].temporary, to: marker)
        for member in staged { TemporaryLock.release(member.temporary) }
        staged = []
        fsync(lock)
    }

    /// Removes members not yet committed.
    public mutating func discard() {
        for (t, _) in staged {
            try? FileManager.default.removeItem(atPath: t)
            TemporaryLock.release(t)
        }
        staged = []
    }

    /// Renames `temporary` to `final`; a folder replaces the folder there.
    static func move(_ temporary: String, to final: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: final, isDirectory: &isFolder), isFolder.boolValue {
            let aside = final + ".tmp-\(getpid())-old"
            guard rename(final, aside) == 0 else {
                throw OutputError.cannotReplaceFolder(final, reason: String(cString: strerror(errno)))
            }
            guard rename(temporary, final) == 0 else {
                let reason = String(cString: strerror(errno))
                rename(aside, final)
                throw OutputError.cannotMoveIntoPlace(final, reason: reason)
            }
            try? FileManager.default.removeItem(atPath: aside)
            return
        }
        guard rename(temporary, final) == 0 else {
            throw OutputError.cannotMoveIntoPlace(final, reason: String(cString: strerror(errno)))
        }
    }

    /// Test hooks: `SEGAD_FAULT_KILL_AT_COMMIT_STEP=K` SIGKILLs the process
    /// at the K-th step (0-based) of a commit (the kill tests);
    /// `SEGAD_FAULT_COMMIT_PAUSE_MS=N` sleeps N ms before the marker is
    /// renamed, holding the set half-committed: the window a concurrent
    /// writer could interleave in (the concurrency test).
    nonisolated(unsafe) private static var step = 0
    private static let environment = ProcessInfo.processInfo.environment
    private static let killStep: Int? = environment["SEGAD_FAULT_KILL_AT_COMMIT_STEP"].flatMap { Int($0) }
    private static let pauseMs: UInt32? = environment["SEGAD_FAULT_COMMIT_PAUSE_MS"].flatMap { UInt32($0) }
    static func faultPoint() {
        guard let k = killStep else { return }
        if step == k { kill(getpid(), SIGKILL) }
        step += 1
    }
}
