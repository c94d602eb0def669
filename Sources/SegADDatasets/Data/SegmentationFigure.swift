import Foundation
import SegADNative
import SegADKernels
import SegADCore
import SegADFigures
import SegADMethod

/// A figure of a label map over its cell: the cell on the left, the labels
/// blended over it on the right (in `Palette.segment` colours, as in every
/// segmentation figure), a legend below.
public enum SegmentationFigure {
    public struct Options {
        public var manifestPath: String
        /// A static label map; nil: the item's own `segmentation`.
        public var staticSegmentation: String?
        public var item: String?
        public var size: (height: Int, width: Int)
        public var names: [String]
        public var title: String
        public var output: String
        public init(manifestPath: String, staticSegmentation: String?, item: String?, size: (height: Int, width: Int),
                    names: [String], title: String, output: String) {
            self.manifestPath = manifestPath; self.staticSegmentation = staticSegmentation; self.item = item
            self.size = size; self.names = names; self.title = title; self.output = output
        }
    }

    public static func write(_ o: Options) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        let seed = manifest.seedList.first ?? 0
        let id = o.item ?? manifest.ids(.test, seed: seed).first { id in
            manifest.items[manifest.index[id]!].label == .good
        } ?? manifest.items[0].id
        guard let at = manifest.index[id] else { throw InputError(o.manifestPath, "has no item '\(id)'") }
        let item = manifest.items[at]
        guard let image = item.image else { throw InputError(o.manifestPath, "item '\(id)' has no image") }
        let picture = try ImageFile.read(path: manifest.resolve(image))
        let (h, w) = o.size
        let gray = Resize.bilinear(picture.grayFloats().map { $0 / picture.maxValue }, height: picture.height,
                                   width: picture.width, toHeight: h, toWidth: w)
        let labelPath: String
        if let s = o.staticSegmentation { labelPath = s } else {
            guard let s = item.segmentation else { throw InputError(o.manifestPath, "item '\(id)' has no segmentation") }
            labelPath = manifest.resolve(s)
        }
        let labels = try LabelMap.read(path: labelPath, height: h, width: w, segments: max(o.names.count, 1))
        let scale = max(1, 320 / max(h, w))
        let pad = 10, line = BitmapFont.lineHeight
        // Title and legend wrap to the figure's width (at least 240 px), so a narrow cell cuts nothing.
        let width = max(2 * w * scale + 3 * pad, 240)
        let titleLines = BitmapFont.wrap(o.title + " (" + id + ")", width: width - 2 * pad)
        let legend = o.names.enumerated().map { l, name in BitmapFont.wrap("\(l) \(name)", width: width - 2 * pad - 16) }
        let top = 4 + titleLines.count * line + 2
        let legendTop = top + h * scale + pad + 10
        let legendHeight = legend.reduce(0) { $0 + max(14, $1.count * line + 3) }
        var canvas = Canvas(width: width, height: legendTop + legendHeight + 20)
        for (i, t) in titleLines.enumerated() { canvas.drawText(t, x: pad, y: 4 + i * line, color: Palette.black) }
        let cell = gray.map { RGB(gray: $0) }
        let blended = (0..<(h * w)).map { i in cell[i].mixed(with: Palette.segment(Int(labels[i])), alpha: Palette.segmentAlpha) }
        canvas.drawMagnified(cell, height: h, width: w, scale: scale, x: pad, y: top)
        canvas.drawMagnified(blended, height: h, width: w, scale: scale, x: 2 * pad + w * scale, y: top)
        var y = legendTop
        for (l, lines) in legend.enumerated() {
            canvas.fillRect(x: pad, y: y, width: 10, height: 10, color: Palette.segment(l))
            for (i, t) in lines.enumerated() { canvas.drawText(t, x: pad + 16, y: y + 1 + i * line, color: Palette.black) }
            y += max(14, lines.count * line + 3)
        }
        let folder = (o.output as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try canvas.writePNG(path: o.output)
    }
}
