import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// `build-dataset segment-elpv`: one label PNG per manifest item, written where
/// the manifest's `items[].segmentation` says (all in one folder), plus
/// `segmentation.json` (provenance and what was found per item). The folder
/// is built as `DIR.tmp-PID` and renamed into place, so a killed run leaves
/// the previous folder (or none), never a half-written one.
public enum ELPVSegmentationStage {
    public struct Options {
        public var manifestPath: String
        public var output: String
        public var size: (height: Int, width: Int)
        public var segmenter: ELPVSegmenter
        public init(manifestPath: String, output: String, size: (height: Int, width: Int),
                    segmenter: ELPVSegmenter = ELPVSegmenter()) {
            self.manifestPath = manifestPath; self.output = output; self.size = size; self.segmenter = segmenter
        }
    }

    public static func run(_ o: Options) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        let folder = lexicalAbsolute(o.output)
        let jobs = try manifest.items.map { item -> (id: String, image: String, name: String) in
            guard let image = item.image else { throw ManifestError.noImage(o.manifestPath, id: item.id) }
            guard let seg = item.segmentation else {
                throw ELPVError.namesNoSegmentation(o.manifestPath, id: item.id)
            }
            let target = lexicalAbsolute(manifest.resolve(seg))
            guard (target as NSString).deletingLastPathComponent == folder else {
                throw ELPVError.segmentationOutside(o.manifestPath, id: item.id, segmentation: seg, folder: o.output)
            }
            return (item.id, manifest.resolve(image), (target as NSString).lastPathComponent)
        }
        let fm = FileManager.default
        let pid = ProcessInfo.processInfo.processIdentifier
        let temporary = "\(folder).tmp-\(pid)"
        try? fm.removeItem(atPath: temporary)
        try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        var found = [[String: Any]?](repeating: nil, count: jobs.count)
        let progress = StageProgress("segment-elpv", total: jobs.count, unit: "images")
        do {
            try found.withUnsafeMutableBufferPointer { found in
                try concurrentForEach(jobs.count) { i in
                    // Any image format (ImageFile); gray PNG cells decode as PNG.read gave them.
                    let image = try ImageFile.read(path: jobs[i].image).expandedTo8Bit()
                    let gray = image.grayFloats()
                    let r = o.segmenter.segment(gray, height: image.height, width: image.width)
                    let labels = ELPVSegmenter.resizeNearest(r.labels, height: r.height, width: r.width, to: o.size)
                    try PNG.writeGray8(path: temporary + "/" + jobs[i].name, width: o.size.width,
                                       height: o.size.height, pixels: labels)
                    found[i] = ["id": jobs[i].id, "bounds": [r.top, r.bottom, r.left, r.right],
                                "busbars": r.busbars.map { [$0.lowerBound, $0.upperBound] },
                                "source_size": [r.height, r.width]]
                    progress.advance()
                }
            }
            let s = o.segmenter
            let record: [String: Any] = [
                "stage": "build-dataset segment-elpv",
                "tool_version": Provenance.toolVersion,
                "config": ["size": [o.size.height, o.size.width], "labels": ELPVSegmenter.labelNames,
                           "bounds_level": s.boundsLevel, "border_fraction": s.borderFraction,
                           "trend_window_fraction": s.trendWindowFraction, "dip_depth": s.dipDepth,
                           "min_separation_fraction": s.minSeparationFraction,
                           "max_width_fraction": s.maxWidthFraction, "margin": s.margin],
                "inputs": [["role": "manifest", "path": o.manifestPath,
                            "sha256": try FileHashes.sha256(o.manifestPath)]],
                "items": found.map { $0! },
            ]
            let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .prettyPrinted])
            try ELPVManifest.writeAtomically(json, to: temporary + "/segmentation.json")
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        let old = "\(folder).old-\(pid)"
        if fm.fileExists(atPath: folder) { try fm.moveItem(atPath: folder, toPath: old) }
        try fm.moveItem(atPath: temporary, toPath: folder)
        try? fm.removeItem(atPath: old)
    }

    /// `path` made absolute against the working directory, `.` and `..`
    /// removed lexically (symbolic links are not followed).
    static func lexicalAbsolute(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let full = path.hasPrefix("/") ? path : cwd + "/" + path
        var parts: [Substring] = []
        for c in full.split(separator: "/") {
            if c == "." || c.isEmpty { continue }
            if c == ".." { _ = parts.popLast() } else { parts.append(c) }
        }
        return "/" + parts.joined(separator: "/")
    }
}
