import Foundation
import ArgumentParser
import SegADCore
import SegADCLI
import SegADServe

extension Evaluate {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serves a saved pipeline over HTTP: POST /v1/score, the review page at /, /v1/health, /metrics.",
            discussion: """
            Each image (PNG, JPEG or TIFF, told apart by content) is scored as score-new scores it, bit for bit; \
            every decision is committed to --record before it is answered. Binds 127.0.0.1 unless told otherwise; \
            any other address needs --token-file (Bearer token). See docs/serving.md.
            """)

        @Option(help: "The pipeline artifact (evaluate save-pipeline).") var pipeline: String
        @Option(help: "Address to listen on.") var bind = "127.0.0.1"
        @Option(help: "Port to listen on (0: any free port, printed when listening).", parse: Bounded.integer(0...65535))
        var port = 8080
        @Option(help: "The inspection record (SQLite; created when missing).") var record: String?
        @Option(help: "A file whose first line is the Bearer token every request but /v1/health must carry.")
        var tokenFile: String?
        @Option(help: "Keep each scored image in this folder as ID.png/.jpg/.tif (needed for review verdicts).")
        var keepImages: String?
        @Option(help: "The folder whose good/ and bad/ the review page's verdicts fill (the layout `make images` reads).")
        var reviewFolder: String?
        @Option(help: "Score requests admitted at once (waiting or being scored); more get 429.",
                parse: Bounded.integer(1...100_000)) var queue = 64
        @Option(help: "Largest request body in bytes; larger gets 413.", parse: Bounded.integer(1...(1 << 31)))
        var maxBody = 64 << 20
        @Option(help: "Images scored together when requests arrive together.", parse: Bounded.integer(1...256))
        var batch = 8
        @Option(help: "Top contributing features per answer.", parse: Bounded.integer(0...1000)) var top = 3
        @Option(help: "Overlays kept for GET /v1/overlays (the newest; older ones are removed).",
                parse: Bounded.integer(1...1_000_000)) var keepOverlays = 1000
        @Option(help: "Seconds a connection may stay silent (also in the middle of a request) before it is closed.",
                parse: Bounded.integer(1...3600)) var idleTimeout = 30
        @Flag(help: "Draw no overlays (the answer's overlay is null): the overlay is about 40% of a 640x256 image's latency.")
        var noOverlays = false

        func run() throws {
            StageMain.run("evaluate serve") {
                try OutputPaths.check(outputs: [record.map { .init("--record", $0) }, keepImages.map { .init("--keep-images", $0, folder: true) },
                                                reviewFolder.map { .init("--review-folder", $0, folder: true) }].compactMap { $0 },
                                      inputs: [("--pipeline", pipeline), ("--token-file", tokenFile ?? "")])
                try Server.run(ServeOptions(pipelinePath: pipeline, bind: bind, port: port, recordPath: record,
                                            tokenFile: tokenFile, keepImages: keepImages, reviewFolder: reviewFolder,
                                            queue: queue, maxBody: maxBody, batch: batch, topFeatures: top,
                                            overlaysKept: keepOverlays, idleTimeout: idleTimeout, overlays: !noOverlays))
            }
        }
    }
}
