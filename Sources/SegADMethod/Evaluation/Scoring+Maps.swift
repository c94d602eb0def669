import Foundation
import SegADNative
import SegADCore

/// evaluate score --maps: a base detector's row read from its maps artifact
/// alone, so a segmentation change (which remakes every features artifact)
/// leaves these rows alone.
///
/// The score is the map's max, `max_scores` of the maps artifact: the value
/// `segment-stats` writes as `an_det_score_DET` — both are
/// `SegmentStats.maximum` of the same float32 map — so the scores equal the
/// `--features … --feature an_det_score_DET` ones bit for bit
/// (MapsBaselineTests). With a score CSV (`--scores-csv`), the maps artifact
/// gives the rows' labels only, as the features artifact does otherwise.
extension Scoring {
    public struct MapsOptions {
        public var mapsPath: String
        public var manifestPath: String
        /// An imported score file (id,score); nil: the max of each map.
        public var scoresCSV: String?
        public var method: String
        public var output: String
        public init(mapsPath: String, manifestPath: String, scoresCSV: String? = nil, method: String, output: String) {
            self.mapsPath = mapsPath; self.manifestPath = manifestPath; self.scoresCSV = scoresCSV
            self.method = method; self.output = output
        }
    }

    public static func run(maps options: MapsOptions) throws {
        let manifest = try Manifest.load(path: options.manifestPath)
        let maps = try MapsArtifact(path: options.mapsPath)
        // The checks segment-stats makes on a maps artifact, and the manifest's splits.
        try maps.reader.requireInput(role: "manifest", file: options.manifestPath)
        try MapSources.verify(maps, manifest: manifest)
        try LeakageGuard.checkSplits(manifest)
        try LeakageGuard.check(maps: maps, manifest: manifest)
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: options.manifestPath),
                      try ArtifactInput.hashing(role: "maps", path: options.mapsPath)]

        let rowIndex = Dictionary(maps.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let items = manifest.index
        // The manifest's tags (no tag is empty or holds a comma, so they are
        // what a features artifact's comma-joined tags split back into).
        func tags(_ id: String) -> [String] { items[id].map { manifest.items[$0].tags } ?? [] }
        func testRows(_ seed: Int) throws -> (ids: [String], rows: [Int]) {
            let ids = manifest.ids(.test, seed: seed)
            guard !ids.isEmpty else { throw StageInputError.noTestRows(options.manifestPath, seed: seed) }
            return (ids, try ids.map {
                guard let r = rowIndex[$0] else {
                    throw StageInputError.noMapForTestId(options.mapsPath, id: $0, seed: seed)
                }
                return r
            })
        }

        var config: [String: Any] = ["detector": maps.detector]
        var score: (Int, String) throws -> Double
        if let path = options.scoresCSV {
            config["source"] = "csv"
            let scores = try ScoreCSV.read(path: path)
            inputs.append(try .hashing(role: "scores-csv", path: path))
            score = { _, id in
                guard let s = scores[id] else { throw ScoreFileError.noScore(path, id: id) }
                return s
            }
        } else {
            config["source"] = "max-of-map"
            score = { row, _ in Double(maps.maxScores[row]) }
        }
        var results: [SeedScores] = []
        for seed in manifest.seedList.sorted() {
            let (ids, rows) = try testRows(seed)
            results.append(SeedScores(seed: seed, ids: ids, scores: try zip(rows, ids).map { try score($0, $1) },
                                      labels: rows.map { maps.labels[$0] }, tags: ids.map(tags)))
        }
        try ScoresArtifact.write(path: options.output, method: options.method, className: manifest.className,
                                 seeds: results, config: config, inputs: inputs)
    }
}
