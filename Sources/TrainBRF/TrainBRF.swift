import Foundation
import ArgumentParser
import SegADCore
import SegADMethod
import SegADCLI

@main
struct TrainBRF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-brf",
        abstract: "Fits SegAD's Boosted Random Forest (XGBoost) for one seed on its segad-train rows.",
        discussion: """
        Defaults are the paper's: 10 rounds of 200 parallel trees, max_depth 5, eta 0.3, \
        binary:logitraw, subsample/colsample_bytree/colsample_bynode 0.6, alpha 1, hist, \
        scale_pos_weight = good rows / bad rows, seed = the run seed. Writes the model \
        artifact and XGBoost's JSON beside it (loadable by Python's xgboost.Booster).
        """)

    @Option(help: "The features artifact.") var features: String
    @OptionGroup var manifest: ManifestOptions
    @Option(help: "The seed whose segad-train rows to fit.", parse: Bounded.integer(0...Bounds.maxSeed)) var seed: Int
    @Option(name: .shortAndLong, help: "The model artifact to write (.h5).") var output: String
    @Option(help: "Where to write XGBoost's JSON (default: OUTPUT with .json).") var json: String?
    @Option(help: "Boosting rounds.", parse: Bounded.integer(1...Bounds.maxRounds)) var rounds = 10
    @Option(help: "Trees per round (num_parallel_tree).", parse: Bounded.integer(1...Bounds.maxParallelTrees))
    var numParallelTree = 200
    @Option(help: "max_depth.", parse: Bounded.integer(1...Bounds.maxDepth)) var maxDepth = 5
    // Non-finite or out-of-range values give a NaN model (docs/reliability.md, section 6, class 5).
    @Option(help: "Learning rate eta.", parse: Bounded.decimal(0...1, excluding: .lower)) var eta = 0.3
    @Option(help: "Row subsample per tree.", parse: Bounded.decimal(0...1, excluding: .lower)) var subsample = 0.6
    @Option(help: "colsample_bytree.", parse: Bounded.decimal(0...1, excluding: .lower)) var colsampleBytree = 0.6
    @Option(help: "colsample_bynode.", parse: Bounded.decimal(0...1, excluding: .lower)) var colsampleBynode = 0.6
    @Option(help: "L1 regularization alpha.", parse: Bounded.decimal(0...1e6)) var alpha = 1.0
    @Option(help: "scale_pos_weight (default: good rows / bad rows).", parse: Bounded.decimal(0...1e6, excluding: .lower))
    var scalePosWeight: Double?
    @Option(help: "XGBoost seed (default: the run seed).", parse: Bounded.integer(0...Bounds.maxSeed)) var xgboostSeed: Int?
    @Option(help: "XGBoost threads (the model does not depend on it).", parse: Bounded.integer(1...Bounds.maxThreads))
    var threads = 1
    @Option(name: .customLong("only"), parsing: .singleValue,
            help: "Train on the features matching this glob only (repeatable), e.g. 'an_det_score_*'.")
    var only: [String] = []

    func validate() throws {
        if rounds * numParallelTree > Bounds.maxTrees {
            throw ValidationError("--rounds × --num-parallel-tree is \(rounds * numParallelTree) trees; at most \(Bounds.maxTrees)")
        }
    }

    func run() throws {
        StageMain.run("train-brf") {
            try OutputPaths.check(outputs: [.init("-o", output), .init("--json", json ?? ((output as NSString).deletingPathExtension + ".json"))],
                                  inputs: [("--features", features), ("--manifest", manifest.path)], manifests: [manifest.path])
            var p = BRFParameters()
            p.rounds = rounds; p.numParallelTree = numParallelTree; p.maxDepth = maxDepth; p.eta = eta
            p.subsample = subsample; p.colsampleByTree = colsampleBytree; p.colsampleByNode = colsampleBynode
            p.alpha = alpha; p.scalePosWeight = scalePosWeight; p.threads = threads
            try BRFTraining.run(.init(featuresPath: features, manifestPath: manifest.path, seed: seed, output: output,
                                      jsonOutput: json, parameters: p, xgboostSeed: xgboostSeed, only: only))
        }
    }
}
