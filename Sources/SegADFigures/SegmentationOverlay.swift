import Foundation
import SegADNative

/// The figure of a derived segmentation: segment colours blended over a
/// good image, segment borders drawn in `Palette.segmentOutline`, and a
/// legend with each segment's share of the pixels.
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

    /// Renders panels side by side (each H×W image enlarged by an integer
    /// factor to at least 320 px), a title above and a legend below. Title,
    /// captions and legend wrap to the figure's width (at least 240 px), so
    /// nothing is cut on narrow images; legend entries flow left to right in
    /// rows, and an entry wider than the figure wraps its own text.
    public static func render(title: String, panels: [Panel], height h: Int, width w: Int, segments: Int,
                              counts: [Int], alpha: Float = Palette.segmentAlpha) -> Canvas {
        let scale = max(1, (320 + max(h, w) - 1) / max(h, w))
        let (ph, pw) = (h * scale, w * scale)
        let margin = 12
        let text = 2    // font scale
        let line = BitmapFont.lineHeight * text
        let width = max(margin + panels.count * (pw + margin), 240)
        let inner = width - 2 * margin
        let titleLines = BitmapFont.wrap(title, width: inner, scale: text)
        let captions = panels.map { BitmapFont.wrap($0.caption, width: max(pw, line), scale: text) }
        let captionLines = captions.map(\.count).max() ?? 0
        let legend = legendLayout(segments: segments, counts: counts, width: inner, scale: text)
        let legendHeight = legend.map { $0.y + $0.lines.count * line }.max() ?? 0
        let top = margin + titleLines.count * line + 6
        let legendTop = top + ph + 4 + captionLines * line + 8
        let height = legendTop + legendHeight + margin
        var canvas = Canvas(width: width, height: height)
        for (i, t) in titleLines.enumerated() {
            canvas.drawText(t, x: margin, y: margin + i * line, color: Palette.black, scale: text)
        }
        for (p, panel) in panels.enumerated() {
            let left = margin + p * (pw + margin)
            let colors = (0..<(h * w)).map { i in
                let gray = RGB(gray: panel.gray[i])
                return panel.labels.map { gray.mixed(with: Palette.segment(Int($0[i])), alpha: alpha) } ?? gray
            }
            canvas.drawMagnified(colors, height: h, width: w, scale: scale, x: left, y: top, outlines: panel.labels)
            for (i, c) in captions[p].enumerated() {
                canvas.drawText(c, x: left, y: top + ph + 4 + i * line, color: Palette.black, scale: text)
            }
        }
        for entry in legend {
            canvas.fillRect(x: margin + entry.x, y: legendTop + entry.y, width: 7 * text, height: 7 * text,
                            color: Palette.segment(entry.segment))
            for (i, l) in entry.lines.enumerated() {
                canvas.drawText(l, x: margin + entry.x + 10 * text, y: legendTop + entry.y + i * line,
                                color: Palette.black, scale: text)
            }
        }
        return canvas
    }

    /// One legend entry placed at (x, y) from the legend's top-left corner.
    struct LegendEntry: Equatable {
        var segment: Int
        var x: Int
        var y: Int
        var lines: [String]
    }

    /// The legend's entries (`segment l: share%`) flowed into rows at most
    /// `width` pixels wide: colour box, then the text, 24 px (at scale 2)
    /// between entries; an entry wider than a row wraps its text.
    static func legendLayout(segments: Int, counts: [Int], width: Int, scale: Int) -> [LegendEntry] {
        let total = max(counts.reduce(0, +), 1)
        let boxW = 10 * scale, gap = 12 * scale, line = BitmapFont.lineHeight * scale
        var entries: [LegendEntry] = []
        var x = 0, y = 0, rowLines = 1
        for l in 0..<max(segments, 0) {
            let share = 100 * Double(l < counts.count ? counts[l] : 0) / Double(total)
            let label = "segment \(l): \(String(format: "%.1f", share))%"
            var lines = [label]
            var w = boxW + BitmapFont.size(of: label, scale: scale).width
            if x > 0 && x + w > width {
                x = 0; y += rowLines * line + 4; rowLines = 1
            }
            if x == 0 && w > width {
                lines = BitmapFont.wrap(label, width: max(width - boxW, 1), scale: scale)
                w = boxW + (lines.map { BitmapFont.size(of: $0, scale: scale).width }.max() ?? 0)
            }
            entries.append(LegendEntry(segment: l, x: x, y: y, lines: lines))
            rowLines = max(rowLines, lines.count)
            x += w + gap
        }
        return entries
    }
}
