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

    /// An image is off the working aspect when its height/width ratio and
    /// the working size's differ by more than this factor, either way.
    public static let aspectFactor = 1.5

    /// The manifest's images whose aspect is more than `aspectFactor` off
    /// `size`'s, from their headers (sizes as stored: an Exif rotation is not
    /// applied; a header that cannot be read is left to the stage that
    /// decodes the image), and the first of them.
    public static func offAspect(manifest: Manifest, size: (height: Int, width: Int))
        -> (count: Int, total: Int, first: (path: String, height: Int, width: Int)?) {
        let target = Double(size.height) / Double(size.width)
        var count = 0, total = 0
        var first: (path: String, height: Int, width: Int)?
        for item in manifest.items {
            guard let image = item.image else { continue }
            let path = manifest.resolve(image)
            guard let header = try? ImageFile.header(path: path), header.height > 0, header.width > 0 else { continue }
            total += 1
            let ratio = Double(header.height) / Double(header.width) / target
            if ratio > aspectFactor || ratio < 1 / aspectFactor {
                count += 1
                if first == nil { first = (path, header.height, header.width) }
            }
        }
        return (count, total, first)
    }

    /// The one line `extract-maps working-size` says when some images are off
    /// the working aspect; nil when none is.
    public static func offAspectNote(manifest: Manifest, size: (height: Int, width: Int)) -> String? {
        let off = offAspect(manifest: manifest, size: size)
        guard off.count > 0, let f = off.first else { return nil }
        return "\(off.count) of \(off.total) images are more than \(aspectFactor)× off the working aspect \(size.height)x\(size.width) (HxW), "
            + "e.g. \(f.path) (\(f.height)x\(f.width) as stored); every stage resizes them by RESIZE: stretch (the default) gives up their aspect, "
            + "pad and crop keep it (docs/manifest.md, \"Mixed aspect ratios\")"
    }
}
