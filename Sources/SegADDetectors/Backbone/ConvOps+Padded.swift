internal import COpenBLAS

/// Convolutions and pooling with PyTorch's symmetric zero padding (the
/// torchvision ResNets), as opposed to the TF "SAME" padding of EfficientNet.
extension ConvOps {
    /// Output size of a k-wide window with stride s and symmetric padding p.
    @inline(__always)
    static func outSize(_ n: Int, kernel k: Int, stride s: Int, pad p: Int) -> Int { (n + 2 * p - k) / s + 1 }

    /// A dense k×k convolution, stride s, zero padding p on every side, via
    /// im2col and one sgemm; a 1×1 stride-1 unpadded convolution skips im2col.
    /// O(Cout·Cin·k²·oh·ow).
    static func conv(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int,
                     weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int,
                     kernel k: Int, stride s: Int, pad p: Int) -> (values: [Float], h: Int, w: Int) {
        let oh = outSize(h, kernel: k, stride: s, pad: p), ow = outSize(w, kernel: k, stride: s, pad: p)
        let ohw = oh * ow
        var y = [Float](repeating: 0, count: cout * ohw)
        if k == 1 && s == 1 && p == 0 {
            y.withUnsafeMutableBufferPointer { yp in
                pointwise(x, cin: cin, hw: h * w, weight: weight, bias: bias, cout: cout, into: yp.baseAddress!)
            }
            return (y, oh, ow)
        }
        y = im2colGEMM(x, cin: cin, h: h, w: w, weight: weight, bias: bias, cout: cout, kernel: k, stride: s,
                       padTop: p, padLeft: p, oh: oh, ow: ow)
        return (y, oh, ow)
    }

    /// k×k max pooling, stride s, padding p (padded cells never win), per channel.
    static func maxPool(_ x: [Float], channels: Int, h: Int, w: Int, kernel k: Int, stride s: Int, pad p: Int)
        -> (values: [Float], h: Int, w: Int) {
        let oh = outSize(h, kernel: k, stride: s, pad: p), ow = outSize(w, kernel: k, stride: s, pad: p)
        var y = [Float](repeating: -.infinity, count: channels * oh * ow)
        for c in 0..<channels {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var m = -Float.infinity
                    for ky in 0..<k {
                        let iy = oy * s + ky - p
                        if iy < 0 || iy >= h { continue }
                        for kx in 0..<k {
                            let ix = ox * s + kx - p
                            if ix < 0 || ix >= w { continue }
                            m = max(m, x[(c * h + iy) * w + ix])
                        }
                    }
                    y[(c * oh + oy) * ow + ox] = m
                }
            }
        }
        return (y, oh, ow)
    }
}
