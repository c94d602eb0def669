import Foundation
import SegADNative

/// The figure of a derived segmentation: segment colours blended over a
/// good image, segment borders drawn in white, and a legend with each
/// segment's share of the pixels.
public enum SegmentationOverlay {
    /// One panel: a gray image (H×W in [0, 1]) and, optionally, labels to overlay.
    public struct Panel {
        public var gray: [Float]
        public var labels: [Int32]?
        public var caption: String
        public init(gray: [Float], labels: [Int32]?, caption: String) {
            self.gray = gray; self.labels = labels; self.caption = caption
        }
    }

    /// The colour of segment `l`: the Okabe–Ito colours (without black),
    /// then evenly spaced hues.
    public static func colour(_ l: Int) -> RGB {
        let base: [RGB] = [.okabeBlue, .okabeOrange, .okabeBluishGreen, .okabeVermillion,
                           .okabeSkyBlue, .okabeYellow, .okabeReddishPurple]
        if l < base.count { return base[l] }
        let hue = Float((l - base.count) * 97 % 360) / 60
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

    /// Renders panels side by side (each H×W image enlarged by an integer
    /// factor to at least 320 px), a title above and a legend below.
    public static func render(title: String, panels: [Panel], height h: Int, width w: Int, segments: Int,
                              counts: [Int], alpha: Float = 0.45) -> Canvas {
        let scale = max(1, (320 + max(h, w) - 1) / max(h, w))
        let (ph, pw) = (h * scale, w * scale)
        let margin = 12
        let text = 2    // font scale
        let line = BitmapFont.lineHeight * text
        let legendColumns = max(1, min(segments, (panels.count * (pw + margin)) / 180))
        let legendRows = (segments + legendColumns - 1) / legendColumns
        let width = margin + panels.count * (pw + margin)
        let height = margin + line + 6 + ph + 4 + line + 8 + legendRows * (line + 4) + margin
        var canvas = Canvas(width: width, height: height)
        canvas.drawText(Histogram.shortened(title, toWidth: (width - 2 * margin) / text), x: margin, y: margin, color: .black, scale: text)
        let top = margin + line + 6
        let total = max(counts.reduce(0, +), 1)
        for (p, panel) in panels.enumerated() {
            let left = margin + p * (pw + margin)
            for y in 0..<ph {
                for x in 0..<pw {
                    let sy = y / scale, sx = x / scale
                    let v = UInt8(min(max(panel.gray[sy * w + sx], 0), 1) * 255 + 0.5)
                    var c = RGB(v, v, v)
                    if let labels = panel.labels {
                        let l = labels[sy * w + sx]
                        c = c.mixed(with: colour(Int(l)), alpha: alpha)
                        let rx = min((x + 1) / scale, w - 1), by = min((y + 1) / scale, h - 1)
                        if labels[sy * w + rx] != l || labels[by * w + sx] != l { c = .white }
                    }
                    canvas[left + x, top + y] = c
                }
            }
            canvas.drawText(Histogram.shortened(panel.caption, toWidth: pw / text), x: left, y: top + ph + 4, color: .black, scale: text)
        }
        let legendTop = top + ph + 4 + line + 8
        let columnWidth = (width - margin) / legendColumns
        for l in 0..<segments {
            let x = margin + (l % legendColumns) * columnWidth
            let y = legendTop + (l / legendColumns) * (line + 4)
            canvas.fillRect(x: x, y: y, width: 7 * text, height: 7 * text, color: colour(l))
            let share = 100 * Double(l < counts.count ? counts[l] : 0) / Double(total)
            canvas.drawText("segment \(l): \(String(format: "%.1f", share))%", x: x + 10 * text, y: y, color: .black, scale: text)
        }
        return canvas
    }
}
