import Foundation
import SegADCore
import XCTest
import _TestSupport

/// The review page of evaluate serve (docs/serving.md, "The review page"):
/// the list flagged first, verdicts filed into good/ and bad/ and recorded;
/// and a real browser (headless Chromium) scoring an image on the page.
final class ServeReviewTests: XCTestCase {
    func startServer(_ f: GoldenPipelineFixture) throws -> (ServeProcess, record: String, review: String) {
        let record = f.dir + "/inspections.sqlite", review = f.dir + "/review"
        let server = try ServeProcess(["--pipeline", f.pipeline, "--record", record, "--keep-images", f.dir + "/kept",
                                       "--review-folder", review], log: f.dir + "/serve.log")
        return (server, record, review)
    }

    func score(_ server: ServeProcess, _ image: String, part: String) throws -> [String: Any] {
        let a = try HTTPAnswer.request(server.base + "/v1/score", bodyFile: image, headers: ["X-Part-Id: \(part)"])
        XCTAssertEqual(a.status, 200, a.body)
        return a.json
    }

    func testListIsFlaggedFirstAndVerdictsAreFiledAndRecorded() throws {
        let f = try GoldenPipelineFixture(self)
        let (server, record, review) = try startServer(f)
        var decisions: [(id: String, decision: String, image: String)] = []
        for (i, name) in ["ok-1", "scratch-1", "ok-1", "scratch-1"].enumerated() {
            let j = try score(server, f.newImages + "/\(name).png", part: "p\(i)")
            decisions.append((j["id"] as! String, j["decision"] as! String, f.newImages + "/\(name).png"))
        }
        let page = try HTTPAnswer.request(server.base + "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertFalse(page.body.contains("http://") || page.body.contains("https://"), "the page fetches nothing from elsewhere")
        let positions = decisions.map { page.body.range(of: "id=\"row-\($0.id)\"")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "a decision is missing from the page")
        // Flagged (anomalous, not reviewed) rows come before the others; newest first within each.
        let order = decisions.indices.sorted { positions[$0]! < positions[$1]! }
        let flaggedFirst = decisions.indices.sorted {
            let a = decisions[$0].decision == "anomalous", b = decisions[$1].decision == "anomalous"
            return a != b ? a : $0 > $1
        }
        XCTAssertEqual(order, flaggedFirst, decisions.map(\.decision).description)

        // confirm good, then change to bad: the image moves; the record keeps the last verdict.
        let target = decisions[1]
        let verdict = { (v: String) throws -> HTTPAnswer in
            let body = f.dir + "/verdict"
            try Data(v.utf8).write(to: URL(fileURLWithPath: body))
            return try HTTPAnswer.request(server.base + "/v1/decisions/\(target.id)/verdict", bodyFile: body)
        }
        XCTAssertEqual(try verdict("good").status, 200)
        let original = try Data(contentsOf: URL(fileURLWithPath: target.image))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: review + "/good/\(target.id).png")), original)
        let bad = try verdict("bad")
        XCTAssertEqual(bad.status, 200, bad.body)
        XCTAssertEqual(bad.json["filed"] as? String, review + "/bad/\(target.id).png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: review + "/good/\(target.id).png"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: review + "/bad/\(target.id).png")), original)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: review + "/bad"), ["\(target.id).png"],
                       "no temporary left behind")
        let maybe = try verdict("maybe")
        XCTAssertEqual(maybe.status, 400, maybe.body)
        let noSuch = try HTTPAnswer.request(server.base + "/v1/decisions/..%2F..%2Fetc/verdict", bodyFile: f.dir + "/verdict")
        XCTAssertEqual(noSuch.status, 404, noSuch.body)
        server.stop()
        let exported = try ToolRunner.run("evaluate", ["record", "export", "--record", record, "-o", f.dir + "/x.csv"])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        let row = try XCTUnwrap(try CSV.read(path: f.dir + "/x.csv").map(\.fields).first { $0[0] == target.id })
        XCTAssertEqual(row[10], "bad")
        XCTAssertEqual(row[12], review + "/bad/\(target.id).png")
    }

    /// Headless Chromium (Debian's package; installed here when missing and
    /// run as root, skipped only when it cannot be installed) loads the page,
    /// which scores an image the server holds as if it had been picked (sent
    /// as a multipart form); the DOM shows the score and decision of the API,
    /// and the overlay loads.
    func testABrowserScoresAnImageOnThePage() throws {
        let chromium = try Self.chromium()
        let f = try GoldenPipelineFixture(self)
        let (server, _, _) = try startServer(f)
        let first = try score(server, f.newImages + "/scratch-1.png", part: "scratch")
        let id = try XCTUnwrap(first["id"] as? String)
        let url = server.base + "/#try=/v1/images/\(id)"
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=" + f.dir + "/chromium", "--virtual-time-budget=20000"]
        let dom = try ToolRunner.run(chromium, flags + ["--dump-dom", url])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let scored = try XCTUnwrap(Self.capture(dom.stdout, #"data-scored="([0-9a-f-]+)""#), "the page did not score: \(dom.stdout.prefix(400))")
        XCTAssertNotEqual(scored, id, "a new decision")
        XCTAssertEqual(Double(Self.capture(dom.stdout, #"<b id="score">([^<]+)</b>"#) ?? ""), first["score"] as? Double)
        XCTAssertEqual(Self.capture(dom.stdout, #"<b id="decision" class="\w+">(\w+)</b>"#), first["decision"] as? String)
        XCTAssertTrue(dom.stdout.contains("src=\"/v1/overlays/\(scored).png\""), "no overlay")
        // The page sent the image as a form's file part (multipart/form-data), as a picked or dropped file is sent.
        let metrics = try HTTPAnswer.request(server.base + "/metrics").body
        XCTAssertTrue(metrics.contains("segad_score_bodies_total{kind=\"multipart\"} 1\n"), metrics)
        XCTAssertTrue(metrics.contains("segad_score_bodies_total{kind=\"raw\"} 1\n"), metrics)
        let shot = f.dir + "/serve.png"
        let s = try ToolRunner.run(chromium, flags + ["--hide-scrollbars", "--window-size=1000,760", "--screenshot=" + shot, url])
        XCTAssertEqual(s.status, 0, s.stderr)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        XCTAssertEqual(png.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        // SEGAD_SERVE_SCREENSHOT=PATH keeps the screenshot (docs/img/serve.png is made so).
        if let keep = ProcessInfo.processInfo.environment["SEGAD_SERVE_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: shot, toPath: keep)
        }
        server.stop()
    }

    static func capture(_ text: String, _ pattern: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let r = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[r])
    }

    /// The chromium binary, installed with apt-get when missing and running as root.
    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        guard getuid() == 0 else { throw XCTSkip("chromium is not installed and this is not root: apt-get install chromium") }
        let r = try ToolRunner.run("bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"])
        guard r.status == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            throw XCTSkip("chromium could not be installed: \(r.stderr.split(separator: "\n").last ?? "")")
        }
        return "/usr/bin/chromium"
    }
}
