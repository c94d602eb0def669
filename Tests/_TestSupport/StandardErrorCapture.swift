import Foundation

/// What `body` writes to file descriptor 2 — where C libraries (HDF5,
/// libjpeg, libtiff) print — captured in a temporary file; fd 2 is restored
/// afterwards, also when `body` throws.
///
/// C streams are flushed with `fflush(NULL)` (every stream), so output
/// buffered before or during `body` lands where it belongs; Swift 6 cannot
/// name C's global `stderr`, which is a mutable global.
public func capturingStandardError(_ body: () throws -> Void) throws -> String {
    let capture = NSTemporaryDirectory() + "segad-stderr-\(getpid())-\(UUID().uuidString)"
    defer { unlink(capture) }
    let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: capture]) }
    fflush(nil)
    let saved = dup(2)
    dup2(fd, 2)
    close(fd)
    defer {
        fflush(nil)
        dup2(saved, 2)
        close(saved)
    }
    try body()
    fflush(nil)
    return try String(contentsOfFile: capture, encoding: .utf8)
}
