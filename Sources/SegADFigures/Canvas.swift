// A tiny RGB raster for report figures: rectangles, lines, bitmap text and
// alpha blending. No plotting library; PNG encoding lives in SegADNative.

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

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    public static let gray = RGB(128, 128, 128)
    public static let lightGray = RGB(224, 224, 224)

    // Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"): hues
    // that stay distinct under the common forms of colour blindness.
    public static let okabeOrange = RGB(hex: 0xE69F00)
    public static let okabeSkyBlue = RGB(hex: 0x56B4E9)
    public static let okabeBluishGreen = RGB(hex: 0x009E73)
    public static let okabeYellow = RGB(hex: 0xF0E442)
    public static let okabeBlue = RGB(hex: 0x0072B2)
    public static let okabeVermillion = RGB(hex: 0xD55E00)
    public static let okabeReddishPurple = RGB(hex: 0xCC79A7)

    /// Colours of the four sample kinds in the SegAD figures.
    public static let good = okabeBlue
    public static let bad = okabeVermillion
    public static let unseen = okabeOrange
    public static let uncertain = okabeReddishPurple

    /// The Okabe–Ito colours in the order figures hand them out: the four
    /// sample kinds first, then the rest.
    public static let palette: [RGB] = [
        good, bad, unseen, uncertain, okabeSkyBlue, okabeBluishGreen, okabeYellow, black,
    ]
}

/// Viridis (matplotlib's perceptually uniform colormap) sampled at
/// t = 0, 1/8, …, 1; `heatColor` interpolates linearly between them, which
/// stays within a few levels of the full 256-entry table.
private let viridisStops: [RGB] = [
    RGB(hex: 0x440154), RGB(hex: 0x472D7B), RGB(hex: 0x3B528B), RGB(hex: 0x2C728E),
    RGB(hex: 0x21918C), RGB(hex: 0x28AE80), RGB(hex: 0x5EC962), RGB(hex: 0xADDC30),
    RGB(hex: 0xFDE725),
]

/// The viridis colour of `t` in [0, 1] (dark purple → yellow), for anomaly
/// maps. `t` outside [0, 1] is clamped; NaN maps to the low end.
///
/// - Complexity: O(1).
public func heatColor(_ t: Float) -> RGB {
    let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
    let position = clamped * Float(viridisStops.count - 1)
    let i = min(Int(position), viridisStops.count - 2)
    return viridisStops[i].mixed(with: viridisStops[i + 1], alpha: position - Float(i))
}

/// An RGB raster, row-major from the top-left corner. Drawing clips to the
/// canvas: coordinates outside it are ignored, never an error.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// Interleaved R, G, B bytes, `width · height · 3` of them, row-major.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
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
    /// corner at (x, y) — e.g. a `heatColor` anomaly map over an image.
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
}
