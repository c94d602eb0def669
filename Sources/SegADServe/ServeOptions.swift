import Foundation

/// What `evaluate serve` was told (docs/serving.md).
public struct ServeOptions: Sendable {
    public var pipelinePath: String
    /// Address to listen on; loopback unless told otherwise.
    public var bind: String
    /// 0: any free port (printed on the "listening" line).
    public var port: Int
    /// The inspection record (SQLite); created when missing.
    public var recordPath: String?
    /// A file holding the Bearer token every request but /v1/health must carry.
    public var tokenFile: String?
    /// Where each scored image is kept (ID.png / .jpg / .tif); nil: not kept.
    public var keepImages: String?
    /// The folder whose good/ and bad/ the review page's verdicts fill.
    public var reviewFolder: String?
    /// Requests admitted at once (waiting or being scored); more get 429.
    public var queue: Int
    /// Bodies over this many bytes get 413.
    public var maxBody: Int
    /// Images scored together when they arrive together.
    public var batch: Int
    /// Contributing features named per answer.
    public var topFeatures: Int
    /// Overlays kept for GET /v1/overlays (the newest).
    public var overlaysKept: Int
    /// Render an overlay per decision (false: none is drawn, the answer's
    /// `overlay` is null; at 640×256 the overlay is about 40 of ~100 ms).
    public var overlays: Bool
    /// Seconds an idle connection is kept open (a slow client cannot hold it forever).
    public var idleTimeout: Int

    public init(pipelinePath: String, bind: String = "127.0.0.1", port: Int = 8080, recordPath: String? = nil,
                tokenFile: String? = nil, keepImages: String? = nil, reviewFolder: String? = nil, queue: Int = 64,
                maxBody: Int = 64 << 20, batch: Int = 8, topFeatures: Int = 3, overlaysKept: Int = 1000,
                idleTimeout: Int = 30, overlays: Bool = true) {
        self.pipelinePath = pipelinePath; self.bind = bind; self.port = port; self.recordPath = recordPath
        self.tokenFile = tokenFile; self.keepImages = keepImages; self.reviewFolder = reviewFolder
        self.queue = queue; self.maxBody = maxBody; self.batch = batch; self.topFeatures = topFeatures
        self.overlaysKept = overlaysKept; self.idleTimeout = idleTimeout; self.overlays = overlays
    }

    /// Addresses only this machine can reach: serving on them needs no token.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
