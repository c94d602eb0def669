import Foundation
import SegADNative
import SegADKernels

/// Reads one precomputed anomaly map from disk as H×W float32.
///
/// - `.npy`: float16/32/64 in either byte order, C or Fortran order; shape
///   H×W, 1×H×W or H×W×1.
/// - `.tif`/`.tiff`: one channel, 32- or 16-bit IEEE float.
/// - `.png`: 1…16-bit grayscale; values are divided by `pngScale`
///   (default 2^depth − 1: 255 for 8-bit, 65535 for 16-bit, so maps lie in [0, 1]).
///
/// NaN or infinite values are an error: SegAD's statistics would silently
/// turn them into NaN features.
public enum MapFile {
    public static func read(path: String, pngScale: Float? = nil) throws -> (values: [Float], height: Int, width: Int) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw MapError.noSuchFile(path) }
        if isFolder.boolValue { throw MapError.isFolder(path) }
        let ext = (path as NSString).pathExtension.lowercased()
        var result: (values: [Float], height: Int, width: Int)
        switch ext {
        case "npy":
            let (values, shape) = try NPY.readFloats(path: path)
            let dims = shape.filter { $0 != 1 }
            guard shape.count >= 2, shape.count <= 3, dims.count <= 2 else {
                throw MapError.mapShape(path, shape: shape)
            }
            let h = shape.count == 3 && shape[0] == 1 ? shape[1] : shape[0]
            let w = shape.count == 3 && shape[0] == 1 ? shape[2] : shape[1]
            result = (values, h, w)
        case "tif", "tiff":
            result = try TIFFMap.read(path: path)
        case "png":
            let image = try PNG.read(path: path)
            guard image.channels == 1 else {
                throw MapError.mapChannels(path, channels: image.channels)
            }
            let scale = pngScale ?? Float(image.maxValue)
            result = (image.samples.map { Float($0) / scale }, image.height, image.width)
        default:
            throw MapError.unsupportedMapFormat(path, ext: ext)
        }
        try checkFinite(result.values, width: result.width, path: path)
        return result
    }

    static func checkFinite(_ values: [Float], width: Int, path: String) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            // float64 maps are converted to float32 first: a finite value beyond
            // ±3.4e38 (e.g. 1e300) becomes ±inf and is reported as such.
            let (row, column) = (bad / max(width, 1), bad % max(width, 1))
            throw values[bad].isNaN ? MapError.containsNaN(path, row: row, column: column)
                                    : .containsInfinity(path, row: row, column: column)
        }
    }

    /// Reads a map and resizes it (bilinear, align_corners=False) when `size` differs.
    public static func read(path: String, size: (height: Int, width: Int)?, pngScale: Float? = nil) throws
        -> (values: [Float], height: Int, width: Int) {
        let map = try read(path: path, pngScale: pngScale)
        guard let size, size.height != map.height || size.width != map.width else { return map }
        let resized = Resize.bilinear(map.values, height: map.height, width: map.width,
                                      toHeight: size.height, toWidth: size.width)
        return (resized, size.height, size.width)
    }
}
