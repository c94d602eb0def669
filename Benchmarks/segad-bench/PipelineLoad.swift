import Foundation
import SegAD
import SegADNative

/// segad-bench pipeline-load PIPELINE.h5 [--repeat N]: where a saved
/// pipeline's load time goes (BENCHMARKS.md, "Line speed"). Each repeat
/// times, on one thread, the steps `evaluate score-new` takes before its
/// first image: reading the artifact (`SavedPipeline(path:)`: the gate,
/// the provenance, every tensor, the state bounds), restoring the detectors
/// (`restoredDetectors`), and loading the forest (`XGBBooster(json:)`, with
/// its model check). Prints one line per step with the median over repeats:
///     RESULT pipeline-load step=read seconds=S
func benchPipelineLoad(_ arguments: [String]) throws {
    var repeats = 5
    var path: String?
    var i = 0
    while i < arguments.count {
        if arguments[i] == "--repeat", i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 1 {
            repeats = n
            i += 2
        } else {
            path = arguments[i]
            i += 1
        }
    }
    guard let path else { usage() }
    var times: [String: [Double]] = [:]
    for _ in 0..<repeats {
        var began = ContinuousClock().now
        let pipeline = try SavedPipeline(path: path)
        times["read", default: []].append(seconds(since: began))
        began = ContinuousClock().now
        _ = try pipeline.restoredDetectors()
        times["restore", default: []].append(seconds(since: began))
        began = ContinuousClock().now
        _ = try XGBBooster(json: pipeline.modelJSON, source: "model_json", limits: Bounds.xgboostModel)
        times["forest", default: []].append(seconds(since: began))
        began = ContinuousClock().now
        _ = try PipelineScorer(path: path)
        times["total", default: []].append(seconds(since: began))
    }
    let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    for step in ["read", "restore", "forest", "total"] {
        let sorted = times[step]!.sorted()
        print("RESULT pipeline-load step=\(step) seconds=\(String(format: "%.3f", sorted[sorted.count / 2])) bytes=\(bytes) repeats=\(repeats)")
    }
}
