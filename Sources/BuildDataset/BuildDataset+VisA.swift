import ArgumentParser
import SegAD
import SegADCLI

extension BuildDataset {
    struct VisAManifestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "visa-manifest",
            abstract: "Writes the manifest of one VisA class from the reference's cached-map layout (ten seeds, 10 bad training rows).")

        @Option(help: "The cached-map root holding anomaly_maps/ and visa_segm/.") var root: String
        @Option(name: .customLong("class"), help: "The VisA class, e.g. pcb1.") var className: String
        @Option(help: "Models (folders under anomaly_maps/), space- or comma-separated.") var models: String
        @Option(help: "Also write each model's own image scores (prediction_an_det) as DIR/MODEL.csv.") var scoresDir: String?
        @Option(name: .shortAndLong, help: "The manifest to write (.json).") var output: String

        func run() throws {
            StageMain.run("build-dataset visa-manifest") {
                try OutputPaths.check(outputs: [.init("-o", output)] + (scoresDir.map { [.init("--scores-dir", $0, folder: true)] } ?? []), inputs: [("--root", root)])
                let list = models.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                try VisAManifest.build(.init(root: root, className: className, models: list, output: output,
                                             scoresOutput: scoresDir))
            }
        }
    }
}
