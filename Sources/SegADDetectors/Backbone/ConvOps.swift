internal import COpenBLAS

/// The convolution arithmetic of the backbones, on one image at a time
/// (C×H×W buffers). Weights arrive with BatchNorm folded in:
/// w′ = w·γ/√(σ²+ε), b′ = β − μ·γ/√(σ²+ε).
enum ConvOps {
    /// TF "SAME" padding: output ⌈n/s⌉, total padding max((out−1)s + k − n, 0),
    /// the smaller half before. Returns (output size, padding before).
    @inline(__always)
    static func same(_ n: Int, kernel k: Int, stride s: Int) -> (out: Int, before: Int) {
        let out = (n + s - 1) / s
        let pad = max((out - 1) * s + k - n, 0)
        return (out, pad / 2)
    }

    /// y[co, p] = b[co] + Σ_ci w[co, ci]·x[ci, p]: a 1×1 convolution, stride 1,
    /// as one sgemm of (Cout×Cin)·(Cin×HW). O(Cout·Cin·HW).
    static func pointwise(_ x: UnsafePointer<Float>, cin: Int, hw: Int,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                          into y: UnsafeMutablePointer<Float>) {
        for co in 0..<cout { (y + co * hw).initialize(repeating: bias[co], count: hw) }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(hw), Int32(cin),
                    1, weight, Int32(cin), x, Int32(hw), 1, y, Int32(hw))
    }

    /// A dense k×k convolution with stride s and SAME padding through im2col:
    /// columns[(ci·k + ky)·k + kx, oy·ow + ox] = x[ci, oy·s + ky − pt, ox·s + kx − pl]
    /// (0 outside), then one sgemm with the (Cout × Cin·k·k) weights.
    static func dense(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int,
                      weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                      kernel k: Int, stride s: Int) -> (values: [Float], h: Int, w: Int) {
        let (oh, pt) = same(h, kernel: k, stride: s)
        let (ow, pl) = same(w, kernel: k, stride: s)
        return (im2colGEMM(x, cin: cin, h: h, w: w, weight: weight, bias: bias, cout: cout, kernel: k, stride: s,
                           padTop: pt, padLeft: pl, oh: oh, ow: ow), oh, ow)
    }

    /// The shared core of the dense convolutions: im2col with zero padding
    /// (`padTop` rows above, `padLeft` columns left; the rest implied by the
    /// output size), then one sgemm with the (Cout × Cin·k·k) weights, the
    /// bias preloaded into the output. Returns Cout × oh × ow.
    /// O(Cout·Cin·k²·oh·ow) time, Cin·k²·oh·ow scratch.
    static func im2colGEMM(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int,
                           weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                           kernel k: Int, stride s: Int, padTop pt: Int, padLeft pl: Int, oh: Int, ow: Int) -> [Float] {
        let ohw = oh * ow
        var cols = [Float](repeating: 0, count: cin * k * k * ohw)
        cols.withUnsafeMutableBufferPointer { c in
            for ci in 0..<cin {
                for ky in 0..<k {
                    for kx in 0..<k {
                        let row = c.baseAddress! + ((ci * k + ky) * k + kx) * ohw
                        for oy in 0..<oh {
                            let iy = oy * s + ky - pt
                            if iy < 0 || iy >= h { continue }
                            let src = x + ci * h * w + iy * w
                            let dst = row + oy * ow
                            for ox in 0..<ow {
                                let ix = ox * s + kx - pl
                                if ix >= 0 && ix < w { dst[ox] = src[ix] }
                            }
                        }
                    }
                }
            }
        }
        var y = [Float](repeating: 0, count: cout * ohw)
        cols.withUnsafeBufferPointer { c in
            y.withUnsafeMutableBufferPointer { yp in
                for co in 0..<cout { (yp.baseAddress! + co * ohw).initialize(repeating: bias[co], count: ohw) }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(ohw), Int32(cin * k * k),
                            1, weight, Int32(cin * k * k), c.baseAddress!, Int32(ohw), 1, yp.baseAddress!, Int32(ohw))
            }
        }
        return y
    }

    /// A depthwise k×k convolution (one filter per channel), stride s, SAME
    /// padding, computed directly: for each tap (ky, kx) the valid output rows
    /// and columns accumulate w·x in a contiguous inner loop. O(C·k²·oh·ow).
    static func depthwise(_ x: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                          kernel k: Int, stride s: Int) -> (values: [Float], h: Int, w: Int) {
        let (oh, pt) = same(h, kernel: k, stride: s)
        let (ow, pl) = same(w, kernel: k, stride: s)
        var y = [Float](repeating: 0, count: channels * oh * ow)
        y.withUnsafeMutableBufferPointer { yp in
            for c in 0..<channels {
                let out = yp.baseAddress! + c * oh * ow
                out.initialize(repeating: bias[c], count: oh * ow)
                let src = x + c * h * w
                for ky in 0..<k {
                    // Output rows whose input row oy·s + ky − pt lies inside.
                    let oy0 = max(0, ceilDiv(pt - ky, s))
                    let oy1 = min(oh, floorDiv(h - 1 + pt - ky, s) + 1)
                    for kx in 0..<k {
                        let wv = weight[(c * k + ky) * k + kx]
                        let ox0 = max(0, ceilDiv(pl - kx, s))
                        let ox1 = min(ow, floorDiv(w - 1 + pl - kx, s) + 1)
                        if ox0 >= ox1 { continue }
                        var oy = oy0
                        while oy < oy1 {
                            let srow = src + (oy * s + ky - pt) * w + (kx - pl)
                            let drow = out + oy * ow
                            if s == 1 {
                                for ox in ox0..<ox1 { drow[ox] += wv * srow[ox] }
                            } else {
                                for ox in ox0..<ox1 { drow[ox] += wv * srow[ox * s] }
                            }
                            oy += 1
                        }
                    }
                }
            }
        }
        return (y, oh, ow)
    }

    @inline(__always) static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

    /// x ← min(max(x, 0), 6) elementwise.
    static func relu6(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = min(max(p[i], 0), 6) }
        }
    }

    /// x ← max(x, 0) elementwise.
    static func relu(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = max(p[i], 0) }
        }
    }
}
