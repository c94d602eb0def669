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

        public init(pipelinePath: String, source: Source, output: String, overlays: Bool = true,
                    batch: Int = 32, topFeatures: Int = 3) {
            self.pipelinePath = pipelinePath; self.source = source; self.output = output
            self.overlays = overlays; self.batch = batch; self.topFeatures = topFeatures
        }
    }

    /// What a run did, for the summary line and benchmarks.
    public struct Summary {
        public var images: Int
        public var anomalous: Int
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
        }
    }

    @discardableResult
    public static func run(_ o: Options) throws -> Summary {
        let list = try images(o.source)
        // Ids become file names (overlays/ID.png) and CSV rows: checked before
        // any image is scored (docs/reliability.md, section 6, classes 1 and 7).
        switch o.source {
        case .folder(let dir): try Bounds.checkIds(list.map(\.id), source: dir)
        case .manifest(let path): try Bounds.checkIds(list.map(\.id), source: path)
        }
        if let dup = Dictionary(grouping: list.map(\.id), by: { overlayName($0) }).first(where: { $0.value.count > 1 }) {
            throw InputError("--images", "ids \(dup.value.joined(separator: ", ")) would share the overlay \(dup.key).png")
        }
        // Every image is checked before any is scored (header, pixel limit,
        // regular file, whole file; `ImageFile.precheck`): a bad file last
        // among thousands is refused in seconds, not after scoring the rest
        // (docs/reliability.md, "Files, outputs and CSV cells").
        try concurrentForEach(list.count) { i in try ImageFile.precheck(path: list[i].path) }
        try OutputPaths.prepareFolder(o.output)
        let t0 = Date()
        let scorer = try PipelineScorer(path: o.pipelinePath)
        let loadSeconds = Date().timeIntervalSince(t0)
        let overlayDir = (o.output as NSString).appendingPathComponent("overlays")
        let temporaryOverlays = OutputSet.temporary(for: overlayDir)
        let scoresPath = (o.output as NSString).appendingPathComponent("scores.csv")
        // scores.csv (the marker) and overlays/ are one set (docs/reliability.md, section 6, class 3).
        var files = OutputSet(marker: scoresPath)
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
        var csv = CSV.line(["id", "score", "decision", "top_features"])
        var anomalous = 0
        let progress = StageProgress("score-new", total: list.count, unit: "images")
        let batch = max(1, o.batch)
        for start in stride(from: 0, to: list.count, by: batch) {
            let part = Array(list[start ..< min(start + batch, list.count)])
            var loaded = [DetectorImage?](repeating: nil, count: part.count)
            try loaded.withUnsafeMutableBufferPointer { slots in
                try concurrentForEach(part.count) { i in slots[i] = try scorer.load(path: part[i].path) }
            }
            let images = loaded.map { $0! }
            let results = try scorer.score(images)
            let tops = results.map { scorer.topFeatures($0, count: o.topFeatures) }
            for (i, r) in results.enumerated() {
                if r.anomalous { anomalous += 1 }
                csv += CSV.line([CSV.text(part[i].id), "\(r.score)", r.anomalous ? "anomalous" : "normal",
                                 CSV.text(tops[i].joined(separator: "; "))])
            }
            if o.overlays {
                try concurrentForEach(part.count) { i in
                    let canvas = Overlay.render(id: part[i].id, image: images[i], result: results[i],
                                                pipeline: scorer.pipeline, topFeatures: tops[i])
                    try Overlay.write(canvas, path: (temporaryOverlays as NSString)
                        .appendingPathComponent(overlayName(part[i].id) + ".png"))
                }
            }
            progress.advance(by: part.count)
        }
        let seconds = Date().timeIntervalSince(t1)
        try files.data(scoresPath, Data(csv.utf8))
        try files.commit()
        return Summary(images: list.count, anomalous: anomalous, seconds: seconds, loadSeconds: loadSeconds)
    }

    /// An id as a file name: `/` and other path-unsafe characters become `_`.
    static func overlayName(_ id: String) -> String {
        String(id.map { $0 == "/" || $0 == "\\" || $0 == ":" ? "_" : $0 })
    }
}
