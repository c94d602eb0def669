import Foundation
import SegADDetectors
import SegADFigures

/// The picture an operator sees for one scored image: per detector a panel
/// with the image in gray, the anomaly map over it as a semi-transparent
/// viridis heat map (opacity grows with the map value, so normal areas stay
/// readable), the segment outlines and each segment's number; beside the panels the
/// score, the threshold, the decision and the top contributing features.
/// The composition is here; the drawing primitives (`Canvas`, `BitmapFont`)
/// and every colour (`Palette`) come from SegADFigures.
///
/// Heat map scale: a detector's map values are mapped linearly from its
/// `heatRange` (low = a normal background level, high = the most a normal
/// training image reached) to [0, 1], clamped — the same scale for every
/// image, so overlays compare across images.
public enum Overlay {
    /// Pixels per map pixel, chosen so a panel is at least 192 pixels on its longer side.
    static func magnification(height: Int, width: Int) -> Int {
        max(1, Int((192.0 / Double(max(height, width))).rounded(.up)))
    }

    public static func render(id: String, image: DetectorImage, result: PipelineScorer.Result,
                              pipeline: SavedPipeline, topFeatures: [String]) -> Canvas {
        let (h, w) = pipeline.size
        let m = magnification(height: h, width: w)
        let panelW = w * m, panelH = h * m
        let pad = 12, titleH = 16
        let text = textLines(id: id, result: result, pipeline: pipeline, topFeatures: topFeatures)
        let textW = text.map { BitmapFont.size(of: $0.text, scale: $0.scale).width }.max() ?? 0
        let K = result.maps.count
        let width = pad + K * (panelW + pad) + textW + pad
        let textH = text.reduce(0) { $0 + BitmapFont.size(of: $1.text, scale: $1.scale).height + 6 }
        let height = pad + max(titleH + panelH, textH) + pad
        var canvas = Canvas(width: width, height: height)
        let gray = image.gray.map { RGB(gray: $0) }
        let labels = pipeline.segmentation
        // 256 heat levels, looked up per pixel.
        let heat = (0..<256).map { Palette.heat(Float($0) / 255) }
        let digits = BitmapFont.size(of: "\(max(pipeline.segments - 1, 0))")
        let anchors = segmentAnchors(labels, height: h, width: w, segments: pipeline.segments,
                                     box: ((digits.width + 2 + m - 1) / m, (digits.height + 2 + m - 1) / m))
        for k in 0..<K {
            let x0 = pad + k * (panelW + pad), y0 = pad + titleH
            canvas.drawText(pipeline.detectors[k].name, x: x0, y: pad, color: Palette.black)
            let (low, high) = pipeline.detectors[k].heatRange
            let scale = 1 / (high - low)
            let map = result.maps[k]
            let colors = (0..<(h * w)).map { i in
                var t = (map[i] - low) * scale
                t = t.isNaN ? 0 : min(max(t, 0), 1)
                return gray[i].mixed(with: heat[Int((t * 255).rounded())], alpha: 0.15 + 0.55 * t)
            }
            canvas.drawMagnified(colors, height: h, width: w, scale: m, x: x0, y: y0, outlines: labels)
            canvas.drawRectOutline(x: x0 - 1, y: y0 - 1, width: panelW + 2, height: panelH + 2, color: Palette.gray)
            // Each segment's number at its anchor, so "segment 2" in the top features can be found.
            for (l, p) in anchors.enumerated() {
                guard let p else { continue }
                let label = "\(l)"
                let size = BitmapFont.size(of: label)
                let cx = min(max(x0 + p.x * m + m / 2 - size.width / 2, x0 + 1), x0 + panelW - size.width - 1)
                let cy = min(max(y0 + p.y * m + m / 2 - size.height / 2, y0 + 1), y0 + panelH - size.height - 1)
                canvas.fillRect(x: cx - 1, y: cy - 1, width: size.width + 2, height: size.height + 2, color: Palette.white)
                canvas.drawText(label, x: cx, y: cy, color: Palette.black)
            }
        }
        var ty = pad
        let tx = pad + K * (panelW + pad)
        for line in text {
            canvas.drawText(line.text, x: tx, y: ty, color: line.color, scale: line.scale)
            ty += BitmapFont.size(of: line.text, scale: line.scale).height + 6
        }
        return canvas
    }

    /// Per segment, the map pixel (x, y) where its number is drawn: the
    /// segment's pixel deepest inside it (largest city-block distance to
    /// another segment), nearer the segment's centroid on ties, whose
    /// `box` (the number's size in map pixels, centred on it) overlaps no
    /// number placed before — the deepest pixel when none is free; nil for a
    /// segment with no pixel.
    static func segmentAnchors(_ labels: [Int32], height h: Int, width w: Int, segments: Int,
                               box: (width: Int, height: Int) = (1, 1)) -> [(x: Int, y: Int)?] {
        // Distance to the nearest pixel whose 4-neighbour has another label (two-pass chamfer).
        var d = [Int](repeating: Int.max / 2, count: h * w)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x, l = labels[i]
                if (x > 0 && labels[i - 1] != l) || (x + 1 < w && labels[i + 1] != l)
                    || (y > 0 && labels[i - w] != l) || (y + 1 < h && labels[i + w] != l) { d[i] = 0 }
            }
        }
        for y in 0..<h { for x in 0..<w {
            let i = y * w + x
            if x > 0 { d[i] = min(d[i], d[i - 1] + 1) }
            if y > 0 { d[i] = min(d[i], d[i - w] + 1) }
        } }
        for y in stride(from: h - 1, through: 0, by: -1) { for x in stride(from: w - 1, through: 0, by: -1) {
            let i = y * w + x
            if x + 1 < w { d[i] = min(d[i], d[i + 1] + 1) }
            if y + 1 < h { d[i] = min(d[i], d[i + w] + 1) }
        } }
        var members = [[Int]](repeating: [], count: max(segments, 0))
        for i in 0..<(h * w) where labels[i] >= 0 && Int(labels[i]) < segments { members[Int(labels[i])].append(i) }
        var placed: [(x0: Int, y0: Int, x1: Int, y1: Int)] = []
        func rect(_ i: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
            let x = i % w - box.width / 2, y = i / w - box.height / 2
            return (x, y, x + box.width, y + box.height)
        }
        return members.map { pixels -> (x: Int, y: Int)? in
            guard !pixels.isEmpty else { return nil }
            let cx = Double(pixels.reduce(0) { $0 + $1 % w }) / Double(pixels.count)
            let cy = Double(pixels.reduce(0) { $0 + $1 / w }) / Double(pixels.count)
            func centroidDistance(_ i: Int) -> Double { let dx = Double(i % w) - cx, dy = Double(i / w) - cy; return dx * dx + dy * dy }
            let order = pixels.sorted { a, b in
                d[a] != d[b] ? d[a] > d[b] : centroidDistance(a) != centroidDistance(b) ? centroidDistance(a) < centroidDistance(b) : a < b
            }
            let free = order.first { i in
                let r = rect(i)
                return !placed.contains { r.x0 < $0.x1 && $0.x0 < r.x1 && r.y0 < $0.y1 && $0.y0 < r.y1 }
            } ?? order[0]
            placed.append(rect(free))
            return (x: free % w, y: free / w)
        }
    }

    static func textLines(id: String, result: PipelineScorer.Result, pipeline: SavedPipeline,
                          topFeatures: [String]) -> [(text: String, color: RGB, scale: Int)] {
        let op = pipeline.operatingPoint
        var lines: [(String, RGB, Int)] = [
            (id, Palette.black, 1),
            (result.anomalous ? "ANOMALOUS" : "NORMAL", result.anomalous ? Palette.bad : Palette.good, 2),
            (String(format: "score %.3f", result.score), Palette.black, 2),
            (op.falseAlarmTarget.map { String(format: "threshold %.3f (false alarms <= %g%%)", op.threshold, $0 * 100) }
                ?? String(format: "threshold %.3f (TPR %.0f%%)", op.threshold, op.tpr * 100), Palette.gray, 1),
            ("top features:", Palette.black, 1),
        ]
        lines += topFeatures.map { ("  " + $0, Palette.black, 1) }
        if let names = pipeline.segmentNames {
            lines.append(("segments: " + names.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "), Palette.gray, 1))
        }
        return lines.map { (text: $0.0, color: $0.1, scale: $0.2) }
    }

    /// Writes the overlay as an RGB PNG, compressed for speed: one is
    /// written per scored part, and at libpng's default level writing it
    /// cost more than all three detectors together (BENCHMARKS.md, "Line speed").
    public static func write(_ canvas: Canvas, path: String) throws {
        try canvas.writePNG(path: path, fast: true)
    }
}
