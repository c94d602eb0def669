import Foundation

/// Progress of a long fit or apply on stderr: count, rate and ETA on one
/// line, rewritten in place. Quiet when stderr is not a terminal unless
/// forced (or `SEGAD_PROGRESS=1` is set), so logs and tests stay clean.
public final class Progress: @unchecked Sendable {
    public let label: String
    public let total: Int
    public let enabled: Bool
    private let start = DispatchTime.now()
    private var lastPrint: UInt64 = 0
    private let lock = NSLock()

    public init(_ label: String, total: Int, force: Bool = false) {
        self.label = label
        self.total = total
        self.enabled = force || isatty(2) != 0 || ProcessInfo.processInfo.environment["SEGAD_PROGRESS"] == "1"
    }

    /// Reports that `done` of `total` items are finished; prints at most ~4 times a second.
    public func advance(_ done: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard done >= total || now - lastPrint > 250_000_000 else { return }
        lastPrint = now
        let secs = Double(now - start.uptimeNanoseconds) / 1e9
        let rate = secs > 0 ? Double(done) / secs : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@: %d/%d  %.1f/s  ETA %.0fs", label, done, total, rate, eta)
        FileHandle.standardError.write(Data((line + (done >= total ? "\n" : "")).utf8))
    }
}
