// Fig. 6 of the SegAD paper: overlaid density histograms of anomaly scores,
// one per sample kind (good, bad, unseen, uncertain), drawn on a `Canvas`.
import Foundation
import SegADNative

/// Overlaid, semi-transparent density histograms of scores per series.
///
/// All series share one set of `bins` equal bins over the pooled range of
/// their finite values; each is normalised to a density (count / (n · bin
/// width), so its bars have area 1) and a handful of samples stays visible
/// beside thousands. Non-finite values (NaN, ±∞) are skipped and counted in
/// the legend; series with no finite value are left out.
///
///     let canvas = Histogram.render(title: "bottle: BRF scores",
///                                   series: [("good", good), ("bad", bad)])
///     try Histogram.write(path: "fig6.png", title: "…", series: …)
public enum Histogram {
    /// Opacity of the bar fills; each series' outline is drawn opaque on top.
    public static let fillAlpha: Float = 0.45

    /// The shared binning of some series: the edges `lo + i · (hi − lo) /
    /// bins` and, per kept series, its densities, finite count and the count
    /// of skipped non-finite values.
    public struct Binned: Equatable, Sendable {
        public var lo: Double
        public var hi: Double
        public var names: [String]
        public var densities: [[Double]]
        public var counts: [Int]
        public var skipped: [Int]
    }

    /// Bins `series` over their pooled finite range. When all finite values
    /// are equal the range is widened around them (by 10 % of the value, or
    /// ±0.5 at zero); with no finite value at all it is [0, 1].
    ///
    /// - Complexity: O(total values + series · bins).
    public static func bin(series: [(name: String, values: [Double])], bins: Int) -> Binned {
        let bins = max(bins, 1)
        var kept: [(name: String, values: [Double], skipped: Int)] = []
        for (name, values) in series {
            let finite = values.filter(\.isFinite)
            if !finite.isEmpty { kept.append((name, finite, values.count - finite.count)) }
        }
        var lo = kept.lazy.flatMap(\.values).min() ?? 0
        var hi = kept.lazy.flatMap(\.values).max() ?? 1
        if lo == hi {
            let half = lo == 0 ? 0.5 : abs(lo) * 0.1
            lo -= half
            hi += half
        }
        let span = hi - lo, binWidth = span / Double(bins)
        var densities: [[Double]] = []
        for s in kept {
            var counts = [Int](repeating: 0, count: bins)
            for v in s.values {
                counts[min(max(Int((v - lo) / span * Double(bins)), 0), bins - 1)] += 1
            }
            let scale = 1 / (Double(s.values.count) * binWidth)
            densities.append(counts.map { Double($0) * scale })
        }
        return Binned(lo: lo, hi: hi, names: kept.map(\.name), densities: densities,
                      counts: kept.map(\.values.count), skipped: kept.map(\.skipped))
    }

    /// The colour of each series: "good", "bad", "unseen" and "uncertain"
    /// (any case) get their `Palette` colours, other names the unused colours
    /// of `Palette.series` in order.
    public static func colors(for names: [String]) -> [RGB] {
        let known: [String: RGB] = ["good": Palette.good, "bad": Palette.bad, "unseen": Palette.unseen,
                                      "uncertain": Palette.uncertain]
        var used = Set(names.compactMap { known[$0.lowercased()] })
        var spare = Palette.series.filter { !used.contains($0) }.makeIterator()
        return names.map { name in
            if let c = known[name.lowercased()] { return c }
            let c = spare.next() ?? Palette.gray
            used.insert(c)
            return c
        }
    }

    /// Draws the figure. Sizes below 240×180 are raised to it; `bins` below
    /// 1 is taken as 1. `subtitle` (say, what the figure pools) goes under
    /// the title in gray. Title, subtitle and legend wrap to the width
    /// instead of being cut.
    public static func render(title: String, subtitle: String? = nil, series: [(name: String, values: [Double])],
                              bins: Int = 40, width: Int = 720, height: Int = 420,
                              xLabel: String = "anomaly score") -> Canvas {
        let width = max(width, 240), height = max(height, 180), bins = max(bins, 1)
        let binned = bin(series: series, bins: bins)
        let colors = colors(for: binned.names)
        var canvas = Canvas(width: width, height: height)
        let margin = 12, text = BitmapFont.glyphHeight, cap = BitmapFont.capHeight
        let inner = width - 2 * margin

        // Title: scale 2 if it fits, else wrapped at scale 1; centred. Then the subtitle.
        let titleScale = BitmapFont.size(of: title, scale: 2).width <= inner ? 2 : 1
        var top = margin
        for line in titleScale == 2 ? [title] : BitmapFont.wrap(title, width: inner) {
            let w = BitmapFont.size(of: line, scale: titleScale).width
            canvas.drawText(line, x: max((width - w) / 2, margin), y: top, color: Palette.black, scale: titleScale)
            top += BitmapFont.lineHeight * titleScale
        }
        for line in subtitle.map({ BitmapFont.wrap($0, width: inner) }) ?? [] {
            let w = BitmapFont.size(of: line).width
            canvas.drawText(line, x: max((width - w) / 2, margin), y: top, color: Palette.gray)
            top += BitmapFont.lineHeight
        }
        top += 12 - (BitmapFont.lineHeight * titleScale - cap * titleScale)

        // Legend: colour box, name and counts, laid out in rows under the title;
        // an entry wider than the figure wraps its text.
        let box = 10, boxGap = 5, entryGap = 22, rowHeight = 16
        var rows: [[(lines: [String], color: RGB, width: Int)]] = [[]]
        var rowWidth = 0
        for (i, name) in binned.names.enumerated() {
            var label = "\(name) (n=\(binned.counts[i])"
            if binned.skipped[i] > 0 { label += ", \(binned.skipped[i]) non-finite skipped" }
            label += ")"
            var lines = [label]
            if box + boxGap + BitmapFont.size(of: label).width > inner {
                lines = BitmapFont.wrap(label, width: inner - box - boxGap)
            }
            let w = box + boxGap + (lines.map { BitmapFont.size(of: $0).width }.max() ?? 0)
            if !rows[rows.count - 1].isEmpty && rowWidth + entryGap + w > inner {
                rows.append([])
                rowWidth = 0
            }
            rowWidth += (rows[rows.count - 1].isEmpty ? 0 : entryGap) + w
            rows[rows.count - 1].append((lines, colors[i], w))
        }
        for row in rows where !row.isEmpty {
            let total = row.map(\.width).reduce(0, +) + entryGap * (row.count - 1)
            var x = max((width - total) / 2, margin)
            for entry in row {
                canvas.fillRect(x: x, y: top, width: box, height: box, color: entry.color, alpha: fillAlpha)
                canvas.drawRectOutline(x: x, y: top, width: box, height: box, color: entry.color)
                for (i, line) in entry.lines.enumerated() {
                    canvas.drawText(line, x: x + box + boxGap, y: top + (box - cap) / 2 + i * BitmapFont.lineHeight,
                                    color: Palette.black)
                }
                x += entry.width + entryGap
            }
            top += rowHeight + ((row.map(\.lines.count).max() ?? 1) - 1) * BitmapFont.lineHeight
        }

        // Axes' scales and tick labels.
        let yMax = binned.densities.joined().max() ?? 0
        let yStep = niceStep((yMax > 0 ? yMax : 1) / 4)
        let yTop = max((yMax / yStep).rounded(.up), 1) * yStep
        let yTicks = (0...Int((yTop / yStep).rounded())).map { Double($0) * yStep }
        let yLabels = yTicks.map { compact($0, digits: 3) }
        let xTicks = (0...4).map { i -> Double in
            let v = binned.lo + Double(i) * (binned.hi - binned.lo) / 4
            return abs(v) < (binned.hi - binned.lo) * 1e-9 ? 0 : v
        }
        let xLabels = distinctLabels(xTicks)

        // Plot area [plotLeft, plotRight) × [plotTop, plotBottom); axes on its
        // left and bottom edges, outside it.
        let yLabelWidth = yLabels.map { BitmapFont.size(of: $0).width }.max() ?? 0
        let plotLeft = margin + text + 10 + yLabelWidth + 8
        let lastXLabel = BitmapFont.size(of: xLabels[xLabels.count - 1]).width
        let plotRight = width - max(margin + 4, lastXLabel / 2 + margin)
        let plotTop = top + 8
        let plotBottom = height - (margin + text + 10 + text + 8)
        let plotWidth = plotRight - plotLeft, plotHeight = plotBottom - plotTop
        guard plotWidth > 10, plotHeight > 10 else { return canvas }

        func xPixel(bin i: Int) -> Int { plotLeft + Int((Double(i * plotWidth) / Double(bins)).rounded()) }
        func yPixel(_ d: Double) -> Int { plotBottom - Int((d / yTop * Double(plotHeight)).rounded()) }

        // Grid and y ticks.
        for (tick, label) in zip(yTicks, yLabels) {
            let y = yPixel(tick)
            if tick > 0 {
                canvas.fillRect(x: plotLeft, y: y, width: plotWidth, height: 1, color: Palette.lightGray)
            }
            canvas.fillRect(x: plotLeft - 5, y: y, width: 4, height: 1, color: Palette.black)
            let w = BitmapFont.size(of: label).width
            canvas.drawText(label, x: plotLeft - 8 - w, y: y - cap / 2, color: Palette.black)
        }

        // Bars: all fills first, then every outline, so no fill hides an edge.
        for (s, densities) in binned.densities.enumerated() {
            for (i, d) in densities.enumerated() where d > 0 {
                let x0 = xPixel(bin: i), x1 = xPixel(bin: i + 1), y = yPixel(d)
                canvas.fillRect(x: x0, y: y, width: x1 - x0, height: plotBottom - y,
                                color: colors[s], alpha: fillAlpha)
            }
        }
        for (s, densities) in binned.densities.enumerated() {
            var previous = plotBottom
            for (i, d) in densities.enumerated() {
                let x0 = xPixel(bin: i), x1 = xPixel(bin: i + 1)
                let y = d > 0 ? yPixel(d) : plotBottom
                if y != previous { canvas.drawLine(x0: x0, y0: previous, x1: x0, y1: y, color: colors[s]) }
                if d > 0 { canvas.drawLine(x0: x0, y0: y, x1: x1 - 1, y1: y, color: colors[s]) }
                previous = y
            }
            if previous != plotBottom {
                let x = xPixel(bin: bins) - 1
                canvas.drawLine(x0: x, y0: previous, x1: x, y1: plotBottom, color: colors[s])
            }
        }
        if binned.names.isEmpty {
            let message = "no finite values"
            let w = BitmapFont.size(of: message).width
            canvas.drawText(message, x: plotLeft + (plotWidth - w) / 2, y: plotTop + plotHeight / 2,
                            color: Palette.gray)
        }

        // Axes, x ticks and axis labels.
        canvas.fillRect(x: plotLeft - 1, y: plotTop, width: 1, height: plotBottom - plotTop + 1, color: Palette.black)
        canvas.fillRect(x: plotLeft - 1, y: plotBottom, width: plotWidth + 1, height: 1, color: Palette.black)
        for (i, label) in xLabels.enumerated() {
            let x = plotLeft + Int((Double(i * plotWidth) / 4).rounded()) - (i == 4 ? 1 : 0)
            canvas.fillRect(x: x, y: plotBottom + 1, width: 1, height: 4, color: Palette.black)
            let w = BitmapFont.size(of: label).width
            canvas.drawText(label, x: x - w / 2, y: plotBottom + 8, color: Palette.black)
        }
        let xLabelWidth = BitmapFont.size(of: xLabel).width
        canvas.drawText(xLabel, x: plotLeft + (plotWidth - xLabelWidth) / 2,
                        y: plotBottom + 8 + text + 8, color: Palette.black)
        let yLabel = "density"
        let yLabelLength = BitmapFont.size(of: yLabel).width
        canvas.drawTextRotated(yLabel, x: margin, y: plotTop + (plotHeight - yLabelLength) / 2, color: Palette.black)
        return canvas
    }

    /// Renders the figure and writes it as an 8-bit RGB PNG at `path`,
    /// atomically: to a temporary file beside it, then renamed over it, so a
    /// failure leaves any earlier file untouched.
    public static func write(path: String, title: String, subtitle: String? = nil, series: [(String, [Double])],
                             bins: Int = 40, width: Int = 720, height: Int = 420) throws {
        let canvas = render(title: title, subtitle: subtitle, series: series.map { (name: $0.0, values: $0.1) },
                            bins: bins, width: width, height: height)
        TemporaryLock.removeStale(of: path)  // left by a killed writer
        let temporary = "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        TemporaryLock.claim(temporary)
        defer { TemporaryLock.release(temporary) }
        do {
            try canvas.writePNG(path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw InputError(path, "cannot move the written figure into place: \(reason)")
        }
    }

    /// `text` cut short and ended with "..." so that it is at most `width`
    /// pixels wide at scale 1 (unchanged if it already fits).
    static func shortened(_ text: String, toWidth width: Int) -> String {
        guard BitmapFont.size(of: text).width > width else { return text }
        let columns = max((width + BitmapFont.advance - BitmapFont.glyphWidth) / BitmapFont.advance - 3, 0)
        return String(text.prefix(columns)) + "..."
    }

    /// The "nice" number (1, 2 or 5 times a power of ten) nearest above `x`.
    static func niceStep(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return 1 }
        let power = pow(10, (log10(x)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= x * (1 - 1e-9) { return m * power }
        return 10 * power
    }

    /// `v` in at most `digits` significant digits, without trailing zeros and
    /// with a short exponent: 0.25, 1200, 1.5e-5, 3e6.
    static func compact(_ v: Double, digits: Int) -> String {
        if v == 0 { return "0" }
        let s = String(format: "%.\(digits)g", v)
        guard let e = s.firstIndex(of: "e") else { return s }
        var exponent = s[s.index(after: e)...]
        let negative = exponent.first == "-"
        exponent = exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" }
        return s[..<e] + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
    }

    /// `compact` labels of `values` with the fewest digits (3 to 8) that tell
    /// the distinct values apart.
    static func distinctLabels(_ values: [Double]) -> [String] {
        var labels = values.map { compact($0, digits: 3) }
        for digits in 4...8 where Set(labels).count < Set(values).count {
            labels = values.map { compact($0, digits: digits) }
        }
        return labels
    }
}
