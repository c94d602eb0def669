import Foundation
import SegADCore
import XCTest
import _TestSupport

/// evaluate serve against the real binary on a loopback port
/// (docs/serving.md): the same score bytes as score-new, refusals as JSON
/// lines while the server goes on, the token, the bounded queue, and the
/// record surviving kill -9.
final class ServeTests: XCTestCase {
    func export(_ record: String, _ output: String, since: String? = nil) throws -> [[String]] {
        let r = try ToolRunner.run("evaluate", ["record", "export", "--record", record, "-o", output]
                                   + (since.map { ["--since", $0] } ?? []))
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try CSV.read(path: output).map(\.fields)
        XCTAssertEqual(rows.first, ["id", "time", "part_id", "score", "decision", "threshold", "top_features",
                                    "pipeline_sha256", "image_sha256", "kept_image", "verdict", "verdict_time",
                                    "reviewed_image"])
        return Array(rows.dropFirst())
    }

    func assertJSONRefusal(_ a: HTTPAnswer, _ status: Int, _ words: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.status, status, a.body, file: file, line: line)
        XCTAssertEqual(a.body.split(separator: "\n").count, 1, "not one line: \(a.body)", file: file, line: line)
        let message = a.json["error"] as? String ?? ""
        for w in words { XCTAssertTrue(message.contains(w), "'\(message)' does not say '\(w)'", file: file, line: line) }
    }

    func testScoresAreScoreNewsBytesRefusalsAreJSONAndEveryDecisionIsRecorded() throws {
        let f = try ServeFixture(self)
        let batch = try f.scoreNew(output: f.dir + "/batch")
        let record = f.dir + "/inspections.sqlite", kept = f.dir + "/kept"
        let server = try ServeProcess(["--pipeline", f.pipeline, "--record", record, "--keep-images", kept,
                                       "--max-body", "200000"], log: f.dir + "/serve.log")
        let health = try HTTPAnswer.request(server.base + "/v1/health")
        XCTAssertEqual(health.status, 200, health.body)
        XCTAssertEqual(health.json["pipeline_sha256"] as? String,
                       try ToolRunner.run("/usr/bin/sha256sum", [f.pipeline]).stdout.split(separator: " ").first.map(String.init))

        // Every new image at once (scored in batches), each with its part id.
        let files = f.names, names = files.map { ($0 as NSString).deletingPathExtension }
        XCTAssertGreaterThan(Set(batch.values.map { $0[1] }).count, 2, "the fixture's scores differ: \(batch)")
        let base = server.base, folder = f.newImages
        let answers = HTTPAnswer.burst(files.count) { i in
            try? HTTPAnswer.request(base + "/v1/score", bodyFile: folder + "/" + files[i], headers: ["X-Part-Id: part-\(names[i])"])
        }
        var ids: [String: String] = [:]
        for (name, answer) in zip(names, answers) {
            let a = try XCTUnwrap(answer)
            XCTAssertEqual(a.status, 200, a.body)
            // The score's bytes are score-new's (docs/serving.md, "Same numbers").
            XCTAssertEqual(a.rawNumber("score"), batch[name]?[1], name)
            XCTAssertEqual(a.json["decision"] as? String, batch[name]?[2], name)
            XCTAssertEqual(a.json["part_id"] as? String, "part-\(name)")
            let top = try XCTUnwrap(a.json["top_features"] as? [[String: Any]])
            XCTAssertEqual(top.count, 3)
            XCTAssertTrue(batch[name]![3].hasPrefix("\(top[0]["readable"] as? String ?? "?") [\(top[0]["name"] as? String ?? "?")]"),
                          batch[name]![3])
            let id = try XCTUnwrap(a.json["id"] as? String)
            ids[name] = id
            XCTAssertEqual(a.json["overlay"] as? String, "/v1/overlays/\(id).png")
            let png = f.dir + "/\(id).png"
            XCTAssertEqual(try HTTPAnswer.request(server.base + "/v1/overlays/\(id).png", output: png).status, 200)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        }

        // Refusals: one JSON line each, and the server goes on.
        let first = try XCTUnwrap(files.first { $0.hasSuffix(".png") }), firstName = (first as NSString).deletingPathExtension
        let good = try Data(contentsOf: URL(fileURLWithPath: f.newImages + "/" + first))
        func body(_ name: String, _ data: Data) throws -> String {
            let path = f.dir + "/" + name
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: try body("text", Data("hello".utf8))),
                          400, "not an image")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: try body("cut", good.prefix(good.count - 40))),
                          400, "image")
        var huge = [UInt8](good)
        for k in 0..<4 { huge[16 + k] = UInt8(truncatingIfNeeded: 9000 >> (24 - 8 * k)); huge[20 + k] = huge[16 + k] }
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: try body("huge", Data(huge))),
                          400, "9000×9000")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: try body("empty", Data())), 400, "empty")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: try body("big", Data(count: 300_000))),
                          413, "--max-body")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/overlays/..%2Fx.png"), 404)
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/nowhere"), 404)
        let again = try HTTPAnswer.request(server.base + "/v1/score", bodyFile: f.newImages + "/" + first)
        XCTAssertEqual(again.status, 200, again.body)
        XCTAssertEqual(again.rawNumber("score"), batch[firstName]?[1])
        let metrics = try HTTPAnswer.request(server.base + "/metrics").body
        let anomalous = batch.values.filter { $0[2] == "anomalous" }.count + (batch[firstName]![2] == "anomalous" ? 1 : 0)
        XCTAssertTrue(metrics.contains("segad_decisions_total{decision=\"anomalous\"} \(anomalous)"), metrics)
        XCTAssertTrue(metrics.contains("segad_requests_total{route=\"/v1/score\",status=\"413\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("segad_score_seconds_count \(files.count + 1)"), metrics)
        let log = (try? String(contentsOfFile: server.log, encoding: .utf8)) ?? ""
        XCTAssertEqual(server.stop(), 0, log)

        // The record: every decision, with score-new's cells; each kept image has its hash.
        let rows = try export(record, f.dir + "/export.csv")
        XCTAssertEqual(rows.count, files.count + 1)
        for name in names {
            let row = try XCTUnwrap(rows.first { $0[0] == ids[name] })
            XCTAssertEqual(row[2], "part-\(name)")
            XCTAssertEqual(row[3], batch[name]?[1])
            XCTAssertEqual(row[4], batch[name]?[2])
            XCTAssertEqual(row[6], batch[name]?[3])
            XCTAssertEqual(row[7], health.json["pipeline_sha256"] as? String)
            XCTAssertTrue(row[9].hasPrefix(kept + "/\(ids[name]!)."), row[9])
            XCTAssertEqual(try ToolRunner.run("/usr/bin/sha256sum", [row[9]]).stdout.split(separator: " ").first.map(String.init), row[8])
        }
        XCTAssertEqual(try export(record, f.dir + "/later.csv", since: "2999-01-01T00:00:00Z").count, 0)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["record", "export", "--record", record, "--since", "yesterday",
                                                             "-o", f.dir + "/x.csv"]), "yesterday")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/x.csv"))
        // Not a record: one line, the file untouched, nothing written.
        let pipelineBytes = try Data(contentsOf: URL(fileURLWithPath: f.pipeline))
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["record", "export", "--record", f.pipeline, "-o", f.dir + "/x.csv"]),
                             f.pipeline, "not a usable inspection record")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.pipeline)), pipelineBytes)
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["record", "export", "--record", f.dir + "/none.sqlite", "-o", f.dir + "/x.csv"]),
                             "none.sqlite", "no such record")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/x.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/none.sqlite"))
    }

    /// A multipart form (the review page, `curl -F`) scores as the raw body
    /// does; a malformed one is refused in one JSON line; a burst mixing good
    /// and bad images answers each request on its own: the bad ones 400, the
    /// good ones score-new's bytes (docs/serving.md, "POST /v1/score", "One bad image").
    /// --no-overlays: the same score bytes as score-new, no overlay drawn,
    /// the answer's overlay null and GET /v1/overlays/ID.png 404.
    func testNoOverlaysScoresTheSameAndDrawsNone() throws {
        let f = try ServeFixture(self)
        let batch = try f.scoreNew(output: f.dir + "/batch")
        let server = try ServeProcess(["--pipeline", f.pipeline, "--no-overlays"], log: f.dir + "/serve.log")
        for file in f.names {
            let name = (file as NSString).deletingPathExtension
            let a = try HTTPAnswer.request(server.base + "/v1/score", bodyFile: f.newImages + "/" + file)
            XCTAssertEqual(a.status, 200, a.body)
            XCTAssertEqual(a.rawNumber("score"), batch[name]?[1], name)
            XCTAssertEqual(a.json["decision"] as? String, batch[name]?[2], name)
            XCTAssertTrue(a.json["overlay"] is NSNull, a.body)
            let id = try XCTUnwrap(a.json["id"] as? String)
            XCTAssertEqual(try HTTPAnswer.request(server.base + "/v1/overlays/\(id).png", output: f.dir + "/\(id).png").status, 404)
        }
    }

    func testMultipartFormsAndABadImageInABurstIsRefusedAlone() throws {
        let f = try ServeFixture(self)
        let batch = try f.scoreNew(output: f.dir + "/batch")
        let server = try ServeProcess(["--pipeline", f.pipeline, "--max-body", "200000", "--batch", "8"], log: f.dir + "/serve.log")
        let url = server.base + "/v1/score"
        let files = f.names, names = files.map { ($0 as NSString).deletingPathExtension }
        for (file, name) in zip(files, names) {
            let a = try HTTPAnswer.request(url, form: ["image=@\(f.newImages)/\(file)"], headers: ["X-Part-Id: form-\(name)"])
            XCTAssertEqual(a.status, 200, a.body)
            XCTAssertEqual(a.rawNumber("score"), batch[name]?[1], name)
            XCTAssertEqual(a.json["decision"] as? String, batch[name]?[2], name)
            XCTAssertEqual(a.json["part_id"] as? String, "form-\(name)")
        }
        // Fields beside the file part are ignored.
        let withField = try HTTPAnswer.request(url, form: ["note=hello", "image=@\(f.newImages)/\(files[0]);type=image/png"])
        XCTAssertEqual(withField.status, 200, withField.body)
        XCTAssertEqual(withField.rawNumber("score"), batch[names[0]]?[1])

        // Malformed forms: one JSON line each, nothing scored.
        let png = try XCTUnwrap(files.first { $0.hasSuffix(".png") })
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: f.newImages + "/" + png)))
        func part(_ disposition: String, _ content: [UInt8]) -> [UInt8] {
            Array("--XyZ\r\nContent-Disposition: form-data; \(disposition)\r\nContent-Type: image/png\r\n\r\n".utf8) + content + Array("\r\n".utf8)
        }
        let close = Array("--XyZ--\r\n".utf8)
        let form = "multipart/form-data; boundary=XyZ"
        let cases: [(String, [UInt8], String, Int, String)] = [
            ("noboundary", part("name=\"image\"; filename=\"a.png\"", image) + close, "multipart/form-data", 400, "without a boundary"),
            ("mixed", part("name=\"image\"; filename=\"a.png\"", image) + close, "multipart/mixed; boundary=XyZ", 400, "only multipart/form-data"),
            ("cut", Array(part("name=\"image\"; filename=\"a.png\"", image).dropLast(2)), form, 400, "closing boundary"),
            ("two", part("name=\"a\"; filename=\"a.png\"", image) + part("name=\"b\"; filename=\"b.png\"", image) + close,
             form, 400, "more than one file part"),
            ("nofile", part("name=\"note\"", Array("hello".utf8)) + close, form, 400, "no file part"),
            ("empty", part("name=\"image\"; filename=\"a.png\"", []) + close, form, 400, "empty"),
            ("noheaders", Array("--XyZ\r\nContent-Type: image/png\r\n\r\n".utf8) + image + Array("\r\n".utf8) + close, form, 400,
             "without a Content-Disposition"),
            ("other", Array("hello".utf8), form, 400, "no boundary line"),
            ("text", part("name=\"image\"; filename=\"a.png\"", Array("hello".utf8)) + close, form, 400, "not an image"),
            ("big", part("name=\"image\"; filename=\"a.png\"", [UInt8](repeating: 7, count: 250_000)) + close, form, 413, "--max-body"),
        ]
        for (name, body, type, status, words) in cases {
            let path = f.dir + "/" + name + ".form"
            try Data(body).write(to: URL(fileURLWithPath: path))
            let a = try HTTPAnswer.request(url, bodyFile: path, contentType: type)
            assertJSONRefusal(a, status, words)
            if status == 400 && name != "text" { XCTAssertTrue(a.body.contains("multipart body"), "\(name): \(a.body)") }
        }

        // A hand-made form as RFC 7578 allows it: a preamble, a quoted boundary, a
        // field first, padding after a boundary, an epilogue: read as curl's is.
        let fancy = Array("preamble, ignored\r\n".utf8) + part("name=\"note\"", Array("not a boundary: --XyZ".utf8))
            + Array("--XyZ  \r\ncontent-disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n".utf8) + image
            + Array("\r\n--XyZ--\r\nepilogue, ignored".utf8)
        try Data(fancy).write(to: URL(fileURLWithPath: f.dir + "/fancy.form"))
        let read = try HTTPAnswer.request(url, bodyFile: f.dir + "/fancy.form", contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"XyZ\"")
        XCTAssertEqual(read.status, 200, read.body)
        XCTAssertEqual(read.rawNumber("score"), batch[(png as NSString).deletingPathExtension]?[1])

        // One burst mixing good and bad images: each request gets its own answer.
        var bodies: [(path: String, good: String?)] = []
        for (i, (file, name)) in zip(files, names).enumerated() {
            let data = try Data(contentsOf: URL(fileURLWithPath: f.newImages + "/" + file))
            bodies.append((f.newImages + "/" + file, name))
            let cut = f.dir + "/cut-\(i)." + (file as NSString).pathExtension
            try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: cut))
            bodies.append((cut, nil))
        }
        let text = f.dir + "/text.png"
        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: text))
        bodies.insert((text, nil), at: 3)
        let before = try HTTPAnswer.request(server.base + "/metrics").body
        let paths = bodies.map(\.path)
        let answers = HTTPAnswer.burst(paths.count) { i in try? HTTPAnswer.request(url, bodyFile: paths[i]) }
        for (b, answer) in zip(bodies, answers) {
            let a = try XCTUnwrap(answer, b.path)
            if let name = b.good {
                XCTAssertEqual(a.status, 200, "\(b.path): \(a.body)")
                XCTAssertEqual(a.rawNumber("score"), batch[name]?[1], name)
                XCTAssertEqual(a.json["decision"] as? String, batch[name]?[2], name)
            } else {
                assertJSONRefusal(a, 400, "image")
            }
        }
        let metrics = try HTTPAnswer.request(server.base + "/metrics").body
        func count(_ text: String, _ line: String) -> Int { Int(text.split(separator: "\n").first { $0.hasPrefix(line + " ") }?.split(separator: " ").last ?? "") ?? 0 }
        let key = "segad_score_seconds_count"
        XCTAssertEqual(count(metrics, key) - count(before, key), files.count, metrics)
        XCTAssertEqual(count(metrics, "segad_requests_total{route=\"/v1/score\",status=\"400\"}")
                       - count(before, "segad_requests_total{route=\"/v1/score\",status=\"400\"}"), files.count + 1, metrics)
        XCTAssertEqual(count(metrics, "segad_score_bodies_total{kind=\"multipart\"}"), files.count + 3, metrics)
        XCTAssertEqual(count(metrics, "segad_queue_depth"), 0)
        let log = (try? String(contentsOfFile: server.log, encoding: .utf8)) ?? ""
        XCTAssertEqual(server.stop(), 0, log)
    }

    func testTokenGuardsEveryRouteButHealthAndAnOpenBindNeedsOne() throws {
        let f = try GoldenPipelineFixture(self)
        let tokenFile = f.dir + "/token"
        let token = "s3cret-token-0123456789"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["serve", "--pipeline", f.pipeline, "--bind", "0.0.0.0", "--port", "0"]),
                             "0.0.0.0", "--token-file")
        try Data("short\n".utf8).write(to: URL(fileURLWithPath: f.dir + "/short"))
        assertOneLineRefusal(try ToolRunner.run("evaluate", ["serve", "--pipeline", f.pipeline, "--token-file", f.dir + "/short",
                                                             "--port", "0"]), "short", "16")
        let server = try ServeProcess(["--pipeline", f.pipeline, "--token-file", tokenFile], log: f.dir + "/serve.log")
        let image = f.newImages + "/ok-1.png"
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: image), 401, "token")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/v1/score", bodyFile: image,
                                                 headers: ["Authorization: Bearer wrong-token-0123456789"]), 401, "token")
        assertJSONRefusal(try HTTPAnswer.request(server.base + "/metrics"), 401)
        XCTAssertEqual(try HTTPAnswer.request(server.base + "/v1/health").status, 200)
        let ok = try HTTPAnswer.request(server.base + "/v1/score", bodyFile: image, headers: ["Authorization: Bearer \(token)"])
        XCTAssertEqual(ok.status, 200, ok.body)
        server.stop()
    }

    func testFullQueueAnswers429AndKillDuringABurstLosesNoAnsweredDecision() throws {
        let f = try GoldenPipelineFixture(self)
        let image = f.newImages + "/scratch-1.png"
        // --queue 1: of 12 requests at once, some are turned away, none waits forever.
        let small = try ServeProcess(["--pipeline", f.pipeline, "--queue", "1"], log: f.dir + "/small.log")
        let smallBase = small.base
        var statuses: [Int] = [], bodies: [String] = []
        for _ in 0..<5 where !statuses.contains(429) {  // a fast machine may score a burst as it arrives: try again
            let burst = HTTPAnswer.burst(12) { _ in try? HTTPAnswer.request(smallBase + "/v1/score", bodyFile: image) }
            statuses += burst.map { $0?.status ?? 0 }
            bodies += burst.map { $0?.body ?? "" }
        }
        XCTAssertTrue(statuses.contains(200), "\(statuses)")
        XCTAssertTrue(statuses.contains(429), "\(statuses)")
        XCTAssertEqual(Set(statuses), [200, 429], "\(statuses)")
        for (s, b) in zip(statuses, bodies) where s == 429 { XCTAssertTrue(b.contains("\"error\":\"busy"), b) }
        XCTAssertEqual(try HTTPAnswer.request(small.base + "/v1/score", bodyFile: image).status, 200)
        small.stop()

        // --keep-overlays 2: the third decision's overlay removes the first's.
        let few = try ServeProcess(["--pipeline", f.pipeline, "--keep-overlays", "2", "--idle-timeout", "1"], log: f.dir + "/few.log")
        let overlays = try (0..<3).map { _ in
            try XCTUnwrap(try HTTPAnswer.request(few.base + "/v1/score", bodyFile: image).json["overlay"] as? String)
        }
        XCTAssertEqual(try overlays.map { try HTTPAnswer.request(few.base + $0, output: "/dev/null").status }, [404, 200, 200])
        // A client that stops in the middle of its body is cut off after --idle-timeout, not held for ever.
        let t0 = Date()
        let stalled = try ToolRunner.run("bash", ["-c", """
            exec 3<>/dev/tcp/127.0.0.1/\(few.port)
            printf 'POST /v1/score HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000\\r\\n\\r\\nabc' >&3
            timeout 20 cat <&3 >/dev/null
            """])
        XCTAssertEqual(stalled.status, 0, "the stalled connection was not closed: \(stalled.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10)
        XCTAssertEqual(try HTTPAnswer.request(few.base + "/v1/health").status, 200)
        few.stop()

        // kill -9 in the middle of a burst; every answered decision is in the record after a restart.
        let record = f.dir + "/inspections.sqlite"
        let server = try ServeProcess(["--pipeline", f.pipeline, "--record", record], log: f.dir + "/serve.log")
        let outcomes = Gathered<String?>()  // the id of an answered decision, nil for a request cut off
        let group = DispatchGroup()
        let base = server.base
        for worker in 0..<6 {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<10 {
                    let a = try? HTTPAnswer.request(base + "/v1/score", bodyFile: image, headers: ["X-Part-Id: w\(worker)"])
                    outcomes.append(a?.status == 200 ? a?.json["id"] as? String : nil)
                }
            }
        }
        while outcomes.all.count < 8 { usleep(2_000) }
        let killed = server.process.processIdentifier
        let left = NSTemporaryDirectory() + "/segad-serve.tmp-\(killed)"
        server.stop(SIGKILL)
        group.wait()
        XCTAssertTrue(FileManager.default.fileExists(atPath: left), "the killed server's folder")
        let answered = outcomes.all.compactMap { $0 }, failed = outcomes.all.count - answered.count
        XCTAssertGreaterThanOrEqual(answered.count, 1)
        XCTAssertGreaterThan(failed, 0, "the kill came after the burst: \(answered.count) answered")
        let restarted = try ServeProcess(["--pipeline", f.pipeline, "--record", record], log: f.dir + "/restart.log")
        XCTAssertEqual(try HTTPAnswer.request(restarted.base + "/v1/score", bodyFile: image).status, 200)
        XCTAssertFalse(FileManager.default.fileExists(atPath: left), "the killed server's folder is removed at the next start")
        let own = NSTemporaryDirectory() + "/segad-serve.tmp-\(restarted.process.processIdentifier)"
        XCTAssertTrue(FileManager.default.fileExists(atPath: own))
        restarted.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: own), "removed on a clean stop")
        let recorded = Set(try export(record, f.dir + "/export.csv").map { $0[0] })
        XCTAssertTrue(Set(answered).isSubset(of: recorded), "answered but not recorded: \(Set(answered).subtracting(recorded))")
        print("serve kill test: \(answered.count) answered, \(failed) cut off, \(recorded.count) recorded")
    }
}
