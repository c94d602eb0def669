import Foundation
import SegADNative
import SegADCore
import SegADFigures

extension SizeChoice {
    /// The record (`choice.json`), the table (`choice.md`) and the figure
    /// (`choice.png`) beside the candidates, and `output` (HxW) as its marker:
    /// one unit (docs/reliability.md, 7.1), so a half-written choice never stands.
    static func write(_ choice: Choice, _ o: Options) throws {
        try FileManager.default.createDirectory(atPath: o.work, withIntermediateDirectories: true)
        var files = OutputSet(marker: o.output)
        defer { files.discard() }
        try files.data(recordPath(work: o.work), try encoder.encode(choice))
        try files.data(o.work + "/choice.md", Data(table(choice).utf8))
        let png = o.work + "/choice.png"
        let points = choice.results.map {
            Scatter.Point(name: $0.candidate.name, x: $0.msPerImage, y: $0.auroc, highlighted: $0.candidate == choice.chosen)
        }
        try files.stage(png) { path in
            try Scatter.render(title: "SIZE=auto: out-of-fold SegAD AUROC (seed \(choice.seed), \(choice.folds) folds) vs cost",
                               xLabel: "ms/image (apply, all detectors)", yLabel: "OOF AUROC %", points: points)
                .writePNG(path: path)
        }
        try files.data(o.output, Data("\(choice.chosen.height)x\(choice.chosen.width)\n".utf8))
        try files.commit()
    }

    public static func recordPath(work: String) -> String { work + "/choice.json" }

    /// The Markdown table of the grid, the chosen row marked, and how it was chosen.
    public static func table(_ c: Choice) -> String {
        var s = "## Working size (SIZE=auto)\n\n"
        if let why = c.fallback {
            return s + "Fell back to the fixed rule: \(why).\n"
        }
        s += "Chosen: **\(c.chosen.name)**, the fewest pixels within \(String(format: "%.2f", c.tolerance)) AUROC points of the best "
        s += "(\(c.folds)-fold out-of-fold SegAD on seed \(c.seed)'s SegAD-training images, detectors fitted on its pool; no other image read).\n\n"
        s += "| candidate | OOF AUROC | FPR@95TPR | ms/image | rows (bad) |\n|---|---|---|---|---|\n"
        for r in c.results {
            let mark = r.candidate == c.chosen ? " ←" : ""
            s += "| \(r.candidate.name)\(mark) | \(String(format: "%.2f", r.auroc)) | \(String(format: "%.2f", r.fpr95)) | "
            s += "\(String(format: "%.1f", r.msPerImage)) | \(r.rows) (\(r.bad)) |\n"
        }
        return s + "\nms/image was measured while the grid ran (load and resize included); a loaded machine inflates it.\n"
    }
}

extension SizeChoice {
    /// The record as the saved pipeline's `size_choice` config value: the
    /// chosen HxW, the fallback (if any), and per candidate its OOF AUROC,
    /// FPR@95TPR and ms/image.
    public static func configValue(record path: String) throws -> [String: Any] {
        guard let data = try RegularFile.contents(atPath: path) else { throw InputError(path, "cannot read") }
        guard let c = try? JSONDecoder().decode(Choice.self, from: data) else {
            throw InputError(path, "not a working-size record of extract-maps choose-size (choice.json)")
        }
        var out: [String: Any] = ["chosen": c.chosen.name, "folds": c.folds, "tolerance": c.tolerance, "seed": c.seed,
                                  "candidates": c.results.map { r -> [String: Any] in
                                      ["candidate": r.candidate.name, "oof_auroc": r.auroc, "fpr95": r.fpr95, "ms_per_image": r.msPerImage]
                                  }]
        if let why = c.fallback { out["fallback"] = why }
        return out
    }
}
