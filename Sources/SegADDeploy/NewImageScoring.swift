import Foundation
import SegADNative
import SegADDetectors
import SegADCore

/// evaluate score-new: scores new, unlabeled images with a saved pipeline
/// alone, writing `OUT/scores.csv` (`id,score,decision,top_features`) and,
/// per image, `OUT/overlays/ID.png`.
///
/// Nothing is overwritten on failure: the CSV is written under a temporary
/// name and renamed, the overlays go to a temporary folder renamed onto
/// `OUT/overlays` only when every image has been scored.
public enum NewImageScoring {
    public enum Source {
        /// Every `*.png`, `*.jpg`/`*.jpeg`, `*.tif`/`*.tiff` in a folder (not recursive), in name order;
        /// id = file name without its extension.
        case folder(String)
        /// Every item of a manifest that names an image, in manifest order; id = the item's id.
        case manifest(String)
        /// A text file naming one image per line (relative paths from the
        /// list's folder; blank lines skipped), in list order; id = file name
        /// without its extension (`ScoreList`).
        case list(String)

        /// The file or folder the source reads.
        var path: String {
            switch self { case .folder(let p), .manifest(let p), .list(let p): return p }
        }
    }

    public struct Options {
        public var pipelinePath: String
        public var source: Source
        public var output: String
        public var overlays: Bool
        /// Images per detector batch.
        public var batch: Int
        /// Contributing features named per image.
        public var topFeatures: Int
        /// Score only this shard of the source's images (docs/cluster.md,
        /// "Shards"); the output then holds `shard.json` (`ScoreShardRecord`).
        public var shard: Shard?
        /// An image that cannot be read becomes a row of `OUT/errors.csv`
        /// (id, path, fault) instead of stopping the run.
        public var skipUnreadable: Bool

        public init(pipelinePath: String, source: Source, output: String, overlays: Bool = true,
                    batch: Int = 32, topFeatures: Int = 3, shard: Shard? = nil, skipUnreadable: Bool = false) {
            self.pipelinePath = pipelinePath; self.source = source; self.output = output
            self.overlays = overlays; self.batch = batch; self.topFeatures = topFeatures
            self.shard = shard; self.skipUnreadable = skipUnreadable
        }
    }

    /// What a run did, for the summary line and benchmarks.
    public struct Summary {
        public var images: Int
        public var anomalous: Int
        /// Images written to errors.csv (`skipUnreadable`).
        public var unreadable: Int = 0
        /// Seconds from the first PNG read to the last decision (overlays included when written).
        public var seconds: Double
        public var loadSeconds: Double
    }

    /// The images of a source as (id, path) pairs.
    public static func images(_ source: Source) throws -> [(id: String, path: String)] {
        switch source {
        case .folder(let dir):
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw PipelineError.noSuchFolder(dir)
            }
            let extensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff"]  // read by content: ImageFile
            let names = try FileManager.default.contentsOfDirectory(atPath: dir)
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }.sorted()
            guard !names.isEmpty else { throw PipelineError.noImages(dir) }
            return names.map { (($0 as NSString).deletingPathExtension, (dir as NSString).appendingPathComponent($0)) }
        case .manifest(let path):
            let manifest = try Manifest.load(path: path)
            let items = manifest.items.filter { $0.image != nil }
            guard !items.isEmpty else { throw PipelineError.noItemNamesImage(path) }
            return items.map { ($0.id, manifest.resolve($0.image!)) }
        case .list(let path):
            return try ScoreList.read(path)
        }
    }

    @discardableResult
    public static func run(_ o: Options) throws -> Summary {
        let all = try images(o.source)
        // Ids become file names (overlays/ID.png) and CSV rows: checked before
        // any image is scored (docs/reliability.md, section 6, classes 1 and 7).
        try Bounds.checkIds(all.map(\.id), source: o.source.path)
        if let dup = Dictionary(grouping: all.map(\.id), by: { overlayName($0) }).first(where: { $0.value.count > 1 }) {
            throw InputError(o.source.path, "ids \(dup.value.joined(separator: ", ")) would share the overlay \(dup.key).png")
        }
        // A shard scores its block of the sorted ids, in the source's order
        // (docs/cluster.md, "Shards"); `positions` place its rows in the whole.
        let positions = o.shard.map { $0.positions(of: all.map(\.id)) } ?? Array(all.indices)
        var list = positions.map { all[$0] }
        if case .list = o.source {
            // The listed images this run reads are inputs no output may
            // overwrite (docs/reliability.md, section 6, class 2); only the
            // shard's, so a task of a 10⁷-line list resolves its own paths.
            try OutputPaths.check(outputs: [.init("-o", (o.output as NSString).appendingPathComponent("scores.csv")),
                                            .init("-o", (o.output as NSString).appendingPathComponent(ScoreShardRecord.errorsName)),
                                            .init("-o", (o.output as NSString).appendingPathComponent(ScoreShardRecord.fileName)),
                                            .init("-o", (o.output as NSString).appendingPathComponent("overlays"), folder: true)],
                                  inputs: list.map { ("--list", $0.path) })
        }
        // Every image is checked before any is scored (header, pixel limit,
        // regular file, whole file; `ImageFile.precheck`): a bad file last
        // among thousands is refused in seconds, not after scoring the rest
        // (docs/reliability.md, "Files, outputs and CSV cells"). With
        // skipUnreadable a bad file is set aside for errors.csv instead.
        var faults = [String?](repeating: nil, count: list.count)
        if o.skipUnreadable {
            faults.withUnsafeMutableBufferPointer { slots in
                try? concurrentForEach(list.count) { i in
                    do { try ImageFile.precheck(path: list[i].path) } catch { slots[i] = Self.faultLine(error) }
                }
            }
        } else {
            try concurrentForEach(list.count) { i in try ImageFile.precheck(path: list[i].path) }
        }
        try OutputPaths.prepareFolder(o.output)
        let t0 = Date()
        let scorer = try PipelineScorer(path: o.pipelinePath)
        let loadSeconds = Date().timeIntervalSince(t0)
        let overlayDir = (o.output as NSString).appendingPathComponent("overlays")
        let temporaryOverlays = OutputSet.temporary(for: overlayDir)
        let scoresPath = (o.output as NSString).appendingPathComponent("scores.csv")
        let shardPath = (o.output as NSString).appendingPathComponent(ScoreShardRecord.fileName)
        // scores.csv (the marker; shard.json for a shard) and overlays/ are
        // one set (docs/reliability.md, section 6, class 3).
        var files = OutputSet(marker: o.shard == nil ? scoresPath : shardPath)
        defer { files.discard() }
        if o.overlays {
            try OutputSet.checkReplaceable(overlayDir, option: "-o")  // OUT/overlays is replaced as a whole
            TemporaryLock.removeStale(of: overlayDir)
            try? FileManager.default.removeItem(atPath: temporaryOverlays)
            TemporaryLock.claim(temporaryOverlays)
            try FileManager.default.createDirectory(atPath: temporaryOverlays, withIntermediateDirectories: true)
            files.adopt(temporary: temporaryOverlays, final: overlayDir)
        }

        let t1 = Date()
        var csv = CSV.line(ScoreShardRecord.scoresHeader)
        var anomalous = 0, scored = 0
        let progress = StageProgress("score-new", total: list.count, unit: "images")
        let batch = max(1, o.batch)
        for start in stride(from: 0, to: list.count, by: batch) {
            let range = start ..< min(start + batch, list.count)
            var loaded = [DetectorImage?](repeating: nil, count: range.count)
            try loaded.withUnsafeMutableBufferPointer { slots in
                try faults.withUnsafeMutableBufferPointer { bad in
                    try concurrentForEach(range.count) { i in
                        guard bad[range.lowerBound + i] == nil else { return }
                        do { slots[i] = try scorer.load(path: list[range.lowerBound + i].path) } catch {
                            guard o.skipUnreadable else { throw error }
                            bad[range.lowerBound + i] = Self.faultLine(error)
                        }
                    }
                }
            }
            let kept = loaded.indices.filter { loaded[$0] != nil }  // offsets within the batch
            let part = kept.map { list[range.lowerBound + $0] }
            let images = kept.map { loaded[$0]! }
            let results = images.isEmpty ? [] : try scorer.score(images)
            let tops = results.map { scorer.topFeatures($0, count: o.topFeatures) }
            for (i, r) in results.enumerated() {
                if r.anomalous { anomalous += 1 }
                csv += CSV.line([CSV.text(part[i].id), "\(r.score)", r.anomalous ? "anomalous" : "normal",
                                 CSV.text(tops[i].joined(separator: "; "))])
            }
            scored += results.count
            if o.overlays {
                try concurrentForEach(part.count) { i in
                    let canvas = Overlay.render(id: part[i].id, image: images[i], result: results[i],
                                                pipeline: scorer.pipeline, topFeatures: tops[i])
                    try Overlay.write(canvas, path: (temporaryOverlays as NSString)
                        .appendingPathComponent(overlayName(part[i].id) + ".png"))
                }
            }
            progress.advance(by: range.count)
        }
        let seconds = Date().timeIntervalSince(t1)
        try files.data(scoresPath, Data(csv.utf8))
        var unreadable = 0
        if o.skipUnreadable {
            var errors = CSV.line(ScoreShardRecord.errorsHeader)
            for (i, fault) in faults.enumerated() {
                guard let fault else { continue }
                errors += CSV.line([CSV.text(list[i].id), CSV.text(list[i].path), CSV.text(fault)])
                unreadable += 1
            }
            try files.data((o.output as NSString).appendingPathComponent(ScoreShardRecord.errorsName), Data(errors.utf8))
        }
        if let shard = o.shard {
            let record = ScoreShardRecord(pipelineSHA256: try FileHashes.sha256(o.pipelinePath), shard: shard.index,
                                          shards: shard.count, listSHA256: Shard.listDigest(all.map(\.id)), images: all.count,
                                          skipUnreadable: o.skipUnreadable, ids: list.map(\.id), positions: positions)
            try files.data(shardPath, try record.encoded())
        }
        list = []
        try files.commit()
        return Summary(images: scored, anomalous: anomalous, unreadable: unreadable, seconds: seconds, loadSeconds: loadSeconds)
    }

    /// An error as one errors.csv cell: its one-line description.
    static func faultLine(_ error: Error) -> String {
        InputError.printable("\(error)".replacingOccurrences(of: "\n", with: " "))
    }

    /// An id as a file name: `/` and other path-unsafe characters become `_`.
    static func overlayName(_ id: String) -> String {
        String(id.map { $0 == "/" || $0 == "\\" || $0 == ":" ? "_" : $0 })
    }
}
