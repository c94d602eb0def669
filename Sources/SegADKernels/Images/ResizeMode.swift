/// How an image of another aspect ratio meets the working size
/// (`RESIZE=stretch|pad|crop`, docs/manifest.md, "Mixed aspect ratios").
///
/// - `stretch`: the whole image resized to H×W, its aspect given up (the
///   original rule; byte-identical to `Resize.bilinear`).
/// - `pad`: the whole image resized with its aspect kept to fit inside H×W,
///   centred; the rest filled with 0 (black): PIL's `ImageOps.pad` geometry.
/// - `crop`: the centre of the image with the working aspect cut out (whole
///   pixels), then resized to H×W: PIL's `ImageOps.fit` box, rounded.
///
/// The resizing itself is always `Resize.bilinear` (torch's convention, no
/// antialiasing), not PIL's filters.
///
/// An image of the working aspect (to the rounding below) is resized the same
/// way in every mode.
public enum ResizeMode: String, CaseIterable, Sendable {
    case stretch, pad, crop

    /// Where a `height × width` image goes: the source box read (`src*`, whole
    /// pixels) and the destination box it is resized into (`dst*`) inside
    /// `toHeight × toWidth`. The boxes are PIL's (`ImageOps.pad`, `ImageOps.fit`,
    /// centering 0.5), with `round` half to even as Python's:
    ///
    ///     pad:  r = w/h, R = W/H. r > R: dstW = W, dstH = round(h / w · W);
    ///           r < R: dstH = H, dstW = round(w / h · H); then at least 1.
    ///           dstX0 = round((W − dstW) · 0.5) when dstW ≠ W, else dstY0 = round((H − dstH) · 0.5).
    ///           The source is the whole image; the rest of H×W is `fill`.
    ///     crop: r ≥ R: cropW = R · h, cropH = h; r < R: cropW = w, cropH = w / R (PIL's float box);
    ///           srcW = round(cropW), srcH = round(cropH) (1 … the side), then centred as
    ///           pad centres: srcX0 = round((w − srcW) · 0.5), srcY0 = round((h − srcH) · 0.5).
    ///           The destination is all of H×W.
    public struct Box: Equatable, Sendable {
        public var srcY0: Int, srcX0: Int, srcHeight: Int, srcWidth: Int
        public var dstY0: Int, dstX0: Int, dstHeight: Int, dstWidth: Int
    }

    public func box(height h: Int, width w: Int, toHeight H: Int, toWidth W: Int) -> Box {
        func round(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }
        let r = Double(w) / Double(h), R = Double(W) / Double(H)
        switch self {
        case .stretch:
            return Box(srcY0: 0, srcX0: 0, srcHeight: h, srcWidth: w, dstY0: 0, dstX0: 0, dstHeight: H, dstWidth: W)
        case .pad:
            var dh = H, dw = W
            if r > R { dh = max(1, round(Double(h) / Double(w) * Double(W))) }
            else if r < R { dw = max(1, round(Double(w) / Double(h) * Double(H))) }
            var y0 = 0, x0 = 0
            if dw != W { x0 = round(Double(W - dw) * 0.5) } else { y0 = round(Double(H - dh) * 0.5) }
            return Box(srcY0: 0, srcX0: 0, srcHeight: h, srcWidth: w, dstY0: y0, dstX0: x0, dstHeight: dh, dstWidth: dw)
        case .crop:
            var cw = Double(w), ch = Double(h)
            if r == R { } else if r >= R { cw = R * Double(h) } else { ch = Double(w) / R }
            let sw = min(w, max(1, round(cw))), sh = min(h, max(1, round(ch)))
            return Box(srcY0: round(Double(h - sh) * 0.5), srcX0: round(Double(w - sw) * 0.5), srcHeight: sh, srcWidth: sw,
                       dstY0: 0, dstX0: 0, dstHeight: H, dstWidth: W)
        }
    }

    /// One row-major plane brought to `toHeight × toWidth` by this mode:
    /// the source box cut out, resized bilinearly (`Resize.bilinear`) to the
    /// destination box, the rest `fill`. `stretch` is `Resize.bilinear` itself.
    public func apply(_ src: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int, fill: Float = 0) -> [Float] {
        if self == .stretch || (height == toHeight && width == toWidth) {
            if height == toHeight && width == toWidth { return src }
            return Resize.bilinear(src, height: height, width: width, toHeight: toHeight, toWidth: toWidth)
        }
        let b = box(height: height, width: width, toHeight: toHeight, toWidth: toWidth)
        var cut = src
        if b.srcHeight != height || b.srcWidth != width {
            cut = []
            cut.reserveCapacity(b.srcHeight * b.srcWidth)
            for y in b.srcY0 ..< b.srcY0 + b.srcHeight {
                cut += src[(y * width + b.srcX0) ..< (y * width + b.srcX0 + b.srcWidth)]
            }
        }
        let inner = (b.srcHeight == b.dstHeight && b.srcWidth == b.dstWidth) ? cut
            : Resize.bilinear(cut, height: b.srcHeight, width: b.srcWidth, toHeight: b.dstHeight, toWidth: b.dstWidth)
        if b.dstHeight == toHeight && b.dstWidth == toWidth { return inner }
        var out = [Float](repeating: fill, count: toHeight * toWidth)
        for y in 0..<b.dstHeight {
            let o = (b.dstY0 + y) * toWidth + b.dstX0
            out.replaceSubrange(o ..< o + b.dstWidth, with: inner[(y * b.dstWidth) ..< ((y + 1) * b.dstWidth)])
        }
        return out
    }
}
