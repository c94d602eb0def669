import ArgumentParser
import Foundation
import SegADCore
import SegADDeploy
import SegADNative

extension Evaluate {
    struct MergeScores: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge-scores",
            abstract: "Joins the shard folders of one `score-new --shard K/N` run into OUT/scores.csv (and OUT/errors.csv).",
            discussion: """
            The output is byte for byte what one unsharded score-new run writes. Refused with one line, \
            nothing written: a folder without shard.json (the shard failed or still runs), a shard missing or \
            given twice, a shard of another pipeline, another N or another list (docs/cluster.md). \
            Overlays stay in the shard folders.
            """)

        @Argument(help: "The shard folders (score-new -o of each shard).") var shards: [String] = []
        @Option(name: .shortAndLong, help: "The output folder (scores.csv, errors.csv).") var output: String

        func run() throws {
            StageMain.run("evaluate merge-scores") {
                var inputs: [(option: String, path: String)] = []
                for dir in shards {
                    for name in [ScoreShardRecord.fileName, "scores.csv", ScoreShardRecord.errorsName] {
                        inputs.append(("shard", (dir as NSString).appendingPathComponent(name)))
                    }
                }
                try OutputPaths.check(outputs: [.init("-o", (output as NSString).appendingPathComponent("scores.csv")),
                                                .init("-o", (output as NSString).appendingPathComponent(ScoreShardRecord.errorsName))],
                                      inputs: inputs)
                let s = try ScoreMerging.run(shardFolders: shards, output: output)
                FileHandle.standardError.write(Data("merge-scores: \(s.shards) shards, \(s.scored) images scored, \(s.unreadable) unreadable -> \(output)\n".utf8))
            }
        }
    }
}
