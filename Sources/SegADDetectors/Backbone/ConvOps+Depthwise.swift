internal import CConvKernels

/// The depthwise convolution of the MBConv blocks, with both of its ReLU6s
/// fused in: y[c] = relu6(b[c] + Σ_{ky,kx} w[c,ky,kx]·relu6(x[c])[oy·s+ky−pt, ox·s+kx−pl]),
/// zero outside the input (TF "SAME" padding), relu6(v) = min(max(v, 0), 6).
///
/// The kernel is C (Sources/CConvKernels/depthwise.c), compiled for
/// AVX-512, AVX2 and plain x86-64 from one source; the loader picks the
/// best the CPU has. Per channel the clamped input is first copied into a
/// zero-padded plane, split by column phase for stride 2 (even and odd
/// padded columns side by side), so that every tap of every output row is
/// a contiguous unaligned load with no bounds test. Blocks of 4 output rows
/// × 16 columns then accumulate their taps from the bias in the order ky, kx
/// with a separate multiply and add (built without contraction into fused
/// multiply-adds), so every instruction set gives the same bits, equal to
/// the tap-by-tap definition (a tap outside the input adds w·0 = ±0, which
/// changes nothing but possibly the sign of a zero).
extension ConvOps {
    static let depthwiseBlockColumns = Int(SEGAD_DW_BLOCK_COLUMNS)
    static let depthwiseBlockRows = Int(SEGAD_DW_BLOCK_ROWS)

    /// The instruction set the depthwise kernel runs with here: "x86-64-v4",
    /// "x86-64-v3" or "default".
    static var depthwiseInstructionSet: String { String(cString: segad_depthwise_isa()) }

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
            precondition(k == 3 || k == 5, "depthwise: kernel 3 or 5")
            kernel = k; stride = s; self.h = h; self.w = w
            (oh, padTop) = ConvOps.same(h, kernel: k, stride: s)
            (ow, padLeft) = ConvOps.same(w, kernel: k, stride: s)
            let bc = ConvOps.depthwiseBlockColumns, br = ConvOps.depthwiseBlockRows
            phaseLength = (ow + bc - 1) / bc * bc + (k - 1) / s
            rows = ((oh + br - 1) / br * br - 1) * s + k
        }

        /// Floats of scratch one call needs (`segad_dw_scratch`).
        var count: Int {
            var plane = cPlane
            return segad_dw_scratch(&plane)
        }

        var cPlane: segad_dw_plane {
            segad_dw_plane(kernel: kernel, stride: stride, h: h, w: w, oh: oh, ow: ow,
                           pad_top: padTop, pad_left: padLeft, phase_length: phaseLength, rows: rows)
        }
    }

    /// Runs the fused depthwise convolution on channels `channels` and output
    /// rows `rows` (all by default) of the C×oh×ow output `y`, only those
    /// written. The input is the whole C×h×w tensor `x`, or a window of it:
    /// with `window: (stride, firstRow)`, input row i of channel c is read
    /// at x + c·stride + (i − firstRow)·w, and the window must hold every
    /// input row the output rows read. `scratch` holds `plane.count` floats
    /// and is overwritten. O(|channels|·(k²·|rows|·ow + rows read·w)).
    static func depthwiseReLU6(_ x: UnsafePointer<Float>, plane g: DepthwisePlane, channels: Range<Int>,
                               rows: Range<Int>? = nil, window: (stride: Int, firstRow: Int)? = nil,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        var plane = g.cPlane
        let rows = rows ?? 0..<g.oh
        segad_depthwise_relu6(x, window?.firstRow ?? 0, window?.stride ?? g.h * g.w, &plane,
                              channels.lowerBound, channels.upperBound, rows.lowerBound, rows.upperBound,
                              weight, bias, y, scratch)
    }
}
