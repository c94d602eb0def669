import SegADKernels
import SegADNative

extension DetectorImage {
    /// Reads a PNG (1…16-bit; gray, gray+alpha, RGB, RGBA or palette), JPEG
    /// (baseline or progressive, gray or color, Exif orientation applied) or
    /// TIFF (8/16-bit or float, gray or RGB) through `ImageFile.read` — the
    /// format told by the file's first bytes — and resizes it bilinearly
    /// (torch align_corners=False, no antialias) to the working size. Gray
    /// images stay one channel, color images become RGB; samples are scaled
    /// to [0, 1] by the format's full white (`RasterImage.maxValue`).
    /// Unreadable, truncated, too large or too small files throw the reader's
    /// one-line `ImageError`. `resize` says how another aspect ratio meets
    /// the working size (`ResizeMode`; `.stretch`, the default, is the plain
    /// bilinear resize above).
    public static func load(path: String, height: Int, width: Int, resize: ResizeMode = .stretch) throws -> DetectorImage {
        let image = try ImageFile.read(path: path)
        let scale = 1 / image.maxValue
        let channels = image.channels
        let n = image.width * image.height
        var out: [Float] = []
        out.reserveCapacity(channels * height * width)
        for c in 0..<channels {
            var plane = [Float](repeating: 0, count: n)
            image.samples.withUnsafeBufferPointer { s in
                for i in 0..<n { plane[i] = s[i * channels + c] * scale }
            }
            if image.height == height && image.width == width {
                out += plane
            } else if resize == .stretch {
                out += Resize.bilinear(plane, height: image.height, width: image.width, toHeight: height, toWidth: width)
            } else {
                out += resize.apply(plane, height: image.height, width: image.width, toHeight: height, toWidth: width)
            }
        }
        return DetectorImage(channels: channels, height: height, width: width, values: out)
    }
}
