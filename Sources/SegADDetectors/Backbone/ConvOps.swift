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

    /// y[co, p] = b[co] + Σ_ci w[co, ci]·x[ci, p] (+ r[co, p] when a residual
    /// r is given): a 1×1 convolution, stride 1, as sgemm of (Cout×Cin)·(Cin×HW),
    /// for the pixels p in `columns` (all by default; x, y and r are whole
    /// Cin×HW and Cout×HW tensors). O(Cout·Cin·|columns|).
    ///
    /// The columns go in the tiles of `tileWidth(cin:cout:)` counted from
    /// column 0 (`columns` starts on a tile boundary), one sgemm per tile,
    /// each tile's bias written just before its sgemm adds into it (β = 1)
    /// and its residual added right after, while the tile is in cache. The
    /// tiles are fixed, whoever computes them: OpenBLAS's value for a column
    /// can depend on the shape of the call it comes in (by the last bits), so
    /// splitting the columns over threads at tile boundaries changes nothing.
    static func pointwise(_ x: UnsafePointer<Float>, cin: Int, hw: Int,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                          into y: UnsafeMutablePointer<Float>, columns: Range<Int>? = nil,
                          residual r: UnsafePointer<Float>? = nil) {
        let all = columns ?? 0..<hw
        let tile = tileWidth(cin: cin, cout: cout)
        precondition(all.lowerBound % tile == 0 || all.isEmpty, "pointwise: columns must start on a tile")
        var p0 = all.lowerBound
        while p0 < all.upperBound {
            let n = min(tile, all.upperBound - p0)
            for co in 0..<cout { (y + co * hw + p0).initialize(repeating: bias[co], count: n) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(n), Int32(cin),
                        1, weight, Int32(cin), x + p0, Int32(hw), 1, y + p0, Int32(hw))
            if let r {
                for co in 0..<cout {
                    let yr = y + co * hw + p0, rr = r + co * hw + p0
                    for i in 0..<n { yr[i] += rr[i] }
                }
            }
            p0 += n
        }
    }

    /// The columns of one `pointwise` tile: 64·2^j, the largest such width
    /// whose input plus output takes at most `tileFloats` floats (64 at
    /// least). Powers of two, so any two layers' tiles nest and one split of
    /// the columns can be on tile boundaries for both.
    static func tileWidth(cin: Int, cout: Int) -> Int {
        var width = 64
        while 2 * width * (cin + cout) <= tileFloats { width *= 2 }
        return width
    }

    /// Floats of input and output one sgemm tile of `pointwise` touches
    /// (32 Ki floats, 128 KB). Measured on the EfficientNet-Lite0 layers:
    /// 128 KB tiles beat 512 KB ones by about 10% over the 1×1 convolutions
    /// of a 256×256 forward (the 64×64 layers most, up to 30%); untiled was
    /// no better than 512 KB.
    static let tileFloats = 1 << 15

    /// The shared core of the dense convolutions: im2col with zero padding
    /// (`padTop` rows above, `padLeft` columns left; the rest implied by the
    /// output size), then one sgemm with the (Cout × Cin·k·k) weights, the
    /// bias preloaded into the output. Returns Cout × oh × ow.
    /// O(Cout·Cin·k²·oh·ow) time, Cin·k²·oh·ow scratch.
    static func im2colGEMM(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int,
                           weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                           kernel k: Int, stride s: Int, padTop pt: Int, padLeft pl: Int, oh: Int, ow: Int) -> [Float] {
        let ohw = oh * ow, kk = cin * k * k
        let cols = [Float](unsafeUninitializedCapacity: kk * ohw) { c, count in
            im2col(x, cin: cin, h: h, w: w, kernel: k, stride: s, padTop: pt, padLeft: pl, oh: oh, ow: ow,
                   columns: 0..<ohw, into: c.baseAddress!)
            count = kk * ohw
        }
        return [Float](unsafeUninitializedCapacity: cout * ohw) { y, count in
            cols.withUnsafeBufferPointer { c in
                pointwise(c.baseAddress!, cin: kk, hw: ohw, weight: weight, bias: bias, cout: cout, into: y.baseAddress!)
            }
            count = cout * ohw
        }
    }

    /// The columns `columns` (output pixels oy·ow + ox) of the im2col matrix
    /// of a C×h×w input (whole matrix at `cols`, (C·k·k) × (oh·ow)):
    /// cols[(ci·k + ky)·k + kx, oy·ow + ox] = x[ci, oy·s + ky − pt, ox·s + kx − pl],
    /// 0 outside the input. Every cell of those columns is written.
    /// O(C·k²·|columns|).
    static func im2col(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int, kernel k: Int, stride s: Int,
                       padTop pt: Int, padLeft pl: Int, oh: Int, ow: Int, columns: Range<Int>,
                       into cols: UnsafeMutablePointer<Float>) {
        guard !columns.isEmpty else { return }
        for r in 0..<(cin * k * k) {
            let ci = r / (k * k), ky = r / k % k, kx = r % k
            // Output columns whose input column ox·s + kx − pl lies inside.
            let valid0 = max(0, ceilDiv(pl - kx, s)), valid1 = min(ow, floorDiv(w - 1 + pl - kx, s) + 1)
            for oy in (columns.lowerBound / ow)...((columns.upperBound - 1) / ow) {
                // The part of output row oy inside `columns`.
                let a = max(0, columns.lowerBound - oy * ow), b = min(ow, columns.upperBound - oy * ow)
                let dst = cols + r * oh * ow + oy * ow
                let iy = oy * s + ky - pt
                guard iy >= 0 && iy < h else { (dst + a).initialize(repeating: 0, count: b - a); continue }
                let ox0 = min(b, max(a, valid0)), ox1 = max(ox0, min(b, valid1))
                let src = x + (ci * h + iy) * w + kx - pl
                (dst + a).initialize(repeating: 0, count: ox0 - a)
                switch s {  // a constant stride lets the copy vectorize
                case 1: (dst + ox0).initialize(from: src + ox0, count: ox1 - ox0)
                case 2: for ox in ox0..<ox1 { dst[ox] = src[ox * 2] }
                default: for ox in ox0..<ox1 { dst[ox] = src[ox * s] }
                }
                (dst + ox1).initialize(repeating: 0, count: b - ox1)
            }
        }
    }

    @inline(__always) static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

    /// x ← max(x, 0) elementwise.
    static func relu(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = max(p[i], 0) }
        }
    }
}
