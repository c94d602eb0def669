import Foundation
import ArgumentParser
import SegADCore
import SegADMethod
import SegADCLI

@main
struct SegmentStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment-stats",
        abstract: "SegAD features: per-segment q995, skewness, kurtosis and mean of each detector's maps, plus each max.",
        discussion: """
        Feature order follows the reference code: segments outer (a, b, …), detectors \
        inner, then an_det_score_DETECTOR per detector, then the classifier score. \
        The manifest must be the one the maps were made from.
        """)

    @OptionGroup var manifest: ManifestOptions

    @Option(name: .customLong("maps"), parsing: .singleValue, help: "A maps artifact; repeat for K detectors.")
    var maps: [String] = []

    @Option(help: "Static label map for every image (gray PNG whose values are labels, or integer .npy).")
    var segmentation: String?

    @Flag(help: "Use each item's own label map (items[].segmentation in the manifest).")
    var perItemSegmentation = false

    @Option(help: "Number of segments L; labels must lie in 0…L-1.",
            parse: Bounded.integer(Bounds.segments, why: Bounds.segmentsWhy))
    var segments: Int

    @Option(help: "CSV (id,score) of a supervised classifier, appended as the last feature.")
    var classifierScores: String?

    @Option(name: .shortAndLong, help: "The features artifact to write (.h5).")
    var output: String

    @Option(help: "Worker threads (default: all cores).", parse: Bounded.integer(1...Bounds.maxThreads))
    var threads: Int?

    func validate() throws {
        if maps.isEmpty { throw ValidationError("give at least one --maps artifact") }
        if (segmentation == nil) == !perItemSegmentation {
            throw ValidationError("give exactly one of --segmentation FILE or --per-item-segmentation")
        }
    }

    func run() throws {
        StageMain.run("segment-stats") {
            try OutputPaths.check(outputs: [.init("-o", output)],
                                  inputs: [("--manifest", manifest.path), ("--segmentation", segmentation ?? ""), ("--classifier-scores", classifierScores ?? "")] + maps.map { ("--maps", $0) },
                                  manifests: [manifest.path])
            var options = FeatureExtraction.Options(
                manifestPath: manifest.path, mapsPaths: maps,
                segmentation: segmentation.map { .staticMap(path: $0) } ?? .perItem,
                segments: segments, classifierScores: classifierScores, output: output)
            if let threads { options.threads = threads }
            try FeatureExtraction.run(options)
        }
    }
}
