import Foundation
import SegADNative
import SegADCore

/// The kept runs of one NAME of `make images` and the "History" table of
/// its report (README, "Your own images"; pipelines/images.mk).
///
/// `evaluate report --history RUNS …` writes `run.json` beside metrics.json
/// (this run's time, image counts, working size, detectors, regime) and
/// appends to results.md a table of this run and every run kept under RUNS,
/// newest first: time, counts, working size, detectors and the headline
/// numbers (the best SegAD row's mean Cl. AUROC, the best single detector's).
/// `evaluate keep-run` then copies results.md, metrics.json and run.json
/// into RUNS/TIME/ as one unit (a temporary folder renamed into place); no
/// run is ever removed.
public enum ReportHistory {
    /// What a run was made from, for its row.
    public struct Context {
        /// The folder of kept runs (artifacts/NAME/runs).
        public var runs: String
        public var manifest: String
        public var size: String
        public var detectors: [String]
        /// The regime (good only / few bad / enough bad) when the pipeline
        /// names one; "—" otherwise.
        public var regime: String?
        public init(runs: String, manifest: String, size: String, detectors: [String], regime: String? = nil) {
            self.runs = runs; self.manifest = manifest; self.size = size; self.detectors = detectors; self.regime = regime
        }
    }

    /// One row of the table.
    public struct Row: Equatable {
        public var time: String
        public var regime: String?
        public var good: Int, bad: Int, uncertain: Int
        public var size: String
        public var detectors: [String]
        public var bestSegAD: (method: String, auroc: Double)?
        public var bestDetector: (method: String, auroc: Double)?

        public static func == (a: Row, b: Row) -> Bool {
            a.time == b.time && a.regime == b.regime && a.good == b.good && a.bad == b.bad && a.uncertain == b.uncertain
                && a.size == b.size && a.detectors == b.detectors && a.bestSegAD?.method == b.bestSegAD?.method
                && a.bestSegAD?.auroc == b.bestSegAD?.auroc && a.bestDetector?.method == b.bestDetector?.method
                && a.bestDetector?.auroc == b.bestDetector?.auroc
        }
    }

    /// The files a kept run holds.
    public static let keptFiles = ["results.md", "metrics.json", "run.json"]

    /// A UTC time as a folder name: 20261207T235901Z.
    public static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    /// The best row by mean Cl. AUROC among `methods` (in order; ties keep the first).
    static func best(_ methods: [(method: String, auroc: Double)], segad: Bool) -> (method: String, auroc: Double)? {
        var top: (method: String, auroc: Double)?
        for m in methods where m.method.hasPrefix("SegAD(") == segad && m.auroc.isFinite {
            if top == nil || m.auroc > top!.auroc { top = m }
        }
        return top
    }

    /// run.json of this run: its row without the headline numbers (those are in metrics.json).
    public static func runJSON(_ c: Context, time: String) throws -> Data {
        let manifest = try Manifest.load(path: c.manifest)
        let counts = Dictionary(grouping: manifest.items, by: \.label).mapValues(\.count)
        var object: [String: Any] = ["format": "segad-run", "version": 1, "time": time, "name": manifest.name,
                                     "good": counts[.good] ?? 0, "bad": counts[.bad] ?? 0,
                                     "uncertain": counts[.uncertain] ?? 0, "size": c.size, "detectors": c.detectors]
        if let regime = c.regime { object["regime"] = regime }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) + Data("\n".utf8)
    }

    /// The row of a run.json and its metrics.json (`methods`: name → mean Cl. AUROC, in report order).
    static func row(runJSON data: Data, methods: [(method: String, auroc: Double)]) -> Row? {
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], o["format"] as? String == "segad-run",
              let time = o["time"] as? String, let good = o["good"] as? Int, let bad = o["bad"] as? Int,
              let uncertain = o["uncertain"] as? Int, let size = o["size"] as? String,
              let detectors = o["detectors"] as? [String] else { return nil }
        return Row(time: time, regime: o["regime"] as? String, good: good, bad: bad, uncertain: uncertain, size: size,
                   detectors: detectors, bestSegAD: best(methods, segad: true), bestDetector: best(methods, segad: false))
    }

    /// The methods of a report's metrics.json with their mean Cl. AUROC, in report order.
    static func methods(metricsJSON data: Data) -> [(method: String, auroc: Double)]? {
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let order = top["method_order"] as? [String], let methods = top["methods"] as? [String: Any] else { return nil }
        return order.map { m in
            (m, ((methods[m] as? [String: Any])?["auroc"] as? [String: Any])?["mean"] as? Double ?? .nan)
        }
    }

    /// The rows of every run kept under `runs`, newest first; a folder that
    /// is not a kept run (no readable run.json and metrics.json) is named in `skipped`.
    public static func keptRows(_ runs: String) -> (rows: [Row], skipped: [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runs) else { return ([], []) }
        var rows: [Row] = [], skipped: [String] = []
        for name in names.sorted(by: >) where !name.hasPrefix(".") {
            let folder = runs + "/" + name
            guard let run = try? RegularFile.contents(atPath: folder + "/run.json"),
                  let metrics = try? RegularFile.contents(atPath: folder + "/metrics.json"),
                  let list = methods(metricsJSON: metrics), let found = row(runJSON: run, methods: list) else {
                skipped.append(folder)
                continue
            }
            rows.append(found)
        }
        return (rows, skipped)
    }

    /// This run's section and run.json (evaluate report --history): this
    /// run's row from `methods` (name, mean Cl. AUROC ×100, report order),
    /// then the kept runs; folders under RUNS that are no kept run are said once.
    public static func current(_ c: Context, methods: [(method: String, auroc: Double)], now: Date = Date()) throws -> (section: String, runJSON: Data) {
        let run = try runJSON(c, time: stamp(now))
        guard let this = row(runJSON: run, methods: methods) else { throw InputError(c.manifest, "cannot describe the run") }
        let (kept, skipped) = keptRows(c.runs)
        if !skipped.isEmpty {
            let shown = skipped.prefix(3).joined(separator: ", ") + (skipped.count > 3 ? ", …" : "")
            FileHandle.standardError.write(Data("evaluate report: history: \(skipped.count) folder\(skipped.count == 1 ? "" : "s") under \(c.runs) \(skipped.count == 1 ? "is" : "are") no kept run (no readable run.json and metrics.json), left out of the table: \(shown)\n".utf8))
        }
        return (section(current: this, kept: kept), run)
    }

    /// The "History" section: this run first, then the kept runs, newest first.
    public static func section(current: Row, kept: [Row]) -> String {
        func number(_ b: (method: String, auroc: Double)?) -> (String, String) {
            guard let b else { return ("—", "—") }
            return (b.method.replacingOccurrences(of: "|", with: "\\|"), String(format: "%.2f", b.auroc))
        }
        var md = "## History\n\n"
        md += "This run and the earlier runs of this name kept in runs/ (newest first; Cl. AUROC ×100, mean over seeds; "
        md += "a row's numbers are from its own test images, which grow with the folder).\n\n"
        md += "| Run (UTC) | Regime | Good | Bad | Uncertain | Working size | Detectors | Best SegAD row | Cl. AUROC | Best detector | Cl. AUROC |\n"
        md += "|---|---|---:|---:|---:|---|---|---|---:|---|---:|\n"
        for (i, r) in ([current] + kept).enumerated() {
            let (segad, segadAUROC) = number(r.bestSegAD), (det, detAUROC) = number(r.bestDetector)
            md += "| \(r.time)\(i == 0 ? " (this run)" : "") | \(r.regime ?? "—") | \(r.good) | \(r.bad) | \(r.uncertain) | \(r.size) | "
            md += "\(r.detectors.joined(separator: " ")) | \(segad) | \(segadAUROC) | \(det) | \(detAUROC) |\n"
        }
        return md
    }

    /// `evaluate keep-run`: results.md, metrics.json and run.json of `report`
    /// copied into RUNS/TIME/ (TIME from run.json) as one unit; a folder of
    /// that name already there (two runs in one second) gets a suffix -2, -3, ….
    /// Returns the folder written.
    @discardableResult
    public static func keep(report: String, runs: String) throws -> String {
        var contents: [String: Data] = [:]
        for name in keptFiles {
            guard let data = try RegularFile.contents(atPath: report + "/" + name) else {
                throw InputError(report + "/" + name, "no such file; run evaluate report with --history first")
            }
            contents[name] = data
        }
        guard let o = (try? JSONSerialization.jsonObject(with: contents["run.json"]!)) as? [String: Any],
              o["format"] as? String == "segad-run", let time = o["time"] as? String,
              !time.isEmpty, !time.contains("/"), !time.hasPrefix(".") else {
            throw InputError(report + "/run.json", "not a run record of evaluate report --history")
        }
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        let temporary = runs + "/.tmp-\(time)-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do {
            for name in keptFiles { try AtomicFile.write(contents[name]!, to: temporary + "/" + name) }
            var n = 1
            while true {
                let folder = runs + "/" + time + (n == 1 ? "" : "-\(n)")
                // rename(2) does not replace a non-empty folder: an existing run is never overwritten.
                if !FileManager.default.fileExists(atPath: folder), rename(temporary, folder) == 0 { return folder }
                n += 1
                guard n < 1000 else { throw InputError(runs, "cannot keep the run (no free folder name for \(time))") }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
