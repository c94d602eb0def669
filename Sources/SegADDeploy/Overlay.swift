import Foundation
import SegADNative
import SegADDetectors
import SegADFigures

/// The picture an operator sees for one scored image: per detector a panel
/// with the image in gray, the anomaly map over it as a semi-transparent
/// viridis heat map (opacity grows with the map value, so normal areas stay
/// readable) and the segment outlines in white; beside the panels the
/// score, the threshold, the decision and the top contributing features.
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
        var canvas = Canvas(width: width, height: height, background: .white)
        let gray = image.gray
        let labels = pipeline.segmentation
        // Colours by 8-bit gray level and 256 heat levels, looked up per pixel.
        let heat = (0..<256).map { heatColor(Float($0) / 255) }
        for k in 0..<K {
            let x0 = pad + k * (panelW + pad), y0 = pad + titleH
            canvas.drawText(pipeline.detectors[k].name, x: x0, y: pad, color: .black)
            let (low, high) = pipeline.detectors[k].heatRange
            let scale = 1 / (high - low)
            let map = result.maps[k]
            // One colour per map pixel, then magnified.
            var colors = [RGB](repeating: .black, count: h * w)
            for i in 0..<(h * w) {
                let g = UInt8(max(0, min(255, (gray[i] * 255).rounded())))
                var t = (map[i] - low) * scale
                t = t.isNaN ? 0 : min(max(t, 0), 1)
                colors[i] = RGB(g, g, g).mixed(with: heat[Int((t * 255).rounded())], alpha: 0.15 + 0.55 * t)
            }
            canvas.pixels.withUnsafeMutableBufferPointer { px in
                for y in 0..<panelH {
                    let sy = y / m
                    var o = ((y0 + y) * width + x0) * 3
                    for x in 0..<panelW {
                        let sx = x / m, i = sy * w + sx
                        // Segment outline: the label changes to the right or below (in map pixels).
                        let edge = ((x % m == m - 1) && sx + 1 < w && labels[i] != labels[i + 1])
                            || ((y % m == m - 1) && sy + 1 < h && labels[i] != labels[i + w])
                        let c = edge ? RGB.white : colors[i]
                        px[o] = c.r; px[o + 1] = c.g; px[o + 2] = c.b
                        o += 3
                    }
                }
            }
            canvas.drawRectOutline(x: x0 - 1, y: y0 - 1, width: panelW + 2, height: panelH + 2, color: .gray)
        }
        var ty = pad
        let tx = pad + K * (panelW + pad)
        for line in text {
            canvas.drawText(line.text, x: tx, y: ty, color: line.color, scale: line.scale)
            ty += BitmapFont.size(of: line.text, scale: line.scale).height + 6
        }
        return canvas
    }

    static func textLines(id: String, result: PipelineScorer.Result, pipeline: SavedPipeline,
                          topFeatures: [String]) -> [(text: String, color: RGB, scale: Int)] {
        let op = pipeline.operatingPoint
        var lines: [(String, RGB, Int)] = [
            (id, .black, 1),
            (result.anomalous ? "ANOMALOUS" : "NORMAL", result.anomalous ? .bad : .good, 2),
            (String(format: "score %.3f", result.score), .black, 2),
            (String(format: "threshold %.3f (TPR %.0f%%)", op.threshold, op.tpr * 100), .gray, 1),
            ("top features:", .black, 1),
        ]
        lines += topFeatures.map { ("  " + $0, .black, 1) }
        return lines.map { (text: $0.0, color: $0.1, scale: $0.2) }
    }

    /// Writes the overlay as an RGB PNG.
    public static func write(_ canvas: Canvas, path: String) throws {
        try PNG.writeRGB8(path: path, width: canvas.width, height: canvas.height, pixels: canvas.pixels)
    }
}
