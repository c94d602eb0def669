import Foundation
import SegADNative
import SegADKernels
import SegADCore
import SegADFigures

/// evaluate report: metrics of every method over seeds (and classes), as
/// metrics.json, results.csv, results.md and figures/*.png.
public enum Report {
    public struct Options {
        public var scoresPaths: [String]
        public var output: String
        public var title: String
        /// Keep only good rows and bad rows carrying this tag (e.g. "unseen").
        public var onlyTag: String?
        /// Figures made elsewhere (e.g. a segmentation overlay), copied into
        /// figures/NAME as members of the report: the report is the one
        /// writer of its folder.
        public var figures: [(name: String, path: String)]
        /// Markdown files made elsewhere (e.g. the SIZE=auto table,
        /// docs/size-auto.md), appended to results.md in order.
        public var sections: [String] = []
        /// The sign-off section and metrics (Report+SignOff.swift); nil: none.
        public var signOff: SignOff? = nil
        /// Kept runs (ReportHistory): run.json beside metrics.json and a
        /// "History" section at the end of results.md.
        public var history: ReportHistory.Context? = nil
        public init(scoresPaths: [String], output: String, title: String = "SegAD results", onlyTag: String? = nil,
                    figures: [(name: String, path: String)] = []) {
            self.scoresPaths = scoresPaths; self.output = output; self.title = title; self.onlyTag = onlyTag
            self.figures = figures
        }
    }

    /// Mean, population standard deviation (numpy's default) and the per-seed values, ×100.
    public struct Summary: Equatable {
        public var mean: Double
        public var std: Double
        public var perSeed: [Int: Double]

        init(_ perSeed: [Int: Double]) {
            self.perSeed = perSeed
            let ms = Metrics.meanStd(perSeed.keys.sorted().map { perSeed[$0]! })
            mean = ms.mean
            std = ms.std
        }

        var json: [String: Any] {
            ["mean": mean, "std": std,
             "per_seed": Dictionary(uniqueKeysWithValues: perSeed.map { (String($0.key), $0.value) })]
        }
    }

    public struct MethodResult {
        public var method: String
        public var auroc: Summary
        public var fpr: Summary
        /// Per class, when the report has more than one class.
        public var perClass: [String: (auroc: Summary, fpr: Summary)]
        /// Pooled test scores over seeds, by label, for the figures.
        public var good: [Double], bad: [Double], unseen: [Double], uncertain: [Double]
        /// With `Options.signOff` only.
        public var signOff: RowSignOff? = nil
    }

    @discardableResult
    public static func run(_ options: Options) throws -> [MethodResult] {
        try checkOutputFolder(options.output)
        let (results, classes) = try compute(options)
        try write(results, classes: classes, options: options)
        return results
    }

    /// The report's rows and classes, without writing anything (`output`
    /// is not used): `evaluate best-method --scores` ranks these.
    public static func compute(_ options: Options) throws -> (results: [MethodResult], classes: [String]) {
        let artifacts = try options.scoresPaths.map { try ScoresArtifact(path: $0) }
        if let tag = options.onlyTag {
            let known = Set(artifacts.flatMap { $0.seeds.flatMap { $0.tags.joined() } })
            guard known.contains(tag) else {
                throw InputError("--only-tag", "no test row of the scores artifacts is tagged '\(tag)' (tags: \(known.isEmpty ? "none" : known.sorted().joined(separator: ", ")))")
            }
        }
        // Group by method and class; artifacts of one method and class (e.g. one
        // per seed, when detectors are refitted per seed) merge if their seeds differ.
        struct Group { var className: String; var path: String; var seeds: [SeedScores] }
        var methods: [String] = []
        var byMethod: [String: [Group]] = [:]
        for a in artifacts {
            if byMethod[a.method] == nil { methods.append(a.method) }
            var groups = byMethod[a.method, default: []]
            if let g = groups.firstIndex(where: { $0.className == a.className }) {
                let known = Set(groups[g].seeds.map(\.seed))
                if let clash = a.seeds.first(where: { known.contains($0.seed) }) {
                    throw InputError(a.path, "seed \(clash.seed) of method '\(a.method)', class '\(a.className)' is also in another scores artifact")
                }
                groups[g].seeds += a.seeds
                groups[g].seeds.sort { $0.seed < $1.seed }
            } else {
                groups.append(Group(className: a.className, path: a.path, seeds: a.seeds))
            }
            byMethod[a.method] = groups
        }
        let classes = Array(Set(artifacts.map(\.className))).sorted()
        var results: [MethodResult] = []
        for method in methods {
            var perClass: [String: (auroc: Summary, fpr: Summary)] = [:]
            var classAuroc: [String: [Int: Double]] = [:], classFpr: [String: [Int: Double]] = [:]
            var pooled = (good: [Double](), bad: [Double](), unseen: [Double](), uncertain: [Double]())
            var testGroups: [TestGroup] = []
            for a in byMethod[method]! {
                var aurocs: [Int: Double] = [:], fprs: [Int: Double] = [:]
                for s in a.seeds {
                    var scores: [Double] = [], labels: [Bool] = []
                    var uncertain = 0
                    for i in s.ids.indices {
                        switch s.labels[i] {
                        case .good:
                            scores.append(s.scores[i]); labels.append(false)
                            pooled.good.append(s.scores[i])
                        case .bad:
                            if s.tags[i].contains("unseen") { pooled.unseen.append(s.scores[i]) } else { pooled.bad.append(s.scores[i]) }
                            if let tag = options.onlyTag, !s.tags[i].contains(tag) { continue }
                            scores.append(s.scores[i]); labels.append(true)
                        case .uncertain: pooled.uncertain.append(s.scores[i]); uncertain += 1
                        case .unknown: break
                        }
                    }
                    guard labels.contains(true), labels.contains(false) else {
                        throw InputError(a.path, "seed \(s.seed): the test rows need both good and bad images for metrics")
                    }
                    testGroups.append(TestGroup(className: a.className, seed: s.seed,
                                                group: Bootstrap.Group(scores: scores, labels: labels), uncertain: uncertain))
                    aurocs[s.seed] = 100 * Metrics.auroc(scores: scores, labels: labels)
                    fprs[s.seed] = 100 * Metrics.fprAtTPR95(scores: scores, labels: labels)
                }
                perClass[a.className] = (Summary(aurocs), Summary(fprs))
                classAuroc[a.className] = aurocs
                classFpr[a.className] = fprs
            }
            // Per seed, the mean over classes; then mean ± std over seeds.
            let seeds = Set(classAuroc.values.flatMap(\.keys)).sorted()
            func overall(_ m: [String: [Int: Double]]) throws -> [Int: Double] {
                var out: [Int: Double] = [:]
                for seed in seeds {
                    let values = m.values.compactMap { $0[seed] }
                    guard values.count == m.count else {
                        throw InputError(options.scoresPaths[0], "method '\(method)': seed \(seed) is missing for some classes")
                    }
                    out[seed] = values.reduce(0, +) / Double(values.count)
                }
                return out
            }
            results.append(MethodResult(method: method, auroc: Summary(try overall(classAuroc)),
                                        fpr: Summary(try overall(classFpr)),
                                        perClass: classes.count > 1 ? perClass : [:],
                                        good: pooled.good, bad: pooled.bad, unseen: pooled.unseen,
                                        uncertain: pooled.uncertain,
                                        signOff: options.signOff.map { rowSignOff(testGroups, $0) }))
        }
        return (results, classes)
    }

    static func write(_ results: [MethodResult], classes: [String], options: Options) throws {
        try checkOutputFolder(options.output)
        // One set whose marker is metrics.json (Make's target): every file is
        // written under a temporary name first (a full disk changes nothing),
        // then metrics.json is removed, the others renamed into place, and
        // metrics.json renamed last (docs/reliability.md, section 6, class 3).
        var files = OutputSet(marker: options.output + "/metrics.json")
        defer { files.discard() }
        // Every figure's name, checked before anything is written: two
        // methods whose names map to one file name, or a --figure taking a
        // histogram's name, are refused here, not half-way through the
        // commit (docs/reliability.md, "Files, outputs and CSV cells").
        var figureNames: [(name: String, method: String?)] = []
        var owners: [String: String] = [:]
        for r in results {
            let name = "hist_" + r.method.replacingOccurrences(of: "[^A-Za-z0-9_+.-]", with: "_", options: .regularExpression) + ".png"
            if let other = owners[name] {
                throw InputError(options.output + "/figures/" + name,
                                 "methods '\(other)' and '\(r.method)' would both be drawn here (names map to files by [^A-Za-z0-9_+.-] → _); rename one of them — nothing was changed")
            }
            owners[name] = r.method
            figureNames.append((name, r.method))
        }
        for figure in options.figures {
            guard !figure.name.isEmpty, !figure.name.contains("/"), !figure.name.hasPrefix("hist_"), !figure.name.hasPrefix("."),
                  figure.name.hasSuffix(".png"), owners[figure.name] == nil else {
                throw InputError("--figure", "'\(figure.name)=\(figure.path)': NAME must be a .png file name, not hist_* and not given twice")
            }
            owners[figure.name] = figure.path
            figureNames.append((figure.name, nil))
        }
        let figuresFolder = options.output + "/figures"
        let previous = ownedFigures(figuresFolder)

        // metrics.json
        var methods: [String: Any] = [:]
        for r in results {
            var entry: [String: Any] = ["auroc": r.auroc.json, "fpr95tpr": r.fpr.json]
            if !r.perClass.isEmpty {
                entry["per_class"] = Dictionary(uniqueKeysWithValues: r.perClass.map {
                    ($0.key, ["auroc": $0.value.auroc.json, "fpr95tpr": $0.value.fpr.json] as [String: Any])
                })
            }
            if let so = r.signOff { entry["sign_off"] = rowSignOffJSON(so) }
            methods[r.method] = entry
        }
        var top: [String: Any] = ["title": options.title, "methods": methods, "method_order": results.map(\.method),
                                  "classes": classes, "scores": options.scoresPaths]
        if let s = options.signOff { top["sign_off"] = signOffJSON(s) }
        if let tag = options.onlyTag { top["subset"] = "good vs bad tagged '\(tag)'" }
        let json = try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .prettyPrinted])

        // results.csv: long form, one row per method, class and seed, then mean and std.
        var csv = CSV.line(["method", "class", "seed", "auroc", "fpr95tpr"])
        for r in results {
            let rows: [(String, Summary, Summary)] = r.perClass.isEmpty
                ? [(classes.first ?? "all", r.auroc, r.fpr)]
                : classes.map { ($0, r.perClass[$0]!.auroc, r.perClass[$0]!.fpr) } + [("mean", r.auroc, r.fpr)]
            for (cls, a, f) in rows {
                for seed in a.perSeed.keys.sorted() {
                    csv += CSV.line([CSV.text(r.method), CSV.text(cls), "\(seed)", fmt(a.perSeed[seed]!, 4), fmt(f.perSeed[seed]!, 4)])
                }
                csv += CSV.line([CSV.text(r.method), CSV.text(cls), "mean", fmt(a.mean, 4), fmt(f.mean, 4)])
                csv += CSV.line([CSV.text(r.method), CSV.text(cls), "std", fmt(a.std, 4), fmt(f.std, 4)])
            }
        }
        try files.data(options.output + "/results.csv", Data(csv.utf8))

        // results.md
        var md = markdown(results, classes: classes, options: options)
        for path in options.sections {
            guard let data = try RegularFile.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw InputError(path, "cannot read as UTF-8 text (--section)")
            }
            md += "\n" + text
        }
        if let history = options.history {
            let (section, run) = try ReportHistory.current(history, methods: results.map { ($0.method, $0.auroc.mean) })
            md += "\n" + section
            try files.data(options.output + "/run.json", run)
        }
        try files.data(options.output + "/results.md", Data(md.utf8))

        // figures: a histogram per method, then the figures given, and the
        // record of what the report owns in figures/ (OutputSet.ownerMarker).
        for (r, (name, _)) in zip(results, figureNames) {
            try files.stage(figuresFolder + "/" + name) { t in
                try Histogram.write(path: t, title: r.method, subtitle: poolingNote(r, classes: classes.count),
                                    series: [("good", r.good), ("bad", r.bad), ("unseen", r.unseen), ("uncertain", r.uncertain)])
            }
        }
        for figure in options.figures {
            let data: Data
            do {
                guard let d = try RegularFile.contents(atPath: figure.path) else { throw InputError(figure.path, "cannot read figure") }
                data = d
            } catch let e as FileReadError { throw e } catch {
                throw InputError(figure.path, "cannot read figure")
            }
            try files.data(figuresFolder + "/" + figure.name, data)
        }
        let written = Set(figureNames.map(\.name))
        try files.data(figuresFolder + "/" + OutputSet.ownerMarker, Data(written.sorted().map { $0 + "\n" }.joined().utf8))

        // metrics.json last: it is Make's target for the report, so it must
        // appear only once every other file of the report is in place.
        try files.data(options.output + "/metrics.json", json)
        try files.commit()
        // Figures an earlier report recorded and this one did not write (a
        // histogram of a method no longer in the report) go after the
        // commit: only names in that record, only regular files, never
        // through a symlink; a file someone else put in figures/ stays.
        var info = stat()
        guard lstat(figuresFolder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
        for name in previous.subtracting(written) {
            let path = figuresFolder + "/" + name
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
        }
    }

    /// The figure names an earlier report recorded in `folder` (its
    /// `OutputSet.ownerMarker`), plain names only; empty when there is none.
    static func ownedFigures(_ folder: String) -> Set<String> {
        guard let data = try? RegularFile.contents(atPath: folder + "/" + OutputSet.ownerMarker) else { return [] }
        return Set(String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && !$0.contains("/") && $0 != "." && $0 != ".." && !$0.hasPrefix(".") })
    }

    /// A report folder that is a file, or cannot be created or written, is
    /// refused with one line before any work.
    static func checkOutputFolder(_ folder: String) throws {
        try OutputPaths.prepareFolder(folder)
        // figures/ is the report's own: written into and cleaned, so never a
        // link to somewhere else (docs/reliability.md, "Files, outputs and CSV cells").
        var info = stat()
        if lstat(folder + "/figures", &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw OutputError.isSymlink(folder + "/figures", option: "-o")
        }
    }

    public static func markdown(_ results: [MethodResult], classes: [String], options: Options) -> String {
        let seeds = results.first.map { $0.auroc.perSeed.count } ?? 0
        var md = "# \(options.title)\n\n"
        if let tag = options.onlyTag { md += "Good images against bad images tagged `\(tag)` only.\n\n" }
        md += "Cl. AUROC and FPR@95TPR (×100), mean ± std over \(seeds) seed\(seeds == 1 ? "" : "s").\n\n"
        md += "| Method | Cl. AUROC ↑ | FPR@95TPR ↓ |\n|---|---:|---:|\n"
        for r in results {
            md += "| \(r.method) | \(fmt(r.auroc.mean, 2)) ± \(fmt(r.auroc.std, 2)) | \(fmt(r.fpr.mean, 2)) ± \(fmt(r.fpr.std, 2)) |\n"
        }
        if classes.count > 1 {
            // The reference README's layout: mean, then each class; one decimal.
            for (title, pick) in [("Cl. AUROC", { (v: (auroc: Summary, fpr: Summary)) in v.auroc.mean }),
                                  ("FPR@95TPR", { (v: (auroc: Summary, fpr: Summary)) in v.fpr.mean })] {
                md += "\n## \(title) per class (mean over seeds)\n\n"
                md += "| model | mean | " + classes.joined(separator: " | ") + " |\n"
                md += "|---|" + String(repeating: ":---:|", count: classes.count + 1) + "\n"
                for r in results {
                    let mean = title == "Cl. AUROC" ? r.auroc.mean : r.fpr.mean
                    md += "| \(r.method) | \(fmt(mean, 1)) | "
                    md += classes.map { c in r.perClass[c].map { fmt(pick($0), 1) } ?? "–" }.joined(separator: " | ") + " |\n"
                }
            }
        }
        if results.contains(where: { !$0.uncertain.isEmpty }) {
            md += "\n## Uncertain images (not in the metrics)\n\nScore quantiles of uncertain test images beside good and bad, pooled over seeds.\n\n"
            md += "| Method | set | n | q25 | median | q75 |\n|---|---|---:|---:|---:|---:|\n"
            for r in results {
                for (name, values) in [("good", r.good), ("uncertain", r.uncertain), ("bad", r.bad + r.unseen)] where !values.isEmpty {
                    let sorted = values.sorted()
                    md += "| \(r.method) | \(name) | \(values.count) | \(fmt(Quantile.linear(sorted, q: 0.25), 3)) | \(fmt(Quantile.linear(sorted, q: 0.5), 3)) | \(fmt(Quantile.linear(sorted, q: 0.75), 3)) |\n"
                }
            }
        }
        if let s = options.signOff { md += signOffMarkdown(results, classes: classes, signOff: s) }
        md += "\nFigures: " + results.map { r in
            let name = r.method.replacingOccurrences(of: "[^A-Za-z0-9_+.-]", with: "_", options: .regularExpression)
            return "[\(r.method)](figures/hist_\(name).png)"
        }.joined(separator: ", ") + "\n"
        return md
    }

    /// What a method's histogram pools, for its subtitle: "test scores
    /// pooled over 5 seeds (0-4), n = 510" (" and 2 classes" when there are more).
    static func poolingNote(_ r: MethodResult, classes: Int) -> String {
        let seeds = r.auroc.perSeed.keys.sorted()
        let n = r.good.count + r.bad.count + r.unseen.count + r.uncertain.count
        let list: String
        if seeds.count > 2, let first = seeds.first, let last = seeds.last, last - first == seeds.count - 1 {
            list = "\(first)-\(last)"
        } else {
            list = seeds.map(String.init).joined(separator: " ")
        }
        let pooledClasses = classes > 1 ? "\(classes) classes" : nil
        if seeds.count == 1 {
            return "test scores of seed \(list)" + (pooledClasses.map { ", \($0) pooled" } ?? "") + ", n = \(n)"
        }
        return "test scores pooled over \(seeds.count) seeds (\(list))" + (pooledClasses.map { " and \($0)" } ?? "") + ", n = \(n)"
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { x.isNaN ? "nan" : String(format: "%.\(digits)f", x) }
}
