import Foundation
import GRDB
import SegADCore

/// The inspection record: one row per decision in a SQLite database (WAL,
/// synchronous=FULL), written and committed before the answer is sent, so
/// a decision a client has seen survives a kill or a power cut
/// (docs/serving.md, "The record").
public final class InspectionRecord: Sendable {
    let pool: DatabasePool
    public let path: String

    /// One row of the record.
    public struct Row: Sendable {
        public var id: String
        public var time: String
        public var partId: String?
        public var score: Double
        public var decision: String
        public var threshold: Double
        public var topFeatures: String
        public var pipelineSHA256: String
        public var imageSHA256: String
        public var keptImage: String?
        public var verdict: String?
        public var verdictTime: String?
        public var reviewedImage: String?
    }

    public static let columns = ["id", "time", "part_id", "score", "decision", "threshold", "top_features",
                                 "pipeline_sha256", "image_sha256", "kept_image", "verdict", "verdict_time",
                                 "reviewed_image"]

    public init(path: String, create: Bool = true) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw ServeError.folderUnusable(path, reason: "no such record")
        }
        // Opened for writing even to export: a record left by a killed
        // server may need its WAL recovered, which a read-only connection cannot do.
        var config = Configuration()
        config.prepareDatabase { db in
            // Every commit is on disk before write() returns (WAL + FULL).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if create {
                var migrator = DatabaseMigrator()
                migrator.registerMigration("v1") { db in
                    try db.execute(sql: """
                        CREATE TABLE decisions (
                          id TEXT PRIMARY KEY NOT NULL, time TEXT NOT NULL, part_id TEXT,
                          score REAL NOT NULL, decision TEXT NOT NULL, threshold REAL NOT NULL,
                          top_features TEXT NOT NULL, pipeline_sha256 TEXT NOT NULL, image_sha256 TEXT NOT NULL,
                          kept_image TEXT, verdict TEXT, verdict_time TEXT, reviewed_image TEXT);
                        CREATE INDEX decisions_time ON decisions(time);
                        """)
                }
                try migrator.migrate(pool)
            }
        } catch let e as DatabaseError {
            throw ServeError.folderUnusable(path, reason: "not a usable inspection record (\(e.message ?? "SQLite error \(e.resultCode)"))")
        }
    }

    /// ISO 8601 in UTC with milliseconds: sorts as text in time order.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Appends a decision; returns once it is committed.
    public func append(_ d: Decision, pipelineSHA256: String) async throws {
        let top = d.topLine
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO decisions (id, time, part_id, score, decision, threshold, top_features,
                                       pipeline_sha256, image_sha256, kept_image)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [d.id, Self.timestamp(d.time), d.partId, d.score, d.decision, d.threshold, top,
                                 pipelineSHA256, d.imageSHA256, d.keptImage])
        }
    }

    /// Records an operator's verdict on a decision and where its image was filed.
    public func setVerdict(id: String, verdict: String, reviewedImage: String) async throws {
        let time = Self.timestamp(Date())
        try await pool.write { db in
            try db.execute(sql: "UPDATE decisions SET verdict = ?, verdict_time = ?, reviewed_image = ? WHERE id = ?",
                           arguments: [verdict, time, reviewedImage, id])
        }
    }

    public func row(id: String) async throws -> Row? {
        try await pool.read { db in try Row.fetch(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]).first }
    }

    /// The last `limit` decisions, flagged (anomalous, not yet reviewed) first, newest first within each.
    public func recent(limit: Int) async throws -> [Row] {
        try await pool.read { db in
            try Row.fetch(db, sql: """
                SELECT * FROM (SELECT * FROM decisions ORDER BY time DESC, id DESC LIMIT ?)
                ORDER BY (decision = 'anomalous' AND verdict IS NULL) DESC, time DESC, id DESC
                """, arguments: [limit])
        }
    }

    /// Every decision at or after `since` (all when nil), in time order.
    public func all(since: Date?) throws -> [Row] {
        do { return try allRows(since: since) } catch let e as DatabaseError {
            throw ServeError.folderUnusable(path, reason: "not an inspection record (\(e.message ?? "SQLite error \(e.resultCode)"))")
        }
    }

    private func allRows(since: Date?) throws -> [Row] {
        try pool.read { db in
            if let since {
                return try Row.fetch(db, sql: "SELECT * FROM decisions WHERE time >= ? ORDER BY time, id",
                                     arguments: [Self.timestamp(since)])
            }
            return try Row.fetch(db, sql: "SELECT * FROM decisions ORDER BY time, id", arguments: [])
        }
    }

    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM decisions") ?? 0 }
    }
}

extension InspectionRecord.Row {
    static func fetch(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Self] {
        try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments).map { r in
            Self(id: r["id"], time: r["time"], partId: r["part_id"], score: r["score"], decision: r["decision"],
                 threshold: r["threshold"], topFeatures: r["top_features"], pipelineSHA256: r["pipeline_sha256"],
                 imageSHA256: r["image_sha256"], keptImage: r["kept_image"], verdict: r["verdict"],
                 verdictTime: r["verdict_time"], reviewedImage: r["reviewed_image"])
        }
    }

    /// The row as CSV fields (InspectionRecord.columns): text cells made
    /// safe for spreadsheets as every CSV the tools write (CSV.text).
    public var fields: [String] {
        [CSV.text(id), CSV.text(time), CSV.text(partId ?? ""), "\(score)", CSV.text(decision), "\(threshold)",
         CSV.text(topFeatures), CSV.text(pipelineSHA256), CSV.text(imageSHA256), CSV.text(keptImage ?? ""),
         CSV.text(verdict ?? ""), CSV.text(verdictTime ?? ""), CSV.text(reviewedImage ?? "")]
    }
}
