import SegADNative

/// A fault in a map file: a detector's anomaly map (`MapFile`, imported by
/// `extract-maps import`) or a label map (`LabelMap`, a segmentation read by
/// `segment-stats`), or the labels of a segmentation artifact. `file` is the
/// map (the manifest or maps artifact where that is at fault);
/// `description` is the stage's one line, `FILE: FAULT`. A map's bytes that
/// do not decode are `ImageError`.
public enum MapError: SegADFault, Equatable {
    // Anomaly maps
    case noSuchFile(String)
    /// A folder where a map file was expected.
    case isFolder(String)
    /// A `.npy` map that is not H×W (1×H×W, H×W×1).
    case mapShape(String, shape: [Int])
    case mapChannels(String, channels: Int)
    case unsupportedMapFormat(String, ext: String)
    case containsNaN(String, row: Int, column: Int)
    /// ±inf, or a float64 value beyond float32's range.
    case containsInfinity(String, row: Int, column: Int)
    /// An imported map whose size differs from the first map's.
    case sizeDiffers(String, height: Int, width: Int, firstHeight: Int, firstWidth: Int)
    /// The manifest (`file`) gives item `id` no map for `detector`.
    case noMapForDetector(String, id: String, detector: String)
    /// A maps artifact (`file`) whose source map files changed since.
    case sourcesChanged(String, detector: String)

    // Label maps
    case labelChannels(String, channels: Int)
    case labelShape(String, shape: [Int])
    case unsupportedLabelFormat(String, ext: String)
    case labelSize(String, height: Int, width: Int, mapsHeight: Int, mapsWidth: Int)
    case labelOutOfRange(String, label: Int32, row: Int, column: Int, segments: Int)

    // A segmentation artifact's labels
    case segmentationShape(String, shape: [Int])
    case segmentationNoSegments(String)
    case segmentationLabelOutOfRange(String, label: Int64, segments: Int)

    public var file: String {
        switch self {
        case .noSuchFile(let f), .isFolder(let f), .mapShape(let f, _), .mapChannels(let f, _),
             .unsupportedMapFormat(let f, _), .containsNaN(let f, _, _), .containsInfinity(let f, _, _),
             .sizeDiffers(let f, _, _, _, _), .noMapForDetector(let f, _, _), .sourcesChanged(let f, _),
             .labelChannels(let f, _), .labelShape(let f, _), .unsupportedLabelFormat(let f, _),
             .labelSize(let f, _, _, _, _), .labelOutOfRange(let f, _, _, _, _), .segmentationShape(let f, _),
             .segmentationNoSegments(let f), .segmentationLabelOutOfRange(let f, _, _):
            return f
        }
    }

    public var fault: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .isFolder: return "is a folder; a map path must name a map file (.npy, .tif/.tiff or .png)"
        case .mapShape(_, let shape): return "map has shape \(shape); expected H×W (or 1×H×W, H×W×1)"
        case .mapChannels(_, let channels): return "PNG map has \(channels) channels; expected 1 (grayscale)"
        case .unsupportedMapFormat(_, let ext): return "unsupported map format '.\(ext)' (use .npy, .tif/.tiff or .png)"
        case .containsNaN(_, let row, let column): return "map contains NaN at row \(row), column \(column)"
        case .containsInfinity(_, let row, let column):
            return "map contains an infinite value at row \(row), column \(column) (or a float64 value beyond float32's range, |x| > 3.4e38)"
        case .sizeDiffers(_, let h, let w, let fh, let fw):
            return "map is \(h)×\(w) but the first map is \(fh)×\(fw); pass --size to resize"
        case .noMapForDetector(_, let id, let detector): return "item '\(id)' has no map for detector '\(detector)'"
        case .sourcesChanged(_, let detector):
            return "the map files the manifest names for '\(detector)' changed since this artifact was made (a file edited or a symlink retargeted); rerun extract-maps"
        case .labelChannels(_, let channels): return "label PNG has \(channels) channels; expected 1 (gray levels are labels)"
        case .labelShape(_, let shape): return "label map has shape \(shape); expected H×W"
        case .unsupportedLabelFormat(_, let ext): return "unsupported label map format '.\(ext)' (use .png or .npy)"
        case .labelSize(_, let h, let w, let mh, let mw): return "label map is \(h)×\(w) but the maps are \(mh)×\(mw)"
        case .labelOutOfRange(_, let label, let row, let column, let segments):
            return "label \(label) at row \(row), column \(column) is outside 0…\(segments - 1)"
        case .segmentationShape(_, let shape): return "labels has shape \(shape); expected H×W"
        case .segmentationNoSegments: return "segmentation artifact records no 'segments'"
        case .segmentationLabelOutOfRange(_, let label, let segments): return "label \(label) outside 0…\(segments - 1)"
        }
    }
}
