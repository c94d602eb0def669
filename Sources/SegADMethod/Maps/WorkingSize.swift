import Foundation
import SegADNative
import SegADCore

/// The working size when `--size` is not given: the aspect ratio of the
/// manifest's first image (items order) with the short side 256 and each
/// side rounded to a multiple of 32, EfficientNet-Lite0's stride (its
/// "SAME" padding equals the trained static padding on such sizes).
///
/// A 500×1247 (H×W) part gives 256×640; a 300×300 cell 256×256.
public enum WorkingSize {
    public static let shortSide = 256
    public static let stride = 32
    /// Longer automatic sides (aspect over 8:1) are refused: give --size.
    public static let maxSide = 2048

    /// H×W for an image of `height`×`width`.
    public static func forImage(height: Int, width: Int) -> (height: Int, width: Int) {
        func side(_ s: Int, _ short: Int) -> Int {
            max(stride, Int((Double(shortSide) * Double(s) / Double(short) / Double(stride)).rounded()) * stride)
        }
        let short = min(height, width)
        return (side(height, short), side(width, short))
    }

    /// The working size of a manifest and the one-line note saying how it was chosen.
    /// With `poolOf` a seed: from the first image of that seed's detector-train
    /// (the fixed detector pool of `make images`, so a growing folder keeps its size).
    public static func auto(manifest: Manifest, poolOf seed: Int? = nil) throws -> (size: (height: Int, width: Int), note: String) {
        let pool = seed.map { Set(manifest.ids(.detectorTrain, seed: $0)) }
        guard let item = manifest.items.first(where: { $0.image != nil && (pool?.contains($0.id) ?? true) }) else {
            throw StageInputError.noImageForWorkingSize(manifest.path)
        }
        let path = manifest.resolve(item.image!)
        let image = try ImageFile.read(path: path)  // decoded as every stage reads it (Exif orientation applied)
        let (h, w) = (image.height, image.width)
        let size = forImage(height: h, width: w)
        guard max(size.height, size.width) <= maxSide else {
            throw StageInputError.workingSizeTooLarge(path, height: h, width: w, sizeHeight: size.height, sizeWidth: size.width, maxSide: maxSide)
        }
        return (size, "--size not given: working size \(size.height)x\(size.width) (HxW), the aspect of the first \(seed == nil ? "" : "pool ")image \(path) (\(h)x\(w)), short side \(shortSide), sides multiples of \(stride); give --size HxW to choose")
    }
}
