import ArgumentParser
import SegAD

@main
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Scores test rows and reports Cl. AUROC and FPR@95TPR over seeds.",
        subcommands: [Score.self, ReportCommand.self])
}

extension Evaluate {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scores each seed's test rows with a model per seed, a feature column, or a score CSV.")

        @Option(help: "The features artifact.") var features: String
        @Option(help: "The run's manifest (JSON).") var manifest: String
        @Option(name: .customLong("model"), parsing: .singleValue, help: "A model artifact (one per seed; repeatable).")
        var models: [String] = []
        @Option(help: "Use this feature column as the score, e.g. an_det_score_rd4ad (a base detector).")
        var feature: String?
        @Option(help: "Import scores from a CSV with columns id,score (a method run elsewhere).")
        var scoresCsv: String?
        @Option(help: "The method's name in tables, e.g. 'SegAD(efficient_ad)'.") var method: String
        @Option(name: .shortAndLong, help: "The scores artifact to write (.h5).") var output: String

        func validate() throws {
            let given = [!models.isEmpty, feature != nil, scoresCsv != nil].filter { $0 }.count
            if given != 1 { throw ValidationError("give exactly one of --model, --feature or --scores-csv") }
        }

        func run() throws {
            StageMain.run("evaluate score") {
                let source: Scoring.Source = !models.isEmpty ? .models(models)
                    : feature.map { .feature($0) } ?? .csv(scoresCsv!)
                try Scoring.run(.init(featuresPath: features, manifestPath: manifest, source: source,
                                      method: method, output: output))
            }
        }
    }

    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Writes metrics.json, results.csv, results.md and figures/*.png from scores artifacts.")

        @Argument(help: "Scores artifacts (methods in table order; one per method and class).")
        var scores: [String]
        @Option(name: .shortAndLong, help: "The report folder.") var output: String
        @Option(help: "The table's title.") var title = "SegAD results"
        @Option(help: "Compare good images with bad images carrying this tag only (e.g. unseen).") var onlyTag: String?
        @Flag(help: "Also print results.md to stdout.") var print = false

        func validate() throws {
            if scores.isEmpty { throw ValidationError("give at least one scores artifact") }
        }

        func run() throws {
            StageMain.run("evaluate report") {
                let options = Report.Options(scoresPaths: scores, output: output, title: title, onlyTag: onlyTag)
                try Report.run(options)
                if print, let text = try? String(contentsOfFile: output + "/results.md", encoding: .utf8) {
                    Swift.print(text)
                }
            }
        }
    }
}
