import Foundation

/// A decoded image of any of the readable formats: samples row-major with
/// channels interleaved, on the file's own scale, and the scale's maximum.
public struct RasterImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 gray, 3 RGB (alpha, when the file has it, is dropped).
    public var channels: Int
    /// The value of full white: 255 (8-bit), 65535 (16-bit), 1 (1-bit PNG),
    /// 2^b − 1 in general for integer samples; 1 for floating-point TIFF
    /// (float images are taken to lie in 0…1).
    public var maxValue: Float
    /// `height * width * channels` samples.
    public var samples: [Float]

    public init(width: Int, height: Int, channels: Int, maxValue: Float, samples: [Float]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.maxValue = maxValue
        self.samples = samples
    }

    /// The image with a scale below 8 bits (`maxValue` < 255: 1-, 2- and
    /// 4-bit PNG, floating-point TIFF) stretched to 0…255 (v · 255 / maxValue;
    /// for n-bit PNG exactly what `PNGImage.expandedTo8Bit` gives), for code
    /// that works on the 8- or 16-bit scale; others are returned as they are.
    public func expandedTo8Bit() -> RasterImage {
        guard maxValue < 255 else { return self }
        let factor = 255 / maxValue
        return RasterImage(width: width, height: height, channels: channels, maxValue: 255,
                           samples: samples.map { $0 * factor })
    }

    /// One value per pixel on the file's scale: the gray sample, or for RGB
    /// the BT.601 luma 0.299 R + 0.587 G + 0.114 B (as `PNGImage.grayFloats`).
    public func grayFloats() -> [Float] {
        let n = width * height
        guard channels == 3 else { return samples }
        return (0..<n).map { i in 0.299 * samples[3 * i] + 0.587 * samples[3 * i + 1] + 0.114 * samples[3 * i + 2] }
    }
}

/// Bounds every image reader checks against the DECLARED size, before it
/// allocates anything of that size (docs/reliability.md, section 6, class 1).
public enum ImageLimits {
    /// Largest width or height accepted.
    public static let maxSide = 16384
    /// Largest width × height accepted: 2^26 (64 Mpx, e.g. 8192 × 8192) by
    /// default, so a small compressed file cannot make one decode take
    /// gigabytes (a 16384² PNG of 260 KB took 2.15 GB); the environment
    /// variable `SEGAD_MAX_PIXELS` (a whole number in 64…2^28) raises or
    /// lowers it (docs/reliability.md, "Files, outputs and CSV cells").
    public static let maxPixels: Int = pixelSetting.limit
    public static let defaultMaxPixels = 1 << 26
    /// The hard ceiling of `SEGAD_MAX_PIXELS` (16384 × 16384).
    public static let ceilingPixels = 1 << 28

    /// `SEGAD_MAX_PIXELS` read once; an unusable value refuses every image
    /// with one line naming the variable (`error`), never silently ignored.
    static let pixelSetting: (limit: Int, error: ImageError?) = {
        guard let text = getenv("SEGAD_MAX_PIXELS").map({ String(cString: $0) }) else { return (defaultMaxPixels, nil) }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (64...ceilingPixels).contains(n) else {
            return (defaultMaxPixels, .unsupported("SEGAD_MAX_PIXELS",
                detail: "'\(text)' is not a whole number of pixels in 64…\(ceilingPixels); unset it or give e.g. \(defaultMaxPixels)"))
        }
        return (n, nil)
    }()
    /// Smallest width or height of an image given to the detectors (their
    /// backbones and patch grids need a few pixels a side).
    public static let minSide = 8

    /// The refusal of a declared size (`ImageError.declaredEmpty` or
    /// `.tooLarge`, naming `path`), or nil when it is within bounds.
    public static func error(path: String, width: Int, height: Int, format: String) -> ImageError? {
        if let setting = pixelSetting.error { return setting }
        if width <= 0 || height <= 0 { return .declaredEmpty(path, format: format, height: height, width: width) }
        if width > maxSide || height > maxSide || width.multipliedReportingOverflow(by: height).partialValue > maxPixels
            || width.multipliedReportingOverflow(by: height).overflow {
            return .tooLarge(path, format: format, height: height, width: width)
        }
        return nil
    }
}
