import Foundation
import ArgumentParser
import SegADCore
import SegADMethod
import SegADDeploy
import SegADCLI
import SegADNative

@main
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Scores test rows and reports Cl. AUROC and FPR@95TPR over seeds.",
        subcommands: [Score.self, ReportCommand.self, SavePipeline.self, ScoreNew.self, MergeScores.self, BestMethod.self, HeldOut.self,
                      KeepRun.self, Serve.self, RecordCommand.self])
}

extension Evaluate {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scores each seed's test rows with a model per seed, a feature column, a map's max, or a score CSV.",
            discussion: """
            --features with --model, --feature or --scores-csv; or --maps alone (a base detector: \
            each map's max, equal bit for bit to the features' an_det_score_DET) or --maps with \
            --scores-csv (the rows from the maps artifact), so a base detector's row does not \
            depend on the segmentation.
            """)

        @Option(help: "The features artifact.") var features: String?
        @Option(help: "Instead of --features: a maps artifact; scores each test row by its map's max (or by --scores-csv).")
        var maps: String?
        @OptionGroup var manifest: ManifestOptions
        @Option(name: .customLong("model"), parsing: .singleValue, help: "A model artifact (one per seed; repeatable).")
        var models: [String] = []
        @Option(help: "Use this feature column as the score, e.g. an_det_score_rd4ad (a base detector).")
        var feature: String?
        @Option(help: "Import scores from a CSV with columns id,score (a method run elsewhere).")
        var scoresCsv: String?
        @Option(help: "The method's name in tables, e.g. 'SegAD(efficient_ad)'.") var method: String
        @Option(name: .shortAndLong, help: "The scores artifact to write (.h5).") var output: String

        func validate() throws {
            if (features == nil) == (maps == nil) { throw ValidationError("give exactly one of --features or --maps") }
            if maps != nil {
                if !models.isEmpty || feature != nil {
                    throw ValidationError("--maps scores by the map's max or --scores-csv; --model and --feature need --features")
                }
                return
            }
            let given = [!models.isEmpty, feature != nil, scoresCsv != nil].filter { $0 }.count
            if given != 1 { throw ValidationError("give exactly one of --model, --feature or --scores-csv") }
        }

        func run() throws {
            StageMain.run("evaluate score") {
                try OutputPaths.check(outputs: [.init("-o", output)],
                                      inputs: [("--features", features ?? ""), ("--maps", maps ?? ""), ("--manifest", manifest.path), ("--scores-csv", scoresCsv ?? "")] + models.map { ("--model", $0) },
                                      manifests: [manifest.path])
                if let maps {
                    try Scoring.run(maps: .init(mapsPath: maps, manifestPath: manifest.path, scoresCSV: scoresCsv,
                                                method: method, output: output))
                    return
                }
                guard let features else { return }
                let source: Scoring.Source = !models.isEmpty ? .models(models)
                    : feature.map { .feature($0) } ?? .csv(scoresCsv!)
                try Scoring.run(.init(featuresPath: features, manifestPath: manifest.path, source: source,
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
        @Option(name: .customLong("figure"), parsing: .singleValue,
                help: "NAME.png=PATH: copy the figure PATH into figures/NAME.png (repeatable). Every other file in figures/ that this report did not write is removed.")
        var figures: [String] = []
        @Option(name: .customLong("section"), parsing: .singleValue,
                help: "A Markdown file appended to results.md (repeatable), e.g. SIZE=auto's choice.md.")
        var sections: [String] = []
        @Flag(help: "Add the sign-off section (test counts, 95% bootstrap intervals, rows with few test defects flagged) to results.md and metrics.json.")
        var signOff = false
        @Option(help: "With --sign-off: the working size the maps were made at, HxW.", parse: ImageSize.parse)
        var workingSize: ImageSize?
        @Option(help: "With --sign-off: the saved pipeline (evaluate save-pipeline), whose row and operating point the report names.")
        var pipeline: String?
        @Option(help: "With --sign-off: bootstrap resamples for the intervals.", parse: Bounded.integer(100...100_000))
        var resamples = 1000
        @Option(help: "With --sign-off: SplitMix64 seed of the resampling indices.", parse: Bounded.integer(0...Bounds.maxSeed))
        var bootstrapSeed = 0
        @Option(help: "Kept runs of this name (e.g. artifacts/NAME/runs): write run.json and add a History table to results.md (evaluate keep-run keeps the run).")
        var history: String?
        @Option(help: "With --history: the run's manifest (image counts).") var runManifest: String?
        @Option(help: "With --history: the run's working size HxW.") var runSize: String?
        @Option(help: "With --history: the run's detectors, space-separated.") var runDetectors: String?
        @Option(help: "With --history: the run's regime (good only, few bad, enough bad).") var runRegime: String?

        func figurePairs() -> [(name: String, path: String)] {
            figures.map { f in
                guard let eq = f.firstIndex(of: "=") else { return ("", f) }
                return (String(f[..<eq]), String(f[f.index(after: eq)...]))
            }
        }

        func validate() throws {
            if scores.isEmpty { throw ValidationError("give at least one scores artifact") }
            if !signOff, workingSize != nil || pipeline != nil {
                throw ValidationError("--working-size and --pipeline belong to --sign-off")
            }
            if history != nil, runManifest == nil || runSize == nil || runDetectors == nil {
                throw ValidationError("--history needs --run-manifest, --run-size and --run-detectors")
            }
        }

        func run() throws {
            StageMain.run("evaluate report") {
                try OutputPaths.check(outputs: [.init("-o", output)] + (["results.md", "results.csv", "metrics.json"] + (history == nil ? [] : ["run.json"])).map { .init("-o", (output as NSString).appendingPathComponent($0)) }
                                      + [.init("-o", (output as NSString).appendingPathComponent("figures"), folder: true)],
                                      inputs: scores.map { ("scores", $0) } + figurePairs().map { ("--figure", $0.path) } + sections.map { ("--section", $0) }
                                          + (pipeline.map { [("--pipeline", $0)] } ?? [])
                                          + (runManifest.map { [("--run-manifest", $0)] } ?? []))
                var options = Report.Options(scoresPaths: scores, output: output, title: title, onlyTag: onlyTag,
                                             figures: figurePairs())
                options.sections = sections
                if signOff {
                    options.signOff = Report.SignOff(workingSize: workingSize.map { "\($0.height)x\($0.width)" },
                                                     pipeline: try pipeline.map(Self.savedRow), resamples: resamples,
                                                     seed: UInt64(bootstrapSeed))
                }
                if let history, let runManifest, let runSize, let runDetectors {
                    options.history = .init(runs: history, manifest: runManifest, size: runSize,
                                            detectors: runDetectors.split(separator: " ").map(String.init), regime: runRegime)
                }
                try Report.run(options)
                if print, let text = try? String(contentsOfFile: output + "/results.md", encoding: .utf8) {
                    Swift.print(text)
                }
            }
        }
    }
}

extension Evaluate {
    struct SavePipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "save-pipeline",
            abstract: "Saves one seed's detectors, segmentation and model as a pipeline with an operating point.",
            discussion: """
            The threshold keeps --tpr of the bad rows on out-of-fold scores of the seed's segad-train \
            rows (sklearn's StratifiedKFold(--folds, shuffle=True, random_state=--fold-seed); each fold's \
            BRF trained on the other folds with the model's parameters): the 'linear' quantile of the out-of-fold bad scores at 1 − TPR. \
            The pipeline embeds the detector states and backbone weights, so `score-new` needs nothing else.
            """)

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "The seed whose model and segad-train rows to use.", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
        @Option(help: "The features artifact the model was trained on.") var features: String
        @Option(help: "The model artifact of the seed (train-brf).") var model: String
        @Option(name: .customLong("state"), parsing: .singleValue,
                help: "A detector-state artifact (extract-maps fit); one per detector of the features.")
        var states: [String] = []
        @Option(help: "The static label map the features were made with (PNG or .npy).") var segmentation: String
        @Option(help: "True-positive rate the threshold keeps on out-of-fold bad scores.",
                parse: Bounded.decimal(0...1, excluding: .lower)) var tpr = 0.95
        @Option(help: "Folds for the out-of-fold scores.", parse: Bounded.integer(2...100)) var folds = 5
        @Option(help: "Seed of the fold assignment (default: --seed).", parse: Bounded.integer(0...Bounds.maxSeed))
        var foldSeed: Int?
        @Option(help: "Comma-separated names of the segments 0…L-1, shown beside feature names in score-new's output.")
        var segmentNames: String?
        @Option(help: "The working-size record of `extract-maps choose-size` (SIZE=auto), kept in the pipeline's config.")
        var sizeChoice: String?
        @Option(help: "The report row this model is, e.g. 'SegAD(patchcore+padim)', recorded in the pipeline (evaluate report --pipeline shows it).")
        var method: String?
        @Option(help: "Set the threshold for this false-alarm rate on held-out good images instead (good-only and few-bad regimes, docs/regimes.md).",
                parse: Bounded.decimal(0...0.5, excluding: .lower)) var falseAlarm: Double?
        @Option(help: "With --false-alarm: the model's scores artifact (evaluate score); the seed's test good rows are the held-out good images.")
        var heldOut: String?
        @Option(name: .shortAndLong, help: "The pipeline artifact to write (.h5).") var output: String

        func validate() throws {
            if states.isEmpty { throw ValidationError("give at least one --state") }
            if (falseAlarm == nil) != (heldOut == nil) { throw ValidationError("give --false-alarm and --held-out together") }
        }

        func run() throws {
            StageMain.run("evaluate save-pipeline") {
                try OutputPaths.check(outputs: [.init("-o", output)],
                                      inputs: [("--manifest", manifest.path), ("--features", features), ("--model", model), ("--segmentation", segmentation), ("--size-choice", sizeChoice ?? ""), ("--held-out", heldOut ?? "")] + states.map { ("--state", $0) },
                                      manifests: [manifest.path])
                var options = PipelineSaving.Options(
                    manifestPath: manifest.path, seed: seed, featuresPath: features, modelPath: model,
                    statePaths: states, segmentationPath: segmentation, tpr: tpr, folds: folds,
                    foldSeed: foldSeed, output: output,
                    segmentNames: segmentNames.map { $0.split(separator: ",", omittingEmptySubsequences: false)
                        .map { $0.trimmingCharacters(in: .whitespaces) } }, sizeChoicePath: sizeChoice)
                options.method = method
                options.falseAlarm = falseAlarm
                options.heldOutScores = heldOut
                try PipelineSaving.run(options)
            }
        }
    }

    struct ScoreNew: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score-new",
            abstract: "Scores new images with a saved pipeline: OUT/scores.csv and OUT/overlays/ID.png.",
            discussion: """
            PNG, JPEG or TIFF images (told apart by content; JPEG Exif orientation applied) of any size \
            are resized bilinearly to the pipeline's working size (as its detectors' images were: stretched, or with --resize pad or crop, the mode the pipeline records); samples are scaled to [0, 1]; alpha is dropped; color becomes gray (BT.601 luma) for a gray \
            pipeline and gray is replicated for a color one. Unreadable files stop the run with one line \
            (with --skip-unreadable they become rows of OUT/errors.csv: id,path,fault). \
            --shard K/N scores block K of the ids sorted by their UTF-8 bytes, cut into N (docs/cluster.md); \
            OUT/shard.json then records the pipeline's SHA-256, K, N and the ids, and merge-scores joins the shards. \
            scores.csv: id,score,decision,top_features (decision: anomalous when score ≥ the threshold; \
            top features by |XGBoost contribution|, e.g. c_patchcore_kurtosis (+0.83)).
            """)

        @Option(help: "The pipeline artifact (evaluate save-pipeline).") var pipeline: String
        @Option(help: "A folder of PNG, JPEG or TIFF images (id = file name without extension).") var images: String?
        @Option(help: "A manifest; every item naming an image is scored (id = item id).") var manifest: String?
        @Option(help: "A text file naming one image per line, relative paths from its folder (id = file name without extension).")
        var list: String?
        @Option(help: "Score only shard K of N (K = 1…N) of the sorted ids; OUT/shard.json records it.", parse: ShardOption.parse)
        var shard: ShardOption?
        @Flag(help: "Write unreadable images to OUT/errors.csv (id,path,fault) and go on.") var skipUnreadable = false
        @Flag(help: "Skip the overlay PNGs.") var noOverlays = false
        @Option(help: "Top contributing features per image.", parse: Bounded.integer(0...1000)) var top = 3
        @Option(help: "Images per detector batch.", parse: Bounded.integer(1...4096)) var batch = 32
        @Flag(help: "No progress lines on stderr.") var quiet = false
        @Option(name: .shortAndLong, help: "The output folder.") var output: String

        func validate() throws {
            if [images, manifest, list].compactMap({ $0 }).count != 1 { throw ValidationError("give exactly one of --images, --manifest or --list") }
        }

        func run() throws {
            StageProgress.quiet = quiet
            StageMain.run("evaluate score-new") {
                try OutputPaths.check(outputs: [.init("-o", output, folder: false), .init("-o", (output as NSString).appendingPathComponent("scores.csv")),
                                                .init("-o", (output as NSString).appendingPathComponent("overlays"), folder: true),
                                                .init("-o", (output as NSString).appendingPathComponent(ScoreShardRecord.errorsName)),
                                                .init("-o", (output as NSString).appendingPathComponent(ScoreShardRecord.fileName))],
                                      inputs: [("--pipeline", pipeline), ("--images", images ?? ""), ("--manifest", manifest ?? ""),
                                               ("--list", list ?? "")],
                                      manifests: manifest.map { [$0] } ?? [])
                let source: NewImageScoring.Source = images.map { .folder($0) } ?? list.map { .list($0) } ?? .manifest(manifest!)
                let s = try NewImageScoring.run(.init(pipelinePath: pipeline, source: source, output: output,
                                                      overlays: !noOverlays, batch: batch, topFeatures: top,
                                                      shard: shard.map { Shard(index: $0.index, count: $0.count) },
                                                      skipUnreadable: skipUnreadable))
                var line = String(format: "score-new: %d images, %d anomalous; %.2f s (%.1f images/s, pipeline load %.2f s) -> %@",
                                  s.images, s.anomalous, s.seconds, Double(s.images) / max(s.seconds, 1e-9),
                                  s.loadSeconds, output)
                if let shard { line += " (shard \(shard))" }
                if skipUnreadable { line += "; \(s.unreadable) unreadable in errors.csv" }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }
}

extension Evaluate.ReportCommand {
    /// The saved pipeline's row and operating point, for the sign-off section.
    static func savedRow(_ path: String) throws -> Report.SavedRow {
        let p = try SavedPipeline(path: path)
        let op = p.operatingPoint
        let bad = p.oof.labels.filter { $0 == 1 }.count
        return Report.SavedRow(path: path, method: p.method, seed: p.seed, threshold: op.threshold, targetTPR: op.tpr,
                               folds: op.folds, foldSeed: op.foldSeed, oofTPR: op.oofTPR, oofFPR: op.oofFPR,
                               oofAUROC: op.oofAUROC, oofGood: p.oof.labels.count - bad, oofBad: bad)
    }
}
