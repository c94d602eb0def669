import Foundation

/// Resampling, pooling and smoothing of single-channel maps and of C×H×W
/// feature maps, with PyTorch's definitions (the golden tests compare with
/// torch/numpy). All buffers are row-major; no I/O.
public enum MapOps {
    /// Bilinear resize of each channel, `F.interpolate(mode="bilinear",
    /// align_corners=False)`: source coordinate (d + ½)·(in/out) − ½, clamped
    /// at 0, neighbours clamped at the last row/column. O(C·oh·ow).
    public static func bilinear(_ x: [Float], channels: Int, height h: Int, width w: Int,
                                toHeight oh: Int, toWidth ow: Int) -> [Float] {
        if oh == h && ow == w { return x }
        func taps(_ n: Int, _ o: Int) -> [(Int, Int, Float)] {
            let scale = Float(n) / Float(o)
            return (0..<o).map { d in
                let src = max((Float(d) + 0.5) * scale - 0.5, 0)
                let i0 = min(Int(src), n - 1)
                let i1 = min(i0 + 1, n - 1)
                return (i0, i1, src - Float(i0))
            }
        }
        let ty = taps(h, oh), tx = taps(w, ow)
        var out = [Float](repeating: 0, count: channels * oh * ow)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                for c in 0..<channels {
                    let src = xp.baseAddress! + c * h * w
                    let dst = op.baseAddress! + c * oh * ow
                    for (oy, (y0, y1, ly)) in ty.enumerated() {
                        let r0 = src + y0 * w, r1 = src + y1 * w
                        for (ox, (x0, x1, lx)) in tx.enumerated() {
                            let top = (1 - lx) * r0[x0] + lx * r0[x1]
                            let bottom = (1 - lx) * r1[x0] + lx * r1[x1]
                            dst[oy * ow + ox] = (1 - ly) * top + ly * bottom
                        }
                    }
                }
            }
        }
        return out
    }

    /// Nearest resize, `F.interpolate(mode="nearest")`: source index ⌊d·in/out⌋.
    public static func nearest(_ x: [Float], channels: Int, height h: Int, width w: Int,
                               toHeight oh: Int, toWidth ow: Int) -> [Float] {
        if oh == h && ow == w { return x }
        let sy = Float(h) / Float(oh), sx = Float(w) / Float(ow)
        let iy = (0..<oh).map { min(Int(Float($0) * sy), h - 1) }
        let ix = (0..<ow).map { min(Int(Float($0) * sx), w - 1) }
        var out = [Float](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            for oy in 0..<oh {
                for ox in 0..<ow { out[(c * oh + oy) * ow + ox] = x[(c * h + iy[oy]) * w + ix[ox]] }
            }
        }
        return out
    }

    /// 3×3 average pooling, stride 1, zero padding 1, divided by 9 everywhere
    /// (`nn.AvgPool2d(3, 1, 1)`, count_include_pad=True), per channel.
    public static func averagePool3x3(_ x: [Float], channels: Int, height h: Int, width w: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for c in 0..<channels {
            let base = c * h * w
            for y in 0..<h {
                for xx in 0..<w {
                    var s: Float = 0
                    for dy in -1...1 {
                        let yy = y + dy
                        if yy < 0 || yy >= h { continue }
                        for dx in -1...1 {
                            let xq = xx + dx
                            if xq < 0 || xq >= w { continue }
                            s += x[base + yy * w + xq]
                        }
                    }
                    out[base + y * w + xx] = s / 9
                }
            }
        }
        return out
    }

    /// The normalized 1-D Gaussian of anomalib/kornia: size 2⌊4σ + ½⌋ + 1,
    /// taps exp(−t²/2σ²) for t = i − size/2, divided by their sum.
    public static func gaussianKernel(sigma: Float) -> [Float] {
        let size = 2 * Int(4 * sigma + 0.5) + 1
        let half = size / 2
        var k = (0..<size).map { i -> Float in
            let t = Float(i - half)
            return exp(-t * t / (2 * sigma * sigma))
        }
        let s = k.reduce(0, +)
        for i in k.indices { k[i] /= s }
        return k
    }

    /// Index of `i` reflected into 0..<n without repeating the edge (numpy
    /// "reflect", torch/kornia "reflect"), bouncing as often as needed.
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        let period = 2 * (n - 1)
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - j
    }

    /// Separable Gaussian blur of an H×W map with reflect padding, as
    /// anomalib's `GaussianBlur2d(sigma)` (kornia filter2d, border "reflect").
    /// O(H·W·size). Each output sums its taps from 0 in tap order, one
    /// multiply and one add per tap, exactly as `gaussianBlurScalar`; eight
    /// neighbouring outputs at a time (the horizontal pass where no tap
    /// reflects, the vertical pass everywhere), so the values are the same
    /// bit for bit and the pass runs in vector lanes (docs/patchcore.md,
    /// "Per-stage floors": σ = 4 is 33 taps, 132 flops a pixel; three maps a
    /// scored image).
    public static func gaussianBlur(_ x: [Float], height h: Int, width w: Int, sigma: Float) -> [Float] {
        let k = gaussianKernel(sigma: sigma)
        let taps = k.count, half = taps / 2
        var tmp = [Float](repeating: 0, count: h * w)
        var out = [Float](repeating: 0, count: h * w)
        let colIndex = (0..<(w + 2 * half)).map { reflect($0 - half, w) }
        let rowIndex = (0..<(h + 2 * half)).map { reflect($0 - half, h) }
        k.withUnsafeBufferPointer { kp in
            let kernel = kp.baseAddress!
            colIndex.withUnsafeBufferPointer { cp in
                x.withUnsafeBufferPointer { xp in
                    tmp.withUnsafeMutableBufferPointer { tp in
                        // Columns half…w−1−half read no reflected tap: x + xx − half + t.
                        let interiorEnd = w - half
                        for y in 0..<h {
                            let row = xp.baseAddress! + y * w, dst = tp.baseAddress! + y * w
                            func scalar(_ xx: Int) {
                                var s: Float = 0
                                for t in 0..<taps { s += kernel[t] * row[cp[xx + t]] }
                                dst[xx] = s
                            }
                            var xx = 0
                            while xx < min(half, w) { scalar(xx); xx += 1 }
                            while xx + 8 <= interiorEnd {
                                var s = SIMD8<Float>(repeating: 0)
                                let base = row + xx - half
                                for t in 0..<taps {
                                    s += SIMD8<Float>(repeating: kernel[t]) * UnsafeRawPointer(base + t).loadUnaligned(as: SIMD8<Float>.self)
                                }
                                UnsafeMutableRawPointer(dst + xx).storeBytes(of: s, as: SIMD8<Float>.self)
                                xx += 8
                            }
                            while xx < w { scalar(xx); xx += 1 }
                        }
                    }
                }
            }
            rowIndex.withUnsafeBufferPointer { rp in
                tmp.withUnsafeBufferPointer { tp in
                    out.withUnsafeMutableBufferPointer { op in
                        let src = tp.baseAddress!
                        for y in 0..<h {
                            let dst = op.baseAddress! + y * w
                            var xx = 0
                            while xx + 8 <= w {
                                var s = SIMD8<Float>(repeating: 0)
                                for t in 0..<taps {
                                    s += SIMD8<Float>(repeating: kernel[t])
                                        * UnsafeRawPointer(src + rp[y + t] * w + xx).loadUnaligned(as: SIMD8<Float>.self)
                                }
                                UnsafeMutableRawPointer(dst + xx).storeBytes(of: s, as: SIMD8<Float>.self)
                                xx += 8
                            }
                            while xx < w {
                                var s: Float = 0
                                for t in 0..<taps { s += kernel[t] * src[rp[y + t] * w + xx] }
                                dst[xx] = s
                                xx += 1
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `gaussianBlur` one value at a time: the definition the vectorized
    /// one is tested against (bit for bit, MapOpsBlurTests).
    static func gaussianBlurScalar(_ x: [Float], height h: Int, width w: Int, sigma: Float) -> [Float] {
        let k = gaussianKernel(sigma: sigma)
        let half = k.count / 2
        var tmp = [Float](repeating: 0, count: h * w)
        var out = [Float](repeating: 0, count: h * w)
        let colIndex = (0..<(w + 2 * half)).map { reflect($0 - half, w) }
        let rowIndex = (0..<(h + 2 * half)).map { reflect($0 - half, h) }
        x.withUnsafeBufferPointer { xp in
            tmp.withUnsafeMutableBufferPointer { tp in
                for y in 0..<h {
                    let row = xp.baseAddress! + y * w
                    for xx in 0..<w {
                        var s: Float = 0
                        for t in 0..<k.count { s += k[t] * row[colIndex[xx + t]] }
                        tp[y * w + xx] = s
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { tp in
            out.withUnsafeMutableBufferPointer { op in
                for y in 0..<h {
                    for xx in 0..<w {
                        var s: Float = 0
                        for t in 0..<k.count { s += k[t] * tp[rowIndex[y + t] * w + xx] }
                        op[y * w + xx] = s
                    }
                }
            }
        }
        return out
    }
}
