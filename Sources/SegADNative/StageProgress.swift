import Foundation

/// Progress of a long stage, fit or apply on stderr:
/// `segment-stats: 120/2000 images, 85.3/s, ETA 22 s`.
///
/// On a terminal: one line rewritten at most five times a second. When
/// stderr is not a terminal (a log, `make` output captured): a plain line
/// every `logInterval` seconds (the first after that long, so short steps
/// stay silent), and a closing line if any was written; `SEGAD_PROGRESS=1`
/// (or `force`) adds one at every 10%. `--quiet` (`StageProgress.quiet`) or
/// `SEGAD_PROGRESS=0` silences it. Thread-safe: workers may advance it
/// concurrently (`@unchecked Sendable`: every mutable field is read and
/// written under `lock`).
public final class StageProgress: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let total: Int
    private let start = DispatchTime.now()
    private var lastPrint: UInt64 = 0
    private var lastDecile = -1
    private let interactive: Bool
    private let enabled: Bool
    private let deciles: Bool
    private var printedPlain = false

    /// Set by a stage's `--quiet`: no progress at all. Written once while the
    /// command line is parsed, before any worker runs (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) public static var quiet = false
    /// Seconds between plain lines when stderr is not a terminal.
    public static let logInterval: UInt64 = 5
    private let lock = NSLock()
    private var done = 0

    public init(_ label: String, total: Int, unit: String = "items", force: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        interactive = isatty(STDERR_FILENO) != 0
        let env = ProcessInfo.processInfo.environment["SEGAD_PROGRESS"]
        enabled = !StageProgress.quiet && env != "0"
        deciles = env == "1" || force
        lastPrint = start.uptimeNanoseconds
    }

    /// Records `n` more units done.
    public func advance(by n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        report()
    }

    /// Records that `count` units are done in all (never goes back).
    public func advance(_ count: Int) {
        lock.lock(); defer { lock.unlock() }
        done = max(done, count)
        report()
    }

    private func report() {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if interactive {
            if now - lastPrint < 200_000_000 && done < total { return }
            lastPrint = now
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line(now)).utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = total > 0 ? done * 10 / total : 10
            let due = now - lastPrint >= StageProgress.logInterval * 1_000_000_000
            let newDecile = deciles && decile != lastDecile
            let closing = done >= total && printedPlain && decile != lastDecile
            guard due || newDecile || closing else { return }
            lastDecile = decile
            lastPrint = now
            printedPlain = true
            FileHandle.standardError.write(Data((line(now) + "\n").utf8))
        }
    }

    private func line(_ now: UInt64) -> String {
        let seconds = Double(now - start.uptimeNanoseconds) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var text = "\(label): \(done)/\(total) \(unit), \(String(format: "%.1f", rate))/s"
        if done < total, rate > 0 {
            text += ", ETA \(Int((Double(total - done) / rate).rounded())) s"
        } else if done >= total {
            text += ", \(String(format: "%.1f", seconds)) s"
        }
        return text
    }
}

