#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Every input file is opened through here (docs/reliability.md, "Files,
/// outputs and CSV cells"): read-only with `O_NONBLOCK`, so a FIFO named
/// `x.png`, `pipeline.h5` or `map.npy` cannot block the stage waiting for a
/// writer, then `fstat`ed: anything but a regular file (a FIFO, a socket, a
/// character or block device such as `/dev/zero`) is refused with one line.
/// Folders and missing files are left to each reader's own message ("is a
/// folder; …", "no such file").
///
/// Readers that open by path inside a C library (libpng, libjpeg, libtiff,
/// HDF5) call `refuseSpecial` just before; the window between the check and
/// the library's open is not a threat here (the folder's writer would have
/// to swap a file for a FIFO in that instant, and only blocks its own run).
public enum RegularFile {
    /// What `path` is when it is not a regular file or folder, or nil.
    static func specialKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "a special file"
        }
    }

    /// Opens `path` read-only without blocking and returns the descriptor
    /// (blocking mode restored, the caller closes it), refusing special
    /// files. A folder is returned open (the caller refuses it in its own
    /// words); `open`'s failure throws `FileReadError.noSuchFile`/`.cannotOpen`.
    public static func open(_ path: String) throws -> Int32 {
        let fd = systemOpen(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw FileReadError.noSuchFile(path) }
            throw FileReadError.cannotOpen(path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw FileReadError.readFailed(path, reason: reason)
        }
        if let kind = specialKind(info.st_mode) {
            close(fd)
            throw FileReadError.notRegular(path, kind: kind)
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    /// Refuses `path` when it is a special file; returns quietly for a
    /// regular file, a folder, or a path that cannot be opened (the reader
    /// that follows reports those in its own words).
    public static func refuseSpecial(_ path: String) throws {
        let fd: Int32
        do { fd = try open(path) } catch let e as FileReadError {
            if case .notRegular = e { throw e }
            return
        }
        close(fd)
    }

    /// The whole contents of a regular file, or nil when it cannot be opened
    /// or is a folder (as `FileManager.contents(atPath:)`, which would block
    /// on a FIFO); a special file throws `FileReadError.notRegular`.
    public static func contents(atPath path: String) throws -> Data? {
        let fd: Int32
        do { fd = try open(path) } catch let e as FileReadError {
            if case .notRegular = e { throw e }
            return nil
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return nil }
        return try? handle.readToEnd() ?? Data()
    }

    private static func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags)
        #else
        Darwin.open(path, flags)
        #endif
    }
}
