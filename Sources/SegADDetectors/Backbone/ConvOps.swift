internal import COpenBLAS
internal import CConvKernels

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
    ///
    /// The output may be a window instead of a whole tensor: with
    /// `window: (stride, first)`, output pixel p of channel co goes to
    /// y[co·stride + p − first] (the residual is then not allowed); likewise
    /// the input with `inputWindow`: pixel p of channel ci is read at
    /// x[ci·stride + p − first]. The leading dimensions change nothing in
    /// the values.
    static func pointwise(_ x: UnsafePointer<Float>, cin: Int, hw: Int,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                          into y: UnsafeMutablePointer<Float>, columns: Range<Int>? = nil,
                          residual r: UnsafePointer<Float>? = nil, window: (stride: Int, first: Int)? = nil,
                          inputWindow: (stride: Int, first: Int)? = nil) {
        let all = columns ?? 0..<hw
        let tile = tileWidth(cin: cin, cout: cout)
        precondition(all.lowerBound % tile == 0 || all.isEmpty, "pointwise: columns must start on a tile")
        precondition(window == nil || r == nil, "pointwise: no residual into a window")
        let ldc = window?.stride ?? hw, first = window?.first ?? 0
        let ldb = inputWindow?.stride ?? hw, firstIn = inputWindow?.first ?? 0
        var p0 = all.lowerBound
        while p0 < all.upperBound {
            let n = min(tile, all.upperBound - p0)
            let yt = y + p0 - first
            for co in 0..<cout { (yt + co * ldc).initialize(repeating: bias[co], count: n) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(n), Int32(cin),
                        1, weight, Int32(cin), x + p0 - firstIn, Int32(ldb), 1, yt, Int32(ldc))
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
    ///
    /// With `window: (stride, first)` the cells go to cols[r·stride + p − first]
    /// instead (a window of columns).
    static func im2col(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int, kernel k: Int, stride s: Int,
                       padTop pt: Int, padLeft pl: Int, oh: Int, ow: Int, columns: Range<Int>,
                       into cols: UnsafeMutablePointer<Float>, window: (stride: Int, first: Int)? = nil) {
        // Sources/CConvKernels/im2col.c (stride 2 copied 16 at a time).
        segad_im2col(x, cin, h, w, k, s, pt, pl, oh, ow, columns.lowerBound, columns.upperBound, cols,
                     window?.stride ?? oh * ow, window?.first ?? 0)
    }


    /// x ← max(x, 0) elementwise.
    static func relu(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = max(p[i], 0) }
        }
    }
}
