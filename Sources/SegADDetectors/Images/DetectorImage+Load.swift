import SegADKernels
import SegADNative

extension DetectorImage {
    /// Reads a PNG (8- or 16-bit; gray, gray+alpha, RGB, RGBA or palette) and
    /// resizes it bilinearly (torch align_corners=False, no antialias) to the
    /// working size. Gray images stay one channel, color images become RGB;
    /// samples are scaled to [0, 1] by the bit depth's maximum. Unreadable or
    /// truncated files throw the reader's one-line `InputError`.
    public static func load(path: String, height: Int, width: Int) throws -> DetectorImage {
        let png = try PNG.read(path: path)
        let scale = 1 / Float((1 << png.bitDepth) - 1)
        let color = png.channels >= 3
        let channels = color ? 3 : 1
        let n = png.width * png.height
        var out: [Float] = []
        out.reserveCapacity(channels * height * width)
        for c in 0..<channels {
            var plane = [Float](repeating: 0, count: n)
            for i in 0..<n { plane[i] = Float(png.samples[i * png.channels + c]) * scale }
            if png.height == height && png.width == width {
                out += plane
            } else {
                out += Resize.bilinear(plane, height: png.height, width: png.width, toHeight: height, toWidth: width)
            }
        }
        return DetectorImage(channels: channels, height: height, width: width, values: out)
    }
}
