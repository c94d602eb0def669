import Foundation
import SegADNative
import SegADCore
import SegADFigures

/// A derived static segmentation on disk: the gray label PNG that
/// segment-stats reads (`seg.png`, sample value = label), its provenance
/// sidecar (`seg.h5`, kind `segmentation`) and the overlay figure
/// (`seg_overlay.png`).
///
/// The sidecar holds `labels` (H×W int32, the same values as the PNG) and
/// records in its config: `segments`, `seed`, `size`, `descriptors`,
/// `counts` (pixels per segment), `label_order`, `label_png_sha256` and the
/// derivation's parameters; its inputs are the manifest and any maps
/// artifacts.
public enum SegmentationArtifact {
    /// `seg.png` → `seg.h5`.
    public static func sidecarPath(for png: String) -> String {
        ((png as NSString).deletingPathExtension) + ".h5"
    }

    /// `seg.png` → `seg_overlay.png`.
    public static func overlayPath(for png: String) -> String {
        ((png as NSString).deletingPathExtension) + "_overlay.png"
    }

    /// Writes the label PNG, the sidecar and the overlay as one `OutputSet`
    /// whose marker is the label PNG (the file Make and segment-stats look
    /// for): it is removed first and renamed into place last.
    public static func write(_ segmentation: DerivedSegmentation, png: String, stage: String,
                             config: [String: Any], inputs: [ArtifactInput], overlay: Canvas?,
                             imageIds: [String] = []) throws {
        precondition(Bounds.gray8Segments.contains(segmentation.segments), Bounds.gray8SegmentsWhy)
        var files = OutputSet(marker: png)
        defer { files.discard() }
        try files.gray8(png, width: segmentation.width, height: segmentation.height,
                        pixels: segmentation.labels.map { UInt8($0) })
        let pngHash = try SHA256.hexOfFile(atPath: OutputSet.temporary(for: png))
        var config = config
        config["segments"] = segmentation.segments
        config["size"] = [segmentation.height, segmentation.width]
        config["counts"] = segmentation.counts
        config["label_png"] = (png as NSString).lastPathComponent
        config["label_png_sha256"] = pngHash
        if let overlay { try files.rgb8(overlayPath(for: png), overlay) }
        let writer = try ArtifactWriter(path: sidecarPath(for: png), kind: .segmentation, stage: stage,
                                        config: config, inputs: inputs)
        try writer.file.write("labels", int32s: segmentation.labels, shape: [segmentation.height, segmentation.width])
        // The images it was derived from (LeakageGuard).
        if !imageIds.isEmpty { try writer.file.write(LeakageGuard.segmentationDataset, strings: imageIds) }
        try writer.stage(in: &files)
        try files.commit()
    }

    /// Reads a sidecar back: its labels, size and L.
    public static func read(path: String) throws -> DerivedSegmentation {
        let reader = try ArtifactReader(path: path, expecting: .segmentation)
        defer { reader.close() }
        let (values, shape) = try reader.file.readInt64s("labels")
        guard shape.count == 2 else { throw MapError.segmentationShape(path, shape: shape) }
        guard let segments = reader.config["segments"] as? Int else {
            throw MapError.segmentationNoSegments(path)
        }
        guard (1...Bounds.maxSegments).contains(segments) else {
            throw ArtifactError.configValue(path, key: "segments", value: "\(segments)", expected: "1…\(Bounds.maxSegments)")
        }
        if let bad = values.first(where: { $0 < 0 || $0 >= Int64(segments) }) {
            throw MapError.segmentationLabelOutOfRange(path, label: bad, segments: segments)
        }
        return DerivedSegmentation(height: shape[0], width: shape[1], segments: segments,
                                   labels: values.map { Int32($0) },
                                   iterations: reader.config["kmeans_iterations"] as? Int ?? 0,
                                   islandsMerged: reader.config["islands_merged"] as? Int ?? 0)
    }
}
