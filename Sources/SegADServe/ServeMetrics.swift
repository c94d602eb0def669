import Foundation

/// The counters behind GET /metrics, written as Prometheus text by hand
/// (a few counters and one histogram need no client library):
/// requests by route and status, decisions by class, image bodies by kind
/// (raw or multipart), the scoring latency histogram and the queue depth
/// (docs/serving.md, "Metrics").
public final class ServeMetrics: @unchecked Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let lock = NSLock()
    private var requests: [String: Int] = [:]  // "route|status"
    private var decisions: [String: Int] = ["normal": 0, "anomalous": 0]
    private var bodies: [String: Int] = ["raw": 0, "multipart": 0]
    private var buckets = [Int](repeating: 0, count: bounds.count)
    private var latencyCount = 0
    private var latencySum = 0.0

    public init() {}

    public func request(route: String, status: Int) {
        lock.lock(); defer { lock.unlock() }
        requests["\(route)|\(status)", default: 0] += 1
    }

    /// An image body read for scoring: raw, or the file part of a multipart form.
    public func body(multipart: Bool) {
        lock.lock(); defer { lock.unlock() }
        bodies[multipart ? "multipart" : "raw", default: 0] += 1
    }

    public func decision(_ d: String, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        decisions[d, default: 0] += 1
        for (i, b) in Self.bounds.enumerated() where seconds <= b { buckets[i] += 1 }
        latencyCount += 1
        latencySum += seconds
    }

    public func text(queueDepth: Int) -> String {
        lock.lock(); defer { lock.unlock() }
        var out = "# HELP segad_requests_total HTTP requests by route and status.\n# TYPE segad_requests_total counter\n"
        for key in requests.keys.sorted() {
            let parts = key.split(separator: "|", maxSplits: 1)
            out += "segad_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(requests[key]!)\n"
        }
        out += "# HELP segad_decisions_total Decisions by class.\n# TYPE segad_decisions_total counter\n"
        for key in decisions.keys.sorted() { out += "segad_decisions_total{decision=\"\(key)\"} \(decisions[key]!)\n" }
        out += "# HELP segad_score_bodies_total Image bodies read for scoring, raw or as a multipart form's file part.\n# TYPE segad_score_bodies_total counter\n"
        for key in bodies.keys.sorted() { out += "segad_score_bodies_total{kind=\"\(key)\"} \(bodies[key]!)\n" }
        out += "# HELP segad_score_seconds Time from a score request's arrival to its recorded decision.\n# TYPE segad_score_seconds histogram\n"
        for (i, b) in Self.bounds.enumerated() { out += "segad_score_seconds_bucket{le=\"\(b)\"} \(buckets[i])\n" }
        out += "segad_score_seconds_bucket{le=\"+Inf\"} \(latencyCount)\n"
        out += "segad_score_seconds_sum \(latencySum)\nsegad_score_seconds_count \(latencyCount)\n"
        out += "# HELP segad_queue_depth Score requests admitted now (waiting or being scored).\n# TYPE segad_queue_depth gauge\n"
        out += "segad_queue_depth \(queueDepth)\n"
        return out
    }
}
