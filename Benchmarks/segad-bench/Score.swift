import Foundation
import SegAD
import SegADDetectors

/// segad-bench score PIPELINE.h5 IMAGES_DIR [--images N] [--batch B]: what
/// `evaluate score-new` costs per image, by step (BENCHMARKS.md, "Line
/// speed"). On the first N images of the folder (name order; default 32):
///
/// - latency, batch 1: each image alone through the whole path — read and
///   resize, every detector, segment features, forest and contributions,
///   top features, overlay render and PNG write — p50 and p99 over images;
/// - per step: the mean seconds per image of each step at batch 1, and
///   inside each detector its stages (StageClock: backbone, embedding,
///   PatchCore's nearest-neighbour search — brute or, with
///   SEGAD_NN_SEARCH=pruned, pruned — PaDiM's Mahalanobis distances,
///   upsample and blur, the golden template's deviation and blur);
/// - throughput, batch B (default 32): images/s through the same path,
///   with overlays and without.
///
/// Prints `RESULT score …` lines. The pipeline's own load is timed first.
func benchScore(_ arguments: [String]) throws {
    var count = 32, batch = 32
    var positional: [String] = []
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--images": guard i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 1 else { usage() }; count = n; i += 2
        case "--batch": guard i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 1 else { usage() }; batch = n; i += 2
        default: positional.append(arguments[i]); i += 1
        }
    }
    guard positional.count == 2 else { usage() }
    let (pipelinePath, folder) = (positional[0], positional[1])
    let list = Array(try NewImageScoring.images(.folder(folder)).prefix(count))
    let out = NSTemporaryDirectory() + "segad-bench-score-\(ProcessInfo.processInfo.processIdentifier)"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: out) }

    var began = ContinuousClock().now
    let scorer = try PipelineScorer(path: pipelinePath)
    print("RESULT score step=pipeline-load seconds=\(String(format: "%.3f", seconds(since: began)))")
    let (h, w) = scorer.pipeline.size
    print("RESULT score size=\(h)x\(w) detectors=\(scorer.pipeline.detectors.map(\.name).joined(separator: "+")) images=\(list.count)")

    // Warm-up: one image, not counted (first-touch of the weights and buffers).
    _ = try scorer.score([try scorer.load(path: list[0].path)])

    let timings = ScoreTimings()
    // The detectors' stages land in the same table; only for the batch-1
    // pass (the sink is removed before the throughput runs).
    StageClock.sink = { timings.add("  " + $0, $1) }
    var latencies: [Double] = []
    for (id, path) in list {
        let t0 = ContinuousClock().now
        var lap = t0
        func step(_ name: String) { let now = ContinuousClock().now; timings.add(name, lap.duration(to: now)); lap = now }
        let image = try scorer.load(path: path)
        step("read and resize")
        let result = try scorer.score([image], timings: timings)[0]
        lap = ContinuousClock().now
        let top = scorer.topFeatures(result)
        step("top features")
        let canvas = Overlay.render(id: id, image: image, result: result, pipeline: scorer.pipeline, topFeatures: top)
        step("overlay render")
        try Overlay.write(canvas, path: out + "/\(latencies.count).png")
        step("overlay write")
        latencies.append(seconds(since: t0))
    }
    StageClock.sink = nil
    let sorted = latencies.sorted()
    func quantile(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))] }
    for name in timings.steps {
        print("RESULT score batch=1 step=\"\(name)\" ms_per_image=\(String(format: "%.2f", timings.seconds[name]! / Double(list.count) * 1000))")
    }
    print("RESULT score batch=1 p50_ms=\(String(format: "%.1f", quantile(0.5) * 1000)) p99_ms=\(String(format: "%.1f", quantile(0.99) * 1000)) images_per_s=\(String(format: "%.2f", Double(list.count) / latencies.reduce(0, +)))")

    for overlays in [false, true] {
        began = ContinuousClock().now
        for start in stride(from: 0, to: list.count, by: batch) {
            let part = Array(list[start ..< min(start + batch, list.count)])
            var loaded = [DetectorImage?](repeating: nil, count: part.count)
            try loaded.withUnsafeMutableBufferPointer { slots in
                try concurrentForEach(part.count) { i in slots[i] = try scorer.load(path: part[i].path) }
            }
            let images = loaded.map { $0! }
            let results = try scorer.score(images)
            let tops = results.map { scorer.topFeatures($0) }
            if overlays {
                try concurrentForEach(part.count) { i in
                    let canvas = Overlay.render(id: part[i].id, image: images[i], result: results[i],
                                                pipeline: scorer.pipeline, topFeatures: tops[i])
                    try Overlay.write(canvas, path: out + "/b\(start + i).png")
                }
            }
        }
        let s = seconds(since: began)
        print("RESULT score batch=\(batch) overlays=\(overlays) images_per_s=\(String(format: "%.2f", Double(list.count) / s)) ms_per_image=\(String(format: "%.1f", s / Double(list.count) * 1000))")
    }
}
