import Foundation
import ArgumentParser
import SegADCore
import SegADMethod
import SegADNative
import SegADMethod

extension Evaluate {
    struct BestMethod: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "best-method",
            abstract: "Prints the method of a report's metrics.json with the highest mean Cl. AUROC (ties: the lower mean FPR@95TPR, then report order).",
            discussion: "With scores artifacts instead of --metrics, the report's numbers are computed as `evaluate report` computes them (nothing is written), so a pipeline can be chosen before the report that names it.")

        @Option(help: "The report's metrics.json (evaluate report).") var metrics: String?
        @Argument(help: "Scores artifacts, as `evaluate report` takes them (instead of --metrics).") var scores: [String] = []
        @Option(help: "Only methods whose name starts with this, e.g. 'SegAD('.") var prefix = ""

        func validate() throws {
            if (metrics == nil) == scores.isEmpty { throw ValidationError("give --metrics or scores artifacts, not both") }
        }

        func run() throws {
            StageMain.run("evaluate best-method") {
                if metrics == nil {
                    let (results, _) = try Report.compute(.init(scoresPaths: scores, output: ""))
                    var best: Report.MethodResult?
                    for r in results where r.method.hasPrefix(prefix) {
                        if best == nil || r.auroc.mean > best!.auroc.mean
                            || (r.auroc.mean == best!.auroc.mean && r.fpr.mean < best!.fpr.mean) { best = r }
                    }
                    guard let best else { throw InputError(scores[0], "has no method starting with '\(prefix)'") }
                    print(best.method)
                    return
                }
                let metrics = metrics!
                guard let data = try RegularFile.contents(atPath: metrics) else { throw InputError(metrics, "no such file") }
                guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                      let order = top["method_order"] as? [String], let methods = top["methods"] as? [String: Any] else {
                    throw InputError(metrics, "not a report's metrics.json (no methods, method_order)")
                }
                func mean(_ method: String, _ key: String) -> Double? {
                    ((methods[method] as? [String: Any])?[key] as? [String: Any])?["mean"] as? Double
                }
                var best: (method: String, auroc: Double, fpr: Double)?
                for m in order where m.hasPrefix(prefix) {
                    guard let a = mean(m, "auroc") else { throw InputError(metrics, "method '\(m)' has no auroc mean") }
                    let f = mean(m, "fpr95tpr") ?? .infinity
                    if best == nil || a > best!.auroc || (a == best!.auroc && f < best!.fpr) { best = (m, a, f) }
                }
                guard let best else { throw InputError(metrics, "has no method starting with '\(prefix)'") }
                print(best.method)
            }
        }
    }
}

extension Evaluate {
    struct KeepRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keep-run",
            abstract: "Keeps a report's results.md, metrics.json and run.json (evaluate report --history) in RUNS/TIME/; no run is ever removed.")

        @Option(help: "The report folder (evaluate report -o, with --history).") var report: String
        @Option(help: "The folder of kept runs (e.g. artifacts/NAME/runs).") var runs: String

        func run() throws {
            StageMain.run("evaluate keep-run") {
                let folder = try ReportHistory.keep(report: report, runs: runs)
                FileHandle.standardError.write(Data("evaluate keep-run: kept this run's report in \(folder)\n".utf8))
            }
        }
    }
}
