/// Image resizing kernels.
public enum Resize {
    /// Bilinear resize of one row-major `height × width` plane to
    /// `toHeight × toWidth`, with the convention of PyTorch's
    /// `torch.nn.functional.interpolate(x, size=(toHeight, toWidth),
    /// mode="bilinear", align_corners=False, antialias=False)` (for
    /// upsampling this equals OpenCV's `resize(…, INTER_LINEAR)`).
    ///
    /// Along each axis, output index `o` (input size `n`, output size `m`)
    /// samples the input at the half-pixel-centred source coordinate
    ///
    ///     s = max(0, (o + 0.5) · n / m − 0.5),   i₀ = ⌊s⌋,   i₁ = min(i₀ + 1, n − 1),
    ///     λ = s − i₀,
    ///
    /// and the output is the separable blend
    ///
    ///     dst[y, x] = (1−λy)·((1−λx)·src[i₀y, i₀x] + λx·src[i₀y, i₁x])
    ///               +    λy ·((1−λx)·src[i₁y, i₀x] + λx·src[i₁y, i₁x]).
    ///
    /// No antialiasing: downsampling reads only the 2×2 neighbours of each
    /// source point. Indices and weights are computed once per output row and
    /// column (in `Double`, stored as `Float`).
    ///
    /// - Parameters:
    ///   - src: `height * width` values.
    ///   - dst: `toHeight * toWidth` values, overwritten.
    /// - Precondition: all sizes positive and the buffers of the stated sizes.
    /// - Complexity: O(toHeight · toWidth) time, O(toHeight + toWidth) extra memory.
    public static func bilinear(_ src: UnsafeBufferPointer<Float>, height: Int, width: Int,
                                toHeight: Int, toWidth: Int, into dst: UnsafeMutableBufferPointer<Float>) {
        precondition(height > 0 && width > 0 && toHeight > 0 && toWidth > 0, "Resize.bilinear: sizes must be positive")
        precondition(src.count == height * width, "Resize.bilinear: src holds \(src.count) values, not \(height)×\(width)")
        precondition(dst.count == toHeight * toWidth, "Resize.bilinear: dst holds \(dst.count) values, not \(toHeight)×\(toWidth)")
        let rows = axis(input: height, output: toHeight)
        let cols = axis(input: width, output: toWidth)
        for y in 0..<toHeight {
            let r0 = rows.i0[y] * width, r1 = rows.i1[y] * width
            let wy0 = rows.w0[y], wy1 = rows.w1[y]
            let out = y * toWidth
            for x in 0..<toWidth {
                let c0 = cols.i0[x], c1 = cols.i1[x]
                let wx0 = cols.w0[x], wx1 = cols.w1[x]
                let top = wx0 * src[r0 + c0] + wx1 * src[r0 + c1]
                let bottom = wx0 * src[r1 + c0] + wx1 * src[r1 + c1]
                dst[out + x] = wy0 * top + wy1 * bottom
            }
        }
    }

    /// Array form of `bilinear(_:height:width:toHeight:toWidth:into:)`:
    /// returns the `toHeight * toWidth` resized values.
    public static func bilinear(_ src: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int) -> [Float] {
        precondition(toHeight > 0 && toWidth > 0, "Resize.bilinear: sizes must be positive")
        let count = toHeight * toWidth
        return [Float](unsafeUninitializedCapacity: count) { dst, initialized in
            dst.initialize(repeating: 0)
            src.withUnsafeBufferPointer {
                bilinear($0, height: height, width: width, toHeight: toHeight, toWidth: toWidth, into: dst)
            }
            initialized = count
        }
    }

    /// Source indices and weights along one axis (see `bilinear`).
    struct Axis {
        var i0: [Int], i1: [Int], w0: [Float], w1: [Float]
    }

    static func axis(input n: Int, output m: Int) -> Axis {
        var a = Axis(i0: [Int](repeating: 0, count: m), i1: [Int](repeating: 0, count: m),
                     w0: [Float](repeating: 0, count: m), w1: [Float](repeating: 0, count: m))
        let scale = Double(n) / Double(m)
        for o in 0..<m {
            let s = max(0, (Double(o) + 0.5) * scale - 0.5)
            let i0 = min(Int(s), n - 1)
            let lambda = s - Double(i0)
            a.i0[o] = i0
            a.i1[o] = min(i0 + 1, n - 1)
            a.w1[o] = Float(lambda)
            a.w0[o] = Float(1 - lambda)
        }
        return a
    }
}
