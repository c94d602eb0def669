import Foundation
import SegADNative

/// Where the segment labels of each map come from.
public enum SegmentationSource {
    /// One label map for every image (aligned parts), from a label PNG or .npy.
    case staticMap(path: String)
    /// A label map per item, named by the manifest's `items[].segmentation`.
    case perItem
}

/// Label maps: integer images whose values are segment numbers 0…L-1.
public enum LabelMap {
    /// Reads a label map from a gray PNG (1…16-bit; the STORED sample value is
    /// the label — a 1-bit map gives 0 and 1, never 0/255) or an integer .npy, and checks its size and label range. A
    /// size that differs from the maps' is an error, never a silent crop.
    public static func read(path: String, height: Int, width: Int, segments: Int) throws -> [Int32] {
        guard FileManager.default.fileExists(atPath: path) else { throw MapError.noSuchFile(path) }
        let ext = (path as NSString).pathExtension.lowercased()
        let values: [Int32]
        let h: Int, w: Int
        switch ext {
        case "png":
            let image = try PNG.read(path: path)
            guard image.channels == 1 else {
                throw MapError.labelChannels(path, channels: image.channels)
            }
            values = image.samples.map { Int32($0) }
            (h, w) = (image.height, image.width)
        case "npy":
            let (v, shape) = try NPY.readInt32s(path: path)
            guard shape.count == 2 else { throw MapError.labelShape(path, shape: shape) }
            values = v
            (h, w) = (shape[0], shape[1])
        default:
            throw MapError.unsupportedLabelFormat(path, ext: ext)
        }
        guard h == height, w == width else {
            throw MapError.labelSize(path, height: h, width: w, mapsHeight: height, mapsWidth: width)
        }
        if let bad = values.firstIndex(where: { $0 < 0 || $0 >= Int32(segments) }) {
            throw MapError.labelOutOfRange(path, label: values[bad], row: bad / width, column: bad % width, segments: segments)
        }
        return values
    }
}
