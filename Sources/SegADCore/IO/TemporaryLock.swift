import Foundation

/// Who owns a temporary file `PATH.tmp-PID` (docs/reliability.md, "Files,
/// outputs and CSV cells"): the writer holds an exclusive `flock` on
/// `PATH.tmp-PID.lock` from before the temporary exists until it is renamed
/// into place or removed. The kernel drops the lock the moment the writer
/// dies — also while it is a zombie not yet reaped, for which `kill(pid, 0)`
/// still succeeds, and whatever process later reuses its PID — so a
/// temporary whose lock can be taken is abandoned and may be removed
/// (`ArtifactWriter.removeStaleTemporaries`).
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
}
