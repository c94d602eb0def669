/// The depthwise convolution of the MBConv blocks, with both of its ReLU6s
/// fused in: y[c] = relu6(b[c] + Σ_{ky,kx} w[c,ky,kx]·relu6(x[c])[oy·s+ky−pt, ox·s+kx−pl]),
/// zero outside the input (TF "SAME" padding), relu6(v) = min(max(v, 0), 6).
///
/// Per channel the clamped input is first copied into a zero-padded plane,
/// split by column phase for stride 2 (even and odd padded columns side by
/// side), so that every tap of every output row is a contiguous unaligned
/// load with no bounds test. Each output then accumulates its taps from the
/// bias in the order ky, kx — the order of the tap-by-tap loop this replaced,
/// with the same separate multiply and add, so the values are the same bit
/// for bit (a tap outside the input now adds w·0 = ±0, which changes nothing
/// but possibly the sign of a zero).
extension ConvOps {
    /// Output lanes computed together: two 8-wide vectors on each of two
    /// output rows, eight independent accumulation chains of four floats.
    static let depthwiseBlockColumns = 16
    static let depthwiseBlockRows = 2

    /// The geometry of one channel's padded plane for a depthwise convolution.
    struct DepthwisePlane {
        let kernel: Int, stride: Int
        let h: Int, w: Int, oh: Int, ow: Int, padTop: Int, padLeft: Int
        /// Floats in one phase of a padded row: enough for the last block of
        /// output columns at the rightmost tap.
        let phaseLength: Int
        /// Padded rows: enough for the last block of output rows at the lowest tap.
        let rows: Int

        init(h: Int, w: Int, kernel k: Int, stride s: Int) {
            precondition(s == 1 || s == 2, "depthwise: stride 1 or 2")
            kernel = k; stride = s; self.h = h; self.w = w
            (oh, padTop) = ConvOps.same(h, kernel: k, stride: s)
            (ow, padLeft) = ConvOps.same(w, kernel: k, stride: s)
            let bc = ConvOps.depthwiseBlockColumns, br = ConvOps.depthwiseBlockRows
            phaseLength = (ow + bc - 1) / bc * bc + (k - 1) / s
            rows = ((oh + br - 1) / br * br - 1) * s + k
        }

        /// Floats of scratch one channel needs.
        var count: Int { rows * stride * phaseLength }
    }

    /// Runs the fused depthwise convolution on channels `channels` of the
    /// C×h×w input `x` into the C×oh×ow output `y` (both whole tensors;
    /// only the listed channels are read and written). `scratch` holds
    /// `plane.count` floats and is overwritten. O(|channels|·(k²·oh·ow + h·w)).
    static func depthwiseReLU6(_ x: UnsafePointer<Float>, plane g: DepthwisePlane, channels: Range<Int>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        // A constant kernel and stride (one specialization each) let the tap
        // loops unroll.
        switch (g.kernel, g.stride) {
        case (3, 1): depthwiseReLU6(x, g, channels, weight, bias, y, scratch, K3.self, S1.self)
        case (3, 2): depthwiseReLU6(x, g, channels, weight, bias, y, scratch, K3.self, S2.self)
        case (5, 1): depthwiseReLU6(x, g, channels, weight, bias, y, scratch, K5.self, S1.self)
        case (5, 2): depthwiseReLU6(x, g, channels, weight, bias, y, scratch, K5.self, S2.self)
        default: preconditionFailure("depthwise: kernel 3 or 5, stride 1 or 2")
        }
    }

    /// The kernel for one kernel size K and stride S (see above).
    static func depthwiseReLU6<K: ConstantInt, S: ConstantInt>(
        _ x: UnsafePointer<Float>, _ g: DepthwisePlane, _ channels: Range<Int>,
        _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, _ scratch: UnsafeMutablePointer<Float>, _: K.Type, _: S.Type) {
        let k = K.value, s = S.value
        let lh = g.phaseLength, rowLength = s * lh
        for c in channels {
            fillPlane(x + c * g.h * g.w, plane: g, into: scratch, s: s)
            let wc = weight + c * k * k
            let b = SIMD8<Float>(repeating: bias[c])
            let out = y + c * g.oh * g.ow
            var oy = 0
            while oy < g.oh {
                var ox = 0
                while ox < g.ow {
                    var a00 = b, a01 = b, a10 = b, a11 = b
                    for ky in 0..<k {
                        let r0 = scratch + (oy * s + ky) * rowLength + ox
                        let r1 = r0 + s * rowLength
                        for kx in 0..<k {
                            let wv = SIMD8<Float>(repeating: wc[ky * k + kx])
                            let t = (kx % s) * lh + kx / s
                            a00 += wv * load8(r0 + t)
                            a01 += wv * load8(r0 + t + 8)
                            a10 += wv * load8(r1 + t)
                            a11 += wv * load8(r1 + t + 8)
                        }
                    }
                    let n = min(16, g.ow - ox)
                    store(a00, a01, count: n, to: out + oy * g.ow + ox)
                    if oy + 1 < g.oh { store(a10, a11, count: n, to: out + (oy + 1) * g.ow + ox) }
                    ox += 16
                }
                // The output ReLU6 on the rows just written, still in L1.
                let rows = out + oy * g.ow
                for i in 0..<(min(2, g.oh - oy) * g.ow) { rows[i] = min(max(rows[i], 0), 6) }
                oy += 2
            }
        }
    }

    /// Copies relu6 of one h×w channel into the zero-padded plane:
    /// plane[(r·s + p)·L + j] = relu6(x[r − pt, j·s + p − pl]), 0 outside.
    /// O(rows·s·L).
    @inline(__always)
    static func fillPlane(_ x: UnsafePointer<Float>, plane g: DepthwisePlane, into dst: UnsafeMutablePointer<Float>,
                          s: Int) {
        let lh = g.phaseLength
        // Padded rows r with 0 ≤ r − pt < h hold input rows; the rest are zero.
        let r0 = min(g.rows, g.padTop), r1 = min(g.rows, g.padTop + g.h)
        dst.initialize(repeating: 0, count: r0 * s * lh)
        (dst + r1 * s * lh).initialize(repeating: 0, count: (g.rows - r1) * s * lh)
        for p in 0..<s {
            // Columns j with 0 ≤ j·s + p − pl < w.
            let j0 = min(lh, max(0, ceilDiv(g.padLeft - p, s)))
            let j1 = max(j0, min(lh, floorDiv(g.w - 1 + g.padLeft - p, s) + 1))
            for r in r0..<r1 {
                let row = dst + (r * s + p) * lh
                // With s constant the compiler vectorizes this (for s = 2
                // with a shuffle of two loads).
                let src = x + (r - g.padTop) * g.w + p - g.padLeft
                for j in 0..<j0 { row[j] = 0 }
                for j in j0..<j1 { row[j] = min(max(src[j * s], 0), 6) }
                for j in j1..<lh { row[j] = 0 }
            }
        }
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores the first `count` (≤ 16) lanes of (lo, hi) at `p`.
    @inline(__always) static func store(_ lo: SIMD8<Float>, _ hi: SIMD8<Float>, count: Int, to p: UnsafeMutablePointer<Float>) {
        if count == 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: lo, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(p + 8).storeBytes(of: hi, as: SIMD8<Float>.self)
        } else {
            for i in 0..<min(count, 8) { p[i] = lo[i] }
            for i in 8..<max(count, 8) { p[i] = hi[i - 8] }
        }
    }
}

/// An integer known at compile time, for the specializations of the depthwise kernel.
protocol ConstantInt { static var value: Int { get } }
enum K3: ConstantInt { static var value: Int { 3 } }
enum K5: ConstantInt { static var value: Int { 5 } }
enum S1: ConstantInt { static var value: Int { 1 } }
enum S2: ConstantInt { static var value: Int { 2 } }

