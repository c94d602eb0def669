import Foundation

public enum ImageOps {
    /// Sobel gradient magnitude √(gx² + gy²) of an H×W image, with the
    /// 3×3 kernels [1 0 −1; 2 0 −2; 1 0 −1]/8 (and its transpose) and edge
    /// pixels replicated at the border (the division by 8 makes a unit step
    /// give magnitude ½).
    ///
    /// - Complexity: O(H·W).
    public static func sobelMagnitude(_ x: [Float], height h: Int, width w: Int) -> [Float] {
        precondition(x.count == h * w)
        var out = [Float](repeating: 0, count: h * w)
        @inline(__always) func at(_ y: Int, _ xx: Int) -> Float {
            x[min(max(y, 0), h - 1) * w + min(max(xx, 0), w - 1)]
        }
        for y in 0..<h {
            for xx in 0..<w {
                let gx = (at(y - 1, xx + 1) + 2 * at(y, xx + 1) + at(y + 1, xx + 1))
                    - (at(y - 1, xx - 1) + 2 * at(y, xx - 1) + at(y + 1, xx - 1))
                let gy = (at(y + 1, xx - 1) + 2 * at(y + 1, xx) + at(y + 1, xx + 1))
                    - (at(y - 1, xx - 1) + 2 * at(y - 1, xx) + at(y - 1, xx + 1))
                out[y * w + xx] = (gx * gx + gy * gy).squareRoot() / 8
            }
        }
        return out
    }

    /// Gaussian blur with reflect padding (`MapOps.gaussianBlur`); σ ≤ 0
    /// returns the input.
    public static func blur(_ x: [Float], height h: Int, width w: Int, sigma: Float) -> [Float] {
        sigma > 0 ? MapOps.gaussianBlur(x, height: h, width: w, sigma: sigma) : x
    }
}
