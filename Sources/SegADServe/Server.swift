import Foundation
import Hummingbird
import Logging
import SegADNative
import SegADCore
import SegADDeploy

/// evaluate serve: one image per request, scored by the pipeline as
/// score-new scores it, recorded, answered as JSON (docs/serving.md).
public enum Server {
    /// What every handler shares.
    struct Shared: Sendable {
        let options: ServeOptions
        let queue: ScoringQueue
        let record: InspectionRecord?
        let metrics: ServeMetrics
        let token: String?
        let pipelineSHA256: String
        let health: String
    }

    /// Checks the options, loads the pipeline and serves until SIGTERM or
    /// SIGINT. Prints `evaluate serve: listening on http://HOST:PORT` on
    /// stderr once requests are taken (with --port 0, the port chosen).
    public static func run(_ o: ServeOptions) throws {
        MallocTuning.configure()  // before the threads that allocate start (docs/serving.md, "Memory")
        let token = try readToken(o)
        if token == nil && !ServeOptions.isLoopback(o.bind) { throw ServeError.nonLocalBindNeedsToken(o.bind) }
        for dir in [o.keepImages, o.reviewFolder].compactMap({ $0 }) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let scorer = try PipelineScorer(path: o.pipelinePath)
        let sha = try SHA256.hexOfFile(atPath: o.pipelinePath)
        let record = try o.recordPath.map { try InspectionRecord(path: $0) }
        let work = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: work); TemporaryLock.release(work) }
        let queue = try ScoringQueue(scorer: scorer, capacity: o.queue, batch: o.batch, topFeatures: o.topFeatures,
                                     work: work, keepImages: o.keepImages, overlaysKept: o.overlaysKept, drawsOverlays: o.overlays)
        let op = scorer.pipeline.operatingPoint
        let health = JSONAnswer.object([
            ("status", .string("ok")),
            ("pipeline_sha256", .string(sha)),
            ("threshold", .number(op.threshold)),
            ("tpr", .number(op.tpr)),
            ("size", .array([.int(scorer.pipeline.size.height), .int(scorer.pipeline.size.width)])),
            ("channels", .int(scorer.pipeline.channels)),
            ("detectors", .array(scorer.pipeline.detectors.map { .string($0.name) })),
            ("record", record == nil ? .null : .bool(true)),
        ]).text
        let shared = Shared(options: o, queue: queue, record: record, metrics: ServeMetrics(), token: token,
                            pipelineSHA256: sha, health: health)
        var logger = Logger(label: "segad.serve")
        logger.logLevel = .warning
        let app = Application(
            router: router(shared),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(1, o.idleTimeout))))),
            configuration: .init(address: .hostname(o.bind, port: o.port), serverName: "segad"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? o.port
                let host = o.bind.contains(":") ? "[\(o.bind)]" : o.bind
                FileHandle.standardError.write(Data("evaluate serve: listening on http://\(host):\(port)\n".utf8))
            },
            logger: logger)
        try blocking { try await app.runService() }
    }

    /// The token of --token-file: its first line, at least 16 characters.
    static func readToken(_ o: ServeOptions) throws -> String? {
        guard let path = o.tokenFile else { return nil }
        guard let data = try RegularFile.contents(atPath: path) else { throw ServeError.badTokenFile(path, reason: "no such file") }
        let text = String(decoding: data, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard line.count >= 16, line.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ServeError.badTokenFile(path, reason: "the token (first line) must be at least 16 printable ASCII characters")
        }
        return line
    }

    /// A private folder for received images and overlays of this run,
    /// `TMPDIR/segad-serve.tmp-PID`, owned through `TemporaryLock`: the
    /// folders of servers that were killed are removed at start
    /// (docs/reliability.md, "Files, outputs and CSV cells").
    static func temporaryFolder() throws -> String {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("segad-serve")
        TemporaryLock.removeStale(of: base)
        let path = base + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        TemporaryLock.claim(path)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ServeError.folderUnusable(path, reason: "cannot create the server's temporary folder")
        }
        return path
    }

    /// Runs an async body to its end from synchronous code (the command's `run`).
    static func blocking(_ body: @escaping @Sendable () async throws -> Void) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { try await body() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let e = outcome.error { throw e }
    }

    /// A server-made id: milliseconds since 1970 and 32 random bits; never a client's text.
    static func newId() -> String {
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        return "\(ms)-" + String(format: "%08x", UInt32.random(in: .min ... .max))
    }

    static func isId(_ s: Substring) -> Bool {
        !s.isEmpty && s.count <= 40 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    static func json(_ status: Int, _ text: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func decisionJSON(_ d: Decision, sha: String, elapsedMs: Double, overlay: Bool = true) -> JSONAnswer {
        .object([
            ("id", .string(d.id)),
            ("part_id", d.partId.map { .string($0) } ?? .null),
            ("score", .number(d.score)),
            ("decision", .string(d.decision)),
            ("threshold", .number(d.threshold)),
            ("top_features", .array(d.top.map {
                .object([("name", .string($0.name)), ("readable", .string($0.readable)), ("contribution", .float($0.contribution))])
            })),
            ("overlay", overlay ? .string("/v1/overlays/\(d.id).png") : .null),
            ("pipeline_sha256", .string(sha)),
            ("image_sha256", .string(d.imageSHA256)),
            ("format", .string(d.format)),
            ("elapsed_ms", .number((elapsedMs * 1000).rounded() / 1000)),
        ])
    }

    /// The image a score request carries, read whole under `limit` (413
    /// beyond it): the body itself, or — when it is multipart/form-data, as
    /// the review page's form and `curl -F` send it — its one file part
    /// (`MultipartBody`). The request's buffer is let go on return.
    static func imageBody(_ request: Request, limit: Int) async throws -> (bytes: [UInt8], multipart: Bool) {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            if let e = error as? any HTTPResponseError, e.status == .contentTooLarge {
                throw ServeError.bodyTooLarge(limit: limit)
            }
            throw error
        }
        guard buffer.readableBytes > 0 else { throw ServeError.emptyBody }
        let body = Array(buffer.readableBytesView)
        guard let boundary = try MultipartBody.boundary(contentType: request.headers[.contentType] ?? "") else { return (body, false) }
        let file = try MultipartBody.filePart(body, boundary: boundary)
        guard !file.isEmpty else { throw ServeError.badMultipart("the file part is empty") }
        return (Array(file), true)
    }

    static func router(_ s: Shared) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RefusalMiddleware(shared: s))
        router.get("/v1/health") { _, _ in json(200, s.health) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: s.metrics.text(queueDepth: s.queue.depth))))
        }
        router.post("/v1/score") { request, _ -> Response in
            let start = ContinuousClock.now
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > s.options.maxBody {
                throw ServeError.bodyTooLarge(limit: s.options.maxBody)
            }
            // The queue's place first, the body second: a full queue refuses
            // before any body is read, so bodies held ≤ queue × --max-body.
            try s.queue.reserve()
            var submitted = false
            defer { if !submitted { s.queue.release() } }
            let body = try await imageBody(request, limit: s.options.maxBody)
            s.metrics.body(multipart: body.multipart)
            let partId = request.headers.first { $0.name.canonicalName == "x-part-id" }?.value
            if let partId, partId.count > 200 || partId.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw ServeError.badPartId(partId)
            }
            submitted = true
            let d = try await s.queue.submit(id: newId(), partId: partId, body: body.bytes, reserved: true)
            // Committed before the answer: an answered decision is never lost (docs/serving.md, "The record").
            try await s.record?.append(d, pipelineSHA256: s.pipelineSHA256)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            s.metrics.decision(d.decision, seconds: seconds)
            return json(200, decisionJSON(d, sha: s.pipelineSHA256, elapsedMs: seconds * 1000, overlay: s.queue.drawsOverlays).text)
        }
        router.get("/v1/overlays/:file") { _, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".png"), isId(file.dropLast(4)) else { throw ServeError.notFound("/v1/overlays/" + file) }
            let path = s.queue.overlayPath(id: String(file.dropLast(4)))
            guard let data = try? RegularFile.contents(atPath: path) else { throw ServeError.notFound("/v1/overlays/" + file) }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        ReviewPage.add(to: router, shared: s)
        return router
    }
}

/// Every refusal is a JSON error of one line with its status, and the
/// server goes on (docs/serving.md, "Errors"); the token is checked here
/// for every route but /v1/health; requests are counted for /metrics.
struct RefusalMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let shared: Server.Shared

    static func route(_ path: String) -> String {
        for known in ["/v1/score", "/v1/health", "/metrics", "/v1/overlays/", "/v1/decisions", "/v1/images/"] where path.hasPrefix(known) {
            return known
        }
        return path == "/" ? "/" : "other"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = Self.route(request.uri.path)
        let response: Response
        do {
            if let token = shared.token, route != "/v1/health" {
                let given = request.headers[.authorization] ?? ""
                guard Self.equalInConstantTime(Array(given.utf8), Array("Bearer \(token)".utf8)) else { throw ServeError.unauthorized }
            }
            response = try await next(request, context)
        } catch let e as ServeError {
            response = Self.refusal(e.status, e.description)
        } catch let e as any HTTPResponseError {
            let status = Int(e.status.code)
            response = Self.refusal(status, status == 404 ? "no such resource: \(InputError.printable(request.uri.path))"
                                                          : "\(e.status.code) \(e.status.reasonPhrase)")
        } catch {
            response = Self.refusal(500, "\(error)")
        }
        shared.metrics.request(route: route, status: Int(response.status.code))
        return response
    }

    static func refusal(_ status: Int, _ message: String) -> Response {
        let line = message.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        var r = Server.json(status, JSONAnswer.object([("error", .string(line)), ("status", .int(status))]).text)
        if status == 401 { r.headers[.wwwAuthenticate] = "Bearer" }
        return r
    }

    static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }
}
