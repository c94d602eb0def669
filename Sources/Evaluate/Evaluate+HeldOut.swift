import Foundation
import ArgumentParser
import SegADCore
import SegADDeploy
import SegADCLI
import SegADNative

extension Evaluate {
    struct HeldOut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "held-out",
            abstract: "Writes the report's regime section (good-only, few-bad): what the rows measure and each row's operating point on held-out good images.",
            discussion: """
            For every scores artifact given, the seed's test good rows (the held-out good images) set a \
            threshold for --false-alarm: at most floor(rate x n) of them reach it; the section gives the \
            false alarms and their exact binomial (Clopper-Pearson) 95% interval (docs/regimes.md).
            """)

        @Argument(help: "Scores artifacts (evaluate score), one per SegAD row.") var scores: [String]
        @Option(help: "good-only or few-bad.") var regime: String
        @Option(help: "Real bad images in the folder.", parse: Bounded.integer(0...1_000_000_000)) var badImages: Int
        @Option(help: "The few-bad threshold FEW_BAD (the regime's upper bound).", parse: Bounded.integer(1...1_000_000_000)) var fewBad: Int
        @Option(help: "Target false-alarm rate.", parse: Bounded.decimal(0...0.5, excluding: .lower)) var falseAlarm: Double
        @Option(help: "The seed whose held-out good images set the point (the saved pipeline's).", parse: Bounded.integer(0...Bounds.maxSeed))
        var seed: Int
        @Option(name: .shortAndLong, help: "The Markdown section to write.") var output: String

        func validate() throws {
            if !["good-only", "few-bad"].contains(regime) { throw ValidationError("--regime: give good-only or few-bad") }
            if scores.isEmpty { throw ValidationError("give at least one scores artifact") }
        }

        func run() throws {
            StageMain.run("evaluate held-out") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: scores.map { ("scores", $0) })
                try RegimeSection.run(.init(scoresPaths: scores, regime: regime, badImages: badImages, fewBad: fewBad,
                                            falseAlarm: falseAlarm, seed: seed, output: output))
            }
        }
    }
}
