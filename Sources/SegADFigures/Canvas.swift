// A tiny RGB raster for report figures: rectangles, lines, bitmap text,
// enlarged rasters with segment outlines and alpha blending. No plotting
// library; PNG encoding lives in SegADNative, the colours in `Palette`.
import SegADNative

/// An 8-bit sRGB colour.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// A colour from a 24-bit hex literal: `RGB(hex: 0x0072B2)`.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    public var description: String {
        let hex = (UInt32(r) << 16) | (UInt32(g) << 8) | UInt32(b)
        let digits = String(hex, radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// `self` painted over with `top` at opacity `alpha` (0 keeps `self`,
    /// 1 gives `top`): `c = (1 − α)·self + α·top` per channel, rounded.
    public func mixed(with top: RGB, alpha: Float) -> RGB {
        let a = min(max(alpha.isNaN ? 0 : alpha, 0), 1)
        func mix(_ u: UInt8, _ v: UInt8) -> UInt8 {
            UInt8((Float(u) * (1 - a) + Float(v) * a).rounded())
        }
        return RGB(mix(r, top.r), mix(g, top.g), mix(b, top.b))
    }

    /// The gray of intensity `v` in [0, 1]: each channel `v · 255`, rounded
    /// and clamped to 0…255.
    public init(gray v: Float) {
        let g = UInt8(max(0, min(255, (v * 255).rounded())))
        self.init(g, g, g)
    }
}

/// An RGB raster, row-major from the top-left corner. Drawing clips to the
/// canvas: coordinates outside it are ignored, never an error.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// Interleaved R, G, B bytes, `width · height · 3` of them, row-major.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = Palette.white) {
        precondition(width >= 0 && height >= 0, "Canvas: negative size \(width)×\(height)")
        self.width = width
        self.height = height
        var row = [UInt8]()
        row.reserveCapacity(width * 3)
        for _ in 0..<width { row += [background.r, background.g, background.b] }
        pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for _ in 0..<height { pixels += row }
    }

    /// Whether (x, y) lies on the canvas.
    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// The colour at (x, y), which must lie on the canvas.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            precondition(contains(x: x, y: y), "Canvas: (\(x), \(y)) outside \(width)×\(height)")
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(contains(x: x, y: y), "Canvas: (\(x), \(y)) outside \(width)×\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// Sets one pixel; off-canvas is ignored.
    public mutating func setPixel(x: Int, y: Int, _ color: RGB) {
        guard contains(x: x, y: y) else { return }
        self[x, y] = color
    }

    /// Paints `color` over one pixel at opacity `alpha`; off-canvas is ignored.
    public mutating func blend(x: Int, y: Int, _ color: RGB, alpha: Float) {
        guard contains(x: x, y: y) else { return }
        self[x, y] = self[x, y].mixed(with: color, alpha: alpha)
    }

    /// Paints `overlay` over this canvas at opacity `alpha`, its top-left
    /// corner at (x, y) — e.g. a `Palette.heat` anomaly map over an image.
    public mutating func blend(_ overlay: Canvas, alpha: Float, x: Int = 0, y: Int = 0) {
        for oy in 0..<overlay.height {
            for ox in 0..<overlay.width {
                blend(x: x + ox, y: y + oy, overlay[ox, oy], alpha: alpha)
            }
        }
    }

    /// Fills the rectangle [x, x + width) × [y, y + height), painted at
    /// opacity `alpha` (1 replaces the pixels).
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGB,
                                  alpha: Float = 1) {
        let x0 = max(x, 0), x1 = min(x + w, width)
        let y0 = max(y, 0), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for py in y0..<y1 {
            for px in x0..<x1 {
                if alpha >= 1 { self[px, py] = color } else { blend(x: px, y: py, color, alpha: alpha) }
            }
        }
    }

    /// Draws the one-pixel border of [x, x + width) × [y, y + height).
    public mutating func drawRectOutline(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        guard w > 0, h > 0 else { return }
        fillRect(x: x, y: y, width: w, height: 1, color: color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color: color)
        fillRect(x: x, y: y, width: 1, height: h, color: color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color: color)
    }

    /// Draws a one-pixel line from (x0, y0) to (x1, y1), both ends included
    /// (Bresenham's integer algorithm, all octants).
    ///
    /// - Complexity: O(max(|x1 − x0|, |y1 − y0|)).
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, color: RGB) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        var x = x0, y = y0
        while true {
            setPixel(x: x, y: y, color)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Draws `text` in the built-in `BitmapFont`, the top-left corner of its
    /// first cell at (x, y), each font pixel a `scale`×`scale` square. "\n"
    /// starts a new line; characters the font lacks are drawn as "?".
    /// `BitmapFont.size(of:scale:)` gives the box the text occupies.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGB, scale: Int = 1) {
        let s = max(scale, 1)
        BitmapFont.forEachPixel(of: text) { gx, gy in
            fillRect(x: x + gx * s, y: y + gy * s, width: s, height: s, color: color)
        }
    }

    /// Draws `text` turned 90° anticlockwise (reading bottom to top), as for
    /// a y-axis label. (x, y) is the top-left corner of the turned box, whose
    /// size is `BitmapFont.size(of:scale:)` with width and height swapped.
    public mutating func drawTextRotated(_ text: String, x: Int, y: Int, color: RGB, scale: Int = 1) {
        let s = max(scale, 1)
        let textWidth = BitmapFont.size(of: text, scale: 1).width
        BitmapFont.forEachPixel(of: text) { gx, gy in
            fillRect(x: x + gy * s, y: y + (textWidth - 1 - gx) * s, width: s, height: s, color: color)
        }
    }

    /// Draws a `height`×`width` raster of `colors` (row-major) enlarged
    /// `scale` times, each raster pixel a `scale`×`scale` square, its
    /// top-left corner at (x, y); clipped to the canvas. With `outlines` (a
    /// label per raster pixel), the borders between segments are drawn one
    /// canvas pixel wide in `Palette.segmentOutline`: the last column of a
    /// raster pixel whose right neighbour has another label, and the last
    /// row of one whose lower neighbour has another label.
    ///
    /// - Complexity: O(height · width · scale²).
    public mutating func drawMagnified(_ colors: [RGB], height h: Int, width w: Int, scale: Int, x: Int, y: Int,
                                       outlines labels: [Int32]? = nil) {
        precondition(colors.count == h * w && (labels?.count ?? h * w) == h * w,
                     "Canvas.drawMagnified: \(colors.count) colours, \(labels?.count ?? 0) labels for \(h)×\(w)")
        let m = max(scale, 1)
        let x0 = max(x, 0), x1 = min(x + w * m, width)
        let y0 = max(y, 0), y1 = min(y + h * m, height)
        guard x0 < x1, y0 < y1 else { return }
        let edge = Palette.segmentOutline, canvasWidth = width
        pixels.withUnsafeMutableBufferPointer { px in
            for cy in y0..<y1 {
                let ry = cy - y, sy = ry / m
                let lastRow = ry % m == m - 1 && sy + 1 < h
                var o = (cy * canvasWidth + x0) * 3
                for cx in x0..<x1 {
                    let rx = cx - x, sx = rx / m, i = sy * w + sx
                    var c = colors[i]
                    if let labels, (rx % m == m - 1 && sx + 1 < w && labels[i] != labels[i + 1])
                        || (lastRow && labels[i] != labels[i + w]) {
                        c = edge
                    }
                    px[o] = c.r; px[o + 1] = c.g; px[o + 2] = c.b
                    o += 3
                }
            }
        }
    }

    /// Writes the canvas as an 8-bit RGB PNG at `path`.
    /// `fast`: see `PNG.writeRGB8`.
    public func writePNG(path: String, fast: Bool = false) throws {
        try PNG.writeRGB8(path: path, width: width, height: height, pixels: pixels, fast: fast)
    }
}
