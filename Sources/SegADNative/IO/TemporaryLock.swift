import Foundation

/// Who owns a temporary file `PATH.tmp-PID` (docs/reliability.md, "Files,
/// outputs and CSV cells"): the writer holds an exclusive `flock` on
/// `PATH.tmp-PID.lock` from before the temporary exists until it is renamed
/// into place or removed. The kernel drops the lock the moment the writer
/// dies — also while it is a zombie not yet reaped, for which `kill(pid, 0)`
/// still succeeds, and whatever process later reuses its PID — so a
/// temporary whose lock can be taken is abandoned and may be removed
/// (`TemporaryLock.removeStale`).
///
/// Temporaries without a lock file (written by code that does not claim
/// one, or by an older version) fall back to the writer's PID: removed when
/// no such process runs or it is a zombie.
public enum TemporaryLock {
    nonisolated(unsafe) private static var held: [String: Int32] = [:]
    private static let mutex = NSLock()

    public static func lockPath(of temporary: String) -> String { temporary + ".lock" }

    /// Takes the lock of `temporary` for this process (idempotent).
    public static func claim(_ temporary: String) {
        mutex.lock()
        defer { mutex.unlock() }
        if held[temporary] != nil { return }
        let fd = open(lockPath(of: temporary), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return }  // a folder that cannot hold it: the PID fallback applies
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        held[temporary] = fd
    }

    /// Drops the lock of `temporary` and removes its lock file (after the
    /// temporary was renamed into place or removed).
    public static func release(_ temporary: String) {
        mutex.lock()
        defer { mutex.unlock() }
        guard let fd = held.removeValue(forKey: temporary) else { return }
        unlink(lockPath(of: temporary))
        close(fd)
    }

    /// Whether this process holds the lock of `temporary`.
    public static func holds(_ temporary: String) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return held[temporary] != nil
    }

    /// What cleanup may do with the temporary at `temporary`, written by `pid`.
    enum Owner { case alive, abandoned(lockFD: Int32?) }

    static func owner(of temporary: String, pid: Int32?) -> Owner {
        if holds(temporary) { return .alive }
        let fd = open(lockPath(of: temporary), O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        if fd >= 0 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .abandoned(lockFD: fd) }
            close(fd)
            return .alive
        }
        guard let pid, pid != getpid() else { return .abandoned(lockFD: nil) }
        return isRunning(pid) ? .alive : .abandoned(lockFD: nil)
    }

    /// A process `pid` exists and is not a zombie.
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        // /proc/PID/stat: "PID (COMM) STATE …"; COMM may hold spaces and parentheses.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        #endif
        return true
    }

    /// Removes `PATH.tmp-PID…` files and folders whose writer is gone (left
    /// by a killed stage): their lock can be taken (`TemporaryLock`), or,
    /// without a lock file, no process PID runs (a zombie counts as gone).
    /// A symlink named so is removed itself, never what it points to.
    public static func removeStale(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent + ".tmp-"
        let dir = folder.isEmpty ? "." : folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        let present = Set(names)
        for name in names where name.hasPrefix(base) && !name.hasSuffix(".lock") {
            let pid = Int32(name.dropFirst(base.count).prefix(while: \.isNumber))
            let full = (dir as NSString).appendingPathComponent(name)
            guard case .abandoned(let lock) = owner(of: full, pid: pid) else { continue }
            try? FileManager.default.removeItem(atPath: full)
            if let lock {
                unlink(lockPath(of: full))
                close(lock)
            }
        }
        // Lock files whose temporary is gone and whose writer is too.
        for name in names where name.hasPrefix(base) && name.hasSuffix(".lock") && !present.contains(String(name.dropLast(5))) {
            let full = (dir as NSString).appendingPathComponent(String(name.dropLast(5)))
            if case .abandoned(let lock?) = owner(of: full, pid: nil) {
                unlink(lockPath(of: full))
                close(lock)
            }
        }
    }
}
