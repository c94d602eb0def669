import Foundation
import SegADCore
import SegADNative
import XCTest
import _TestSupport

/// evaluate serve under a bounded loopback load (docs/serving.md, "Load"):
/// 8 connections post camera-sized images for a few seconds; every answer
/// is 200 or 429, every score is score-new's bytes, /metrics and the record
/// add up to what the clients saw, and the server's RSS at the end is
/// within a bound of its RSS after a warm-up. Speed is not asserted (the
/// figures are BENCHMARKS.md's, from scripts/bench/serve_load.sh).
final class ServeLoadTests: XCTestCase {
    static let connections = 8

    /// What the clients of one phase saw.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var statuses: [Int: Int] = [:]
        private(set) var bytes = 0
        private(set) var problems: [String] = []
        var scoredBytes: Int { lock.lock(); defer { lock.unlock() }; return bytes }
        func add(_ status: Int, bytes n: Int) { lock.lock(); statuses[status, default: 0] += 1; bytes += n; lock.unlock() }
        func problem(_ p: String) { lock.lock(); if problems.count < 20 { problems.append(p) }; lock.unlock() }
    }

    /// `connections` clients, each on its own keep-alive connection, post
    /// the images in turn (each starts at another one) for `seconds`, and
    /// on until `bytes` of images were scored, for at most `longest` seconds.
    func load(port: Int, images: [(id: String, body: [UInt8])], expected: [String: [String]], seconds: Double,
              bytes: Int = 0, longest: Double = 0) -> Tally {
        let tally = Tally()
        let start = Date()
        onThreads(Self.connections) { k in
            let connection = LoopbackConnection(port: port)
            var i = k
            while true {
                let t = Date().timeIntervalSince(start)
                guard t < seconds || (t < longest && tally.scoredBytes < bytes) else { break }
                let image = images[i % images.count]
                i += 1
                let answer: HTTPAnswer
                do { answer = try connection.post("/v1/score", body: image.body) } catch {
                    tally.problem("\(image.id): \(error)")
                    continue
                }
                tally.add(answer.status, bytes: answer.status == 200 ? image.body.count : 0)
                switch answer.status {
                case 200:
                    if answer.rawNumber("score") != expected[image.id]?[1] || answer.json["decision"] as? String != expected[image.id]?[2] {
                        tally.problem("\(image.id): \(answer.body) is not score-new's \(expected[image.id] ?? [])")
                    }
                case 429:
                    if !answer.body.contains("\"error\":\"busy") { tally.problem("429 without its JSON line: \(answer.body)") }
                    usleep(20_000)  // a client told to retry later
                default:
                    tally.problem("\(image.id): \(answer.status) \(answer.body)")
                }
            }
        }
        return tally
    }

    /// A part of 480×640 pixels whose noise (6 bits) keeps its file large:
    /// a gradient, a bright scratch on every third; gray or color, PNG or JPEG.
    static func writeNoisyPart(_ stem: String, n: Int) throws {
        let h = 480, w = 640
        var state = UInt32(truncatingIfNeeded: 2_654_435_761 &* (n + 11))
        func noise() -> Int { state = state &* 1_664_525 &+ 1_013_904_223; return Int(state >> 26) }
        var gray = [UInt8](repeating: 0, count: h * w), rgb = [UInt8](repeating: 0, count: h * w * 3)
        for y in 0..<h {
            for x in 0..<w {
                let scratch = n % 3 == 0 && abs(y - h / 2 - n * 9) < 6 && x > w / 4 && x < w / 2
                let base = scratch ? 190 : 60 + 60 * x / w
                gray[y * w + x] = UInt8(base + noise())
                for c in 0..<3 { rgb[(y * w + x) * 3 + c] = UInt8(base + noise()) }
            }
        }
        switch n % 4 {
        case 0: try PNG.writeGray8(path: stem + ".png", width: w, height: h, pixels: gray)
        case 1: try PNG.writeRGB8(path: stem + ".png", width: w, height: h, pixels: rgb)
        case 2: try JPEG.write(path: stem + ".jpg", width: w, height: h, channels: 1, pixels: gray, quality: 95)
        default: try JPEG.write(path: stem + ".jpg", width: w, height: h, channels: 3, pixels: rgb, quality: 95)
        }
    }

    /// A field of /proc/PID/status in KiB: `VmRSS`, or `RssAnon`, its
    /// anonymous part (the heap; not the pages of the binary and its
    /// libraries, which come in as code runs for the first time).
    static func statusKiB(_ pid: Int32, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }

    /// The value of the sample `name` (with its labels) in Prometheus text.
    static func sample(_ metrics: String, _ name: String) -> Int? {
        metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    func testBoundedLoadAnswers200Or429WithScoreNewsBytesMetricsAddUpAndRSSDoesNotGrow() throws {
        let f = try ServeFixture(self)
        // Camera-sized images (480×640, PNG and JPEG, gray and color) whose
        // noise makes bodies of 0.3–0.9 MB: a buffer kept per request would show in the RSS.
        let folder = f.dir + "/load"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for n in 0..<8 { try Self.writeNoisyPart(folder + "/l\(n)", n: n) }
        let expected = try {
            let r = try ToolRunner.run("evaluate", ["score-new", "--pipeline", f.pipeline, "--images", folder, "-o", f.dir + "/batch"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = try CSV.read(path: f.dir + "/batch/scores.csv").dropFirst().map(\.fields)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0) })
        }()
        let images = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map {
            (id: ($0 as NSString).deletingPathExtension, body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))))
        }
        XCTAssertEqual(images.count, 8)
        XCTAssertGreaterThan(Set(expected.values.map { $0[1] }).count, 2, "the scores differ: \(expected)")

        // --queue 6 below 8 connections: some requests are turned away (429) while the others are scored.
        let record = f.dir + "/inspections.sqlite"
        let server = try ServeProcess(["--pipeline", f.pipeline, "--record", record, "--queue", "6", "--batch", "8"],
                                      log: f.dir + "/serve.log")
        let pid = server.process.processIdentifier
        let mib = 1024, bound = 16 * mib  // KiB
        let warm = load(port: server.port, images: images, expected: expected, seconds: 4)
        // Each reading 2 s after its phase, the queue idle: the batch in flight
        // (images decoded at full size) is over, and the server has given its
        // allocator's free memory back (docs/serving.md, "Memory").
        Thread.sleep(forTimeInterval: 2)
        let rssWarm = try XCTUnwrap(Self.statusKiB(pid, "VmRSS")), anonWarm = try XCTUnwrap(Self.statusKiB(pid, "RssAnon"))
        // 12 s, longer on a slow machine until the images scored are 3 × the bound (at most 30 s).
        let run = load(port: server.port, images: images, expected: expected, seconds: 12, bytes: 3 * bound << 10, longest: 30)
        Thread.sleep(forTimeInterval: 2)
        let rssEnd = try XCTUnwrap(Self.statusKiB(pid, "VmRSS")), anonEnd = try XCTUnwrap(Self.statusKiB(pid, "RssAnon"))

        var statuses = warm.statuses
        for (s, n) in run.statuses { statuses[s, default: 0] += n }
        XCTAssertEqual(warm.problems + run.problems, [])
        XCTAssertTrue(Set(statuses.keys).isSubset(of: [200, 429]), "\(statuses)")
        let scored = statuses[200] ?? 0, busy = statuses[429] ?? 0
        XCTAssertGreaterThan(run.statuses[200] ?? 0, images.count, "the run scored too little to say anything: \(run.statuses)")

        // /metrics counts what the clients saw.
        let metrics = try HTTPAnswer.request(server.base + "/metrics").body
        XCTAssertEqual(Self.sample(metrics, "segad_requests_total{route=\"/v1/score\",status=\"200\"}"), scored, metrics)
        XCTAssertEqual(Self.sample(metrics, "segad_requests_total{route=\"/v1/score\",status=\"429\"}") ?? 0, busy, metrics)
        XCTAssertEqual((Self.sample(metrics, "segad_decisions_total{decision=\"normal\"}") ?? 0)
                       + (Self.sample(metrics, "segad_decisions_total{decision=\"anomalous\"}") ?? 0), scored)
        XCTAssertEqual(Self.sample(metrics, "segad_score_seconds_count"), scored)
        XCTAssertEqual(Self.sample(metrics, "segad_score_seconds_bucket{le=\"+Inf\"}"), scored)
        XCTAssertEqual(Self.sample(metrics, "segad_score_bodies_total{kind=\"raw\"}"), scored, "a 429 is answered before its body is read")
        XCTAssertEqual(Self.sample(metrics, "segad_queue_depth"), 0)

        // The heap after the run within a bound of the heap after the warm-up:
        // no buffer kept per request or per connection (docs/serving.md, "Memory").
        // The run scores tens of MiB of bodies, so one kept per request would cross it.
        let allowed = max(bound, anonWarm / 10)
        print("serve load test: warm-up \(warm.statuses), run \(run.statuses), \(run.bytes / (1 << 20)) MiB scored in the run; "
              + "RSS \(rssWarm / mib) → \(rssEnd / mib) MiB, anonymous \(anonWarm / mib) → \(anonEnd / mib) MiB (bound +\(allowed / mib) MiB)")
        XCTAssertLessThanOrEqual(anonEnd, anonWarm + allowed, "the server's heap grew from \(anonWarm) KiB to \(anonEnd) KiB")

        let log = (try? String(contentsOfFile: server.log, encoding: .utf8)) ?? ""
        XCTAssertEqual(server.stop(), 0, log)
        // Every answered decision is in the record, and nothing else.
        let exported = try ToolRunner.run("evaluate", ["record", "export", "--record", record, "-o", f.dir + "/record.csv"])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        let rows = try CSV.read(path: f.dir + "/record.csv").dropFirst().map(\.fields)
        XCTAssertEqual(rows.count, scored)
        for row in rows.prefix(50) {
            XCTAssertTrue(expected.values.contains { $0[1] == row[3] }, "a recorded score that is not score-new's: \(row)")
        }
    }
}

/// One keep-alive HTTP/1.1 connection to a loopback port, for the load test
/// (curl per request would mostly measure curl's start): POST a body, read
/// the answer by its Content-Length. Reconnects after the server closes.
final class LoopbackConnection {
    let port: Int
    private var fd: Int32 = -1

    init(port: Int) { self.port = port }
    deinit { if fd >= 0 { close(fd) } }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func open() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            let reason = String(cString: strerror(errno))
            close(s)
            throw Failure(description: "connect: \(reason)")
        }
        fd = s
    }

    private func drop() { if fd >= 0 { close(fd) }; fd = -1 }

    func post(_ path: String, body: [UInt8]) throws -> HTTPAnswer {
        if fd < 0 { try open() }
        do { return try exchange(path, body) } catch { drop(); throw error }
    }

    private func exchange(_ path: String, _ body: [UInt8]) throws -> HTTPAnswer {
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func receive() throws {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 && errno == EINTR { return }
            guard n > 0 else { throw Failure(description: n == 0 ? "the server closed the connection" : "recv: \(String(cString: strerror(errno)))") }
            buffer += chunk[0..<n]
        }
        let blank: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            try receive()
            headerEnd = buffer.count < 4 ? nil : (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(blank) }
            if buffer.count > 64 << 10 && headerEnd == nil { throw Failure(description: "no end of headers") }
        }
        let lines = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var length = 0, closing = false
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0].lowercased() {
            case "content-length": length = Int(parts[1]) ?? 0
            case "connection": closing = parts[1].lowercased() == "close"
            case "transfer-encoding": throw Failure(description: "a chunked answer (this client reads Content-Length only)")
            default: break
            }
        }
        let start = headerEnd! + 4
        while buffer.count < start + length { try receive() }
        if closing { drop() }
        return HTTPAnswer(status: status, body: String(decoding: buffer[start..<(start + length)], as: UTF8.self))
    }
}
