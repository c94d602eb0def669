import Foundation
import XCTest
import _TestSupport
import SegADCore

/// A running `evaluate serve` a test started (on loopback, any free port);
/// stopped by its PID, never by name.
final class ServeProcess {
    let process = Process()
    let port: Int
    let log: String

    /// Starts `evaluate serve ARGS --port 0` and waits for its "listening" line (at most 60 s).
    init(_ arguments: [String], log: String, file: StaticString = #filePath, line: UInt = #line) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: ToolRunner.binDirectory + "/evaluate")
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(text[r].split(separator: ":").last!)
            } else {
                usleep(50_000)
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            XCTFail("evaluate serve did not start: \(text)", file: file, line: line)
            throw CocoaError(.fileReadUnknown)
        }
        port = found
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends `signal` to the server and waits for it to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}

/// One HTTP answer, read with curl (a real client on a real socket).
struct HTTPAnswer {
    var status: Int
    var body: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }

    /// The raw text of a top-level JSON number field, as the server wrote it.
    func rawNumber(_ key: String) -> String? {
        guard let r = body.range(of: "\"\(key)\":([^,}]+)", options: .regularExpression) else { return nil }
        return String(body[r].dropFirst(key.count + 3))
    }

    /// GET or POST `url` with curl; `bodyFile` is sent as the raw body (POST)
    /// with `contentType`; `form` as curl's `-F` (multipart/form-data, e.g. `image=@part.png`).
    static func request(_ url: String, bodyFile: String? = nil, contentType: String = "application/octet-stream",
                        form: [String] = [], headers: [String] = [], output: String? = nil,
                        method: String? = nil) throws -> HTTPAnswer {
        var args = ["-sS", "--max-time", "60", "-o", output ?? "-", "-w", "\n%{http_code}"]
        for h in headers { args += ["-H", h] }
        if let bodyFile { args += ["-H", "Content-Type: " + contentType, "--data-binary", "@" + bodyFile] }
        for f in form { args += ["-F", f] }
        if let method { args += ["-X", method] }
        args.append(url)
        let r = try ToolRunner.run("/usr/bin/curl", args)
        let text = r.stdout
        let cut = text.lastIndex(of: "\n") ?? text.startIndex
        return HTTPAnswer(status: Int(text[text.index(after: cut)...]) ?? 0,
                          body: String(text[..<cut]))
    }
}

/// Values gathered from concurrent requests (guarded by a lock).
final class Gathered<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ x: T) { lock.lock(); items.append(x); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}

/// Runs `body(0..<count)` on `count` threads of its own, all at once, and
/// returns when every one has ended. (DispatchQueue.concurrentPerform runs
/// as many at once as there are cores: two clients, not eight, on CI.)
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        Thread { body(i); group.leave() }.start()
    }
    group.wait()
}

extension HTTPAnswer {
    /// `count` requests at once (one thread each); answers in request order (nil: curl failed).
    static func burst(_ count: Int, _ request: @escaping @Sendable (Int) -> HTTPAnswer?) -> [HTTPAnswer?] {
        let gathered = Gathered<(Int, HTTPAnswer?)>()
        onThreads(count) { i in gathered.append((i, request(i))) }
        return gathered.all.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// A saved pipeline whose scores differ between images (golden template at
/// 16×16, a forest of 3 rounds × 20 trees; GoldenPipelineFixture's single
/// tiny round scores every image alike), and six new parts, PNG and JPEG,
/// good and scratched.
struct ServeFixture {
    let dir: String
    var pipeline: String { dir + "/pipeline.h5" }
    var newImages: String { dir + "/new" }
    /// The new images' file names.
    let names: [String]

    init(_ test: XCTestCase, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try test.temporaryFolder()
        self.dir = dir
        let pipeline = dir + "/pipeline.h5"
        let parts = dir + "/parts", manifest = dir + "/manifest.json", state = dir + "/golden.state.h5"
        let seg = dir + "/seg/labels.png", maps = dir + "/golden.maps.h5", features = dir + "/features.h5", model = dir + "/model.h5"
        try ImagesTests.makeFolder(parts, good: 16, bad: 8, uncertain: 0)
        let newImages = dir + "/new"
        for n in 301...306 { try ImagesTests.writePart(newImages + "/new-\(n).png", n: n, bad: n % 2 == 0) }
        names = try FileManager.default.contentsOfDirectory(atPath: newImages).sorted()
        let steps: [(String, [String])] = [
            ("build-dataset", ["images-manifest", "--images", parts, "--seeds", "0", "-o", manifest]),
            ("extract-maps", ["fit", "--manifest", manifest, "--kind", "golden-template", "--name", "golden",
                              "--seed", "0", "--size", "16x16", "-o", state]),
            ("extract-maps", ["derive-segmentation", "--manifest", manifest, "--seed", "0", "--segments", "2",
                              "--size", "16x16", "-o", seg]),
            ("extract-maps", ["apply", "--manifest", manifest, "--state", state, "--skip-detector-train", "-o", maps]),
            ("segment-stats", ["--manifest", manifest, "--maps", maps, "--segmentation", seg,
                               "--segments", "2", "-o", features, "--threads", "1"]),
            ("train-brf", ["--features", features, "--manifest", manifest, "--seed", "0", "-o", model,
                           "--rounds", "3", "--num-parallel-tree", "20"]),
            ("evaluate", ["save-pipeline", "--manifest", manifest, "--seed", "0", "--features", features,
                          "--model", model, "--state", state, "--segmentation", seg, "--folds", "2",
                          "-o", pipeline]),
        ]
        for (tool, args) in steps {
            let r = try ToolRunner.run(tool, args)
            XCTAssertEqual(r.status, 0, "\(tool) \(args.first ?? ""): \(r.stderr)", file: file, line: line)
        }
    }

    /// score-new's scores.csv rows by id (file name without extension): [id, score, decision, top_features].
    func scoreNew(output: String) throws -> [String: [String]] {
        let r = try ToolRunner.run("evaluate", ["score-new", "--pipeline", pipeline, "--images", newImages, "-o", output])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try CSV.read(path: output + "/scores.csv").dropFirst().map(\.fields)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0) })
    }
}
