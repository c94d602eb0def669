/// A labelled scatter plot: one point per named (x, y), e.g. accuracy
/// against cost per image (docs/size-auto.md). Axis ranges come from the
/// finite points with a small margin; non-finite points are left out.
public enum Scatter {
    public struct Point: Sendable {
        public var name: String
        public var x: Double
        public var y: Double
        /// Drawn larger and in the highlight colour (the chosen one).
        public var highlighted: Bool
        public init(name: String, x: Double, y: Double, highlighted: Bool = false) {
            self.name = name; self.x = x; self.y = y; self.highlighted = highlighted
        }
    }

    public static func render(title: String, xLabel: String, yLabel: String, points: [Point],
                              width: Int = 560, height: Int = 360) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let left = 56, right = 16, top = 28, bottom = 40
        let plotW = width - left - right, plotH = height - top - bottom
        canvas.drawText(title, x: left, y: 8, color: Palette.black)
        canvas.drawRectOutline(x: left, y: top, width: plotW, height: plotH, color: Palette.gray)
        let kept = points.filter { $0.x.isFinite && $0.y.isFinite }
        func range(_ v: [Double]) -> (Double, Double) {
            var lo = v.min() ?? 0, hi = v.max() ?? 1
            if lo == hi { lo -= lo == 0 ? 0.5 : abs(lo) * 0.1; hi += hi == 0 ? 0.5 : abs(hi) * 0.1 }
            let pad = (hi - lo) * 0.08
            return (lo - pad, hi + pad)
        }
        let (x0, x1) = range(kept.map(\.x)), (y0, y1) = range(kept.map(\.y))
        func px(_ x: Double) -> Int { left + Int((x - x0) / (x1 - x0) * Double(plotW - 1)) }
        func py(_ y: Double) -> Int { top + plotH - 1 - Int((y - y0) / (y1 - y0) * Double(plotH - 1)) }
        for (v, at) in [(x0, px(x0)), (x1, px(x1))] {
            canvas.drawText(Histogram.compact(v, digits: 3), x: max(0, at - 8), y: top + plotH + 6, color: Palette.black)
        }
        for (v, at) in [(y0, py(y0)), (y1, py(y1))] {
            canvas.drawText(Histogram.compact(v, digits: 4), x: 14, y: max(0, at - 4), color: Palette.black)
        }
        canvas.drawText(xLabel, x: left + plotW / 2 - xLabel.count * 3, y: height - 14, color: Palette.black)
        canvas.drawTextRotated(yLabel, x: 2, y: top + plotH / 2 + yLabel.count * 3, color: Palette.black)
        for p in kept.sorted(by: { !$0.highlighted && $1.highlighted }) {
            let (cx, cy) = (px(p.x), py(p.y)), r = p.highlighted ? 4 : 2
            canvas.fillRect(x: cx - r, y: cy - r, width: 2 * r + 1, height: 2 * r + 1,
                            color: p.highlighted ? Palette.vermillion : Palette.blue)
            let textWidth = BitmapFont.size(of: p.name, scale: 1).width
            canvas.drawText(p.name, x: cx + 6 + textWidth < width - 1 ? cx + 6 : max(0, cx - 6 - textWidth), y: cy - 3,
                            color: p.highlighted ? Palette.vermillion : Palette.black)
        }
        return canvas
    }
}
