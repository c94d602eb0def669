// The colours of every SegAD figure: the report's histograms, the derived
// segmentation figure, the ELPV label-map figure and score-new's overlay.

/// The one palette of the figures: named colours, the colours of the four
/// sample kinds, the order series and segments get their colours in, and the
/// viridis scale of anomaly maps. Figures take every colour from here, so a
/// segment or a sample kind has the same colour in every figure.
///
/// The hues are Okabe & Ito's (2008, "Color Universal Design"), which stay
/// distinct under the common forms of colour blindness.
public enum Palette {
    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    public static let gray = RGB(128, 128, 128)
    public static let lightGray = RGB(224, 224, 224)

    public static let orange = RGB(hex: 0xE69F00)
    public static let skyBlue = RGB(hex: 0x56B4E9)
    public static let bluishGreen = RGB(hex: 0x009E73)
    public static let yellow = RGB(hex: 0xF0E442)
    public static let blue = RGB(hex: 0x0072B2)
    public static let vermillion = RGB(hex: 0xD55E00)
    public static let reddishPurple = RGB(hex: 0xCC79A7)

    /// Colours of the four sample kinds (histograms, score-new's decision).
    public static let good = blue
    public static let bad = vermillion
    public static let unseen = orange
    public static let uncertain = reddishPurple

    /// The colours histogram series get, in order: the four sample kinds
    /// first, then the rest.
    public static let series: [RGB] = [good, bad, unseen, uncertain, skyBlue, bluishGreen, yellow, black]

    /// The first segment colours: the Okabe–Ito hues without black.
    static let segmentBase: [RGB] = [blue, orange, bluishGreen, vermillion, skyBlue, yellow, reddishPurple]

    /// The colour of segment `l` (label maps count from 0): the Okabe–Ito
    /// hues, then hues 97° apart at 86% value, each label its own colour.
    public static func segment(_ l: Int) -> RGB {
        if l >= 0 && l < segmentBase.count { return segmentBase[l] }
        let hue = Float(abs(l - segmentBase.count) * 97 % 360) / 60
        let x = 1 - abs(hue.truncatingRemainder(dividingBy: 2) - 1)
        let (r, g, b): (Float, Float, Float) = switch Int(hue) {
        case 0: (1, x, 0)
        case 1: (x, 1, 0)
        case 2: (0, 1, x)
        case 3: (0, x, 1)
        case 4: (x, 0, 1)
        default: (1, 0, x)
        }
        return RGB(UInt8(r * 220), UInt8(g * 220), UInt8(b * 220))
    }

    /// Opacity of segment colours blended over an image.
    public static let segmentAlpha: Float = 0.45
    /// Colour of the one-pixel borders between segments.
    public static let segmentOutline = white

    /// Viridis (matplotlib's perceptually uniform colormap) sampled at
    /// t = 0, 1/8, …, 1; `heat` interpolates linearly between them, which
    /// stays within a few levels of the full 256-entry table.
    static let viridisStops: [RGB] = [
        RGB(hex: 0x440154), RGB(hex: 0x472D7B), RGB(hex: 0x3B528B), RGB(hex: 0x2C728E),
        RGB(hex: 0x21918C), RGB(hex: 0x28AE80), RGB(hex: 0x5EC962), RGB(hex: 0xADDC30),
        RGB(hex: 0xFDE725),
    ]

    /// The viridis colour of `t` in [0, 1] (dark purple → yellow), for anomaly
    /// maps. `t` outside [0, 1] is clamped; NaN maps to the low end.
    ///
    /// - Complexity: O(1).
    public static func heat(_ t: Float) -> RGB {
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Float(viridisStops.count - 1)
        let i = min(Int(position), viridisStops.count - 2)
        return viridisStops[i].mixed(with: viridisStops[i + 1], alpha: position - Float(i))
    }
}
