import Foundation
import SegADNative

/// Runs a stage's body and turns any failure into one line on stderr and a
/// non-zero exit: `STAGE: error: FILE: FAULT`. Nothing is written under a
/// final name on failure (artifacts are renamed into place only on success).
public enum StageMain {
    public static func run(_ stage: String, _ body: () throws -> Void) -> Never {
        do {
            try body()
            exit(0)
        } catch {
            let line = "\(error)".replacingOccurrences(of: "\n", with: " ")
            FileHandle.standardError.write(Data("\(stage): error: \(line)\n".utf8))
            // _exit, not exit: HDF5's atexit teardown crashes (SIGSEGV) on a
            // file whose flush failed (e.g. a full disk). Temporaries are
            // already removed by the writers' deinit; flush stdout ourselves
            // (fflush(nil): every output stream — here only stdout is open —
            // without touching the C global `stdout`, which Swift 6 refuses).
            fflush(nil)
            _exit(1)
        }
    }
}

/// Parses `HxW` or a single side `N` (square); sides must be in 1…`Bounds.maxSide`.
public func parseSize(_ text: String) -> (height: Int, width: Int)? {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    let ok = { (n: Int) in n > 0 && n <= Bounds.maxSide }
    if parts.count == 1, let n = parts[0], ok(n) { return (n, n) }
    if parts.count == 2, let h = parts[0], let w = parts[1], ok(h), ok(w) { return (h, w) }
    return nil
}
