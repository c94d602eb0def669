import Foundation
import SegADNative
import SegADCore

/// The forest of a pipeline, loaded on a thread of its own while the rest of
/// the pipeline is read (`PipelineScorer(path:)`). XGBoost and the model
/// check share nothing with the HDF5 reads on the caller's thread.
/// `@unchecked Sendable`: `result` is written once by the loading thread and
/// read by `wait` only after `done` has joined it.
final class BackgroundBooster: @unchecked Sendable {
    private let done = DispatchGroup()
    private var started = false
    private var result: Result<(json: String, booster: XGBBooster), any Error>?

    /// Starts loading `json` (once; a second call is ignored).
    func start(json: String) {
        guard !started else { return }
        started = true
        done.enter()
        DispatchQueue.global().async {
            self.result = Result { (json, try XGBBooster(json: json, source: "model_json", limits: Bounds.xgboostModel)) }
            self.done.leave()
        }
    }

    /// The loaded forest and the JSON it came from, nil when never started;
    /// rethrows the load's error.
    func wait() throws -> (json: String, booster: XGBBooster)? {
        guard started else { return nil }
        done.wait()
        return try result?.get()
    }
}
