#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SegADNative
import SegADCore
import SegADDetectors
import SegADDeploy

/// One scored image, before it is recorded and answered.
public struct Decision: Sendable {
    public var id: String
    public var partId: String?
    public var time: Date
    public var score: Double
    public var anomalous: Bool
    public var threshold: Double
    public var top: [PipelineScorer.Contribution]
    /// score-new's top_features cell for the same image.
    public var topLine: String
    public var imageSHA256: String
    public var format: String
    /// Where the image was kept (--keep-images), else nil.
    public var keptImage: String?
    public var decision: String { anomalous ? "anomalous" : "normal" }
}

/// The bounded queue in front of the pipeline: at most `capacity` requests
/// admitted at once (waiting or being scored), more are refused at once
/// with 429 instead of growing memory; one worker thread scores whatever
/// has arrived together as one batch (up to `batch` images, waiting at most
/// 2 ms for company), so concurrent requests share the backbone.
///
/// The scoring is score-new's own (docs/serving.md, "Same numbers"): the
/// body is written to a file and read by `ImageFile.precheck` and
/// `PipelineScorer.load` (the header checked before any allocation), then
/// `PipelineScorer.score`, `topFeatures` and `Overlay.render`.
public final class ScoringQueue: @unchecked Sendable {
    struct Job {
        var id: String
        var partId: String?
        var body: [UInt8]
        var continuation: CheckedContinuation<Decision, any Error>
    }

    let scorer: PipelineScorer  // used by the worker thread only
    let capacity: Int
    let batch: Int
    let topFeatures: Int
    let incoming: String
    let overlays: String
    let keepImages: String?
    /// Overlays kept on disk (the newest); older ones are removed, so a
    /// server running for months does not fill its temporary folder.
    let overlaysKept: Int
    /// Whether each decision draws an overlay (`evaluate serve --no-overlays`: not).
    let drawsOverlays: Bool
    private var overlayOrder: [String] = []  // worker thread only
    private let condition = NSCondition()
    private var pending: [Job] = []  // guarded by condition
    private var admitted = 0         // guarded by condition
    private var workedSinceTrim = false  // guarded by condition

    init(scorer: PipelineScorer, capacity: Int, batch: Int, topFeatures: Int, work: String, keepImages: String?,
         overlaysKept: Int, drawsOverlays: Bool = true) throws {
        self.scorer = scorer
        self.drawsOverlays = drawsOverlays
        self.overlaysKept = max(1, overlaysKept)
        self.capacity = max(1, capacity)
        self.batch = max(1, batch)
        self.topFeatures = topFeatures
        incoming = (work as NSString).appendingPathComponent("incoming")
        overlays = (work as NSString).appendingPathComponent("overlays")
        self.keepImages = keepImages
        for dir in [incoming, overlays] + (keepImages.map { [$0] } ?? []) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let thread = Thread { [unowned self] in self.work() }
        thread.name = "segad-scoring"
        thread.start()
    }

    /// Requests admitted now (waiting or being scored): the queue depth of /metrics.
    public var depth: Int { condition.lock(); defer { condition.unlock() }; return admitted }

    /// The overlay of a decision of this run, if it exists.
    public func overlayPath(id: String) -> String { (overlays as NSString).appendingPathComponent(id + ".png") }

    /// Takes a place in the queue before a request's body is read, so that
    /// at most `capacity` bodies are held at once (docs/serving.md, "Safe by default");
    /// throws `ServeError.queueFull` at once when none is left. A place taken
    /// is given back by `release` or by the job's end after `submit(reserved: true)`.
    public func reserve() throws { try admit() }

    /// Gives back a place taken by `reserve` whose request was refused before `submit`.
    public func release() {
        condition.lock()
        admitted -= 1
        condition.unlock()
    }

    /// Scores one image; throws `ServeError.queueFull` at once when `capacity`
    /// requests are admitted (unless its place was taken by `reserve`).
    public func submit(id: String, partId: String?, body: [UInt8], reserved: Bool = false) async throws -> Decision {
        if !reserved { try admit() }
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(Job(id: id, partId: partId, body: body, continuation: continuation))
        }
    }

    private func admit() throws {
        condition.lock()
        defer { condition.unlock() }
        guard admitted < capacity else { throw ServeError.queueFull(capacity) }
        admitted += 1
    }

    private func enqueue(_ job: Job) {
        condition.lock()
        pending.append(job)
        condition.signal()
        condition.unlock()
    }

    /// The next batch. Once nothing has arrived for a second after some
    /// work, the allocator's free memory is given back (`MallocTuning`).
    private func take() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty {
            if !condition.wait(until: Date().addingTimeInterval(1)) && pending.isEmpty && workedSinceTrim {
                workedSinceTrim = false
                condition.unlock()
                MallocTuning.trim()
                condition.lock()
            }
        }
        workedSinceTrim = true
        if pending.count < batch { _ = condition.wait(until: Date().addingTimeInterval(0.002)) }
        let jobs = Array(pending.prefix(batch))
        pending.removeFirst(jobs.count)
        return jobs
    }

    private func finish(_ job: Job, _ result: Result<Decision, any Error>) {
        condition.lock()
        admitted -= 1
        condition.unlock()
        job.continuation.resume(with: result)
    }

    private func work() {
        while true {
            let jobs = take()
            score(jobs)
        }
    }

    /// A reader's fault names the temporary file; the client knows its image as "image".
    private func refusal(_ error: any Error, path: String) -> ServeError {
        .badImage("\(error)".replacingOccurrences(of: path, with: "image").replacingOccurrences(of: "\n", with: " "))
    }

    /// A received body as a file of the run's folder, for score-new's readers.
    private func write(_ body: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServeError.folderUnusable(incoming, reason: "cannot write the received image") }
        defer { close(fd) }
        var done = 0
        try body.withUnsafeBytes { bytes in
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ServeError.folderUnusable(incoming, reason: "cannot write the received image") }
                done += n
            }
        }
    }

    /// Reads one job's image as score-new reads a file: the header checked
    /// before any allocation (`ImageFile.precheck`), then `PipelineScorer.load`.
    private func load(_ job: Job) -> Result<(path: String, format: ImageFile.Format, image: DetectorImage), any Error> {
        let path = (incoming as NSString).appendingPathComponent(job.id + ".img")
        do {
            guard let format = ImageFile.format(of: Array(job.body.prefix(8))) else {
                throw ServeError.badImage("image: " + ImageFile.notAnImage)
            }
            try write(job.body, to: path)
            do {
                try ImageFile.precheck(path: path)
                return .success((path, format, try scorer.load(path: path)))
            } catch { throw refusal(error, path: path) }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return .failure(error)
        }
    }

    /// Scores a batch: each image is read and checked on its own first (in
    /// parallel, as score-new reads a batch), so a bad image is refused
    /// alone and never enters the batch; the readable ones are scored
    /// together. Should the batch fail all the same, each of its images is
    /// scored alone, so a failure is answered to the request it belongs to
    /// and the others get their scores — the same bits, as a score does
    /// not depend on its batch (docs/serving.md, "One bad image").
    private func score(_ jobs: [Job]) {
        var loaded = [Result<(path: String, format: ImageFile.Format, image: DetectorImage), any Error>?](repeating: nil, count: jobs.count)
        loaded.withUnsafeMutableBufferPointer { slots in
            try? concurrentForEach(jobs.count) { i in slots[i] = load(jobs[i]) }
        }
        var ready: [(job: Job, path: String, format: ImageFile.Format, image: DetectorImage)] = []
        for (job, outcome) in zip(jobs, loaded) {
            switch outcome! {
            case .success(let r): ready.append((job, r.path, r.format, r.image))
            case .failure(let error): finish(job, .failure(error))
            }
        }
        guard !ready.isEmpty else { return }
        var results: [Result<PipelineScorer.Result, any Error>]
        do { results = try scorer.score(ready.map(\.image)).map { .success($0) } } catch {
            results = ready.count == 1 ? [.failure(error)] : ready.map { item in
                Result { try scorer.score([item.image])[0] }
            }
        }
        // Each decision's overlay, hash and kept image, in parallel as score-new writes its overlays.
        let threshold = scorer.pipeline.operatingPoint.threshold
        var decided = [Result<Decision, any Error>?](repeating: nil, count: ready.count)
        decided.withUnsafeMutableBufferPointer { slots in
            try? concurrentForEach(ready.count) { i in
                slots[i] = Result { try decide(ready[i], results[i], threshold: threshold) }
            }
        }
        for (item, outcome) in zip(ready, decided) {
            switch outcome! {
            case .success where drawsOverlays:
                overlayOrder.append(overlayPath(id: item.job.id))
                if overlayOrder.count > overlaysKept {
                    try? FileManager.default.removeItem(atPath: overlayOrder.removeFirst())
                }
            case .success:
                break
            case .failure:
                try? FileManager.default.removeItem(atPath: item.path)
            }
            finish(item.job, outcome!)
        }
    }

    /// One scored image's decision: its top features, its overlay (written
    /// under a temporary name and renamed: GET never sees half a PNG), the
    /// SHA-256 of the bytes received, and the image kept or removed.
    private func decide(_ item: (job: Job, path: String, format: ImageFile.Format, image: DetectorImage),
                        _ outcome: Result<PipelineScorer.Result, any Error>, threshold: Double) throws -> Decision {
        let r: PipelineScorer.Result
        switch outcome {
        case .success(let x): r = x
        case .failure(let error):
            throw ServeError.badImage("image: cannot be scored (\("\(error)".replacingOccurrences(of: "\n", with: " ")))")
        }
        let lines = scorer.topFeatures(r, count: topFeatures)
        if drawsOverlays {
            let canvas = Overlay.render(id: item.job.partId ?? item.job.id, image: item.image, result: r,
                                        pipeline: scorer.pipeline, topFeatures: lines)
            let overlay = overlayPath(id: item.job.id)
            try Overlay.write(canvas, path: overlay + ".tmp")
            try FileManager.default.moveItem(atPath: overlay + ".tmp", toPath: overlay)
        }
        var hasher = SHA256()
        hasher.update(item.job.body)
        let digest = SHA256.hex(of: hasher.finalize())
        var kept: String?
        if let keepImages {
            let ext = item.format == .png ? "png" : item.format == .jpeg ? "jpg" : "tif"
            let target = (keepImages as NSString).appendingPathComponent("\(item.job.id).\(ext)")
            try FileManager.default.moveItem(atPath: item.path, toPath: target)
            kept = target
        } else {
            try? FileManager.default.removeItem(atPath: item.path)
        }
        return Decision(id: item.job.id, partId: item.job.partId, time: Date(), score: r.score, anomalous: r.anomalous,
                        threshold: threshold, top: scorer.topContributions(r, count: topFeatures),
                        topLine: lines.joined(separator: "; "), imageSHA256: digest, format: item.format.rawValue,
                        keptImage: kept)
    }
}
