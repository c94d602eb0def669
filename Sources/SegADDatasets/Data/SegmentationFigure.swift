import Foundation
import SegADNative
import SegADKernels
import SegADCore
import SegADFigures
import SegADMethod

/// A figure of a label map over its cell: the cell on the left, the labels
/// blended over it on the right, a legend below.
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

    static let colours: [RGB] = [.okabeSkyBlue, .okabeOrange, .okabeVermillion, .okabeBluishGreen,
                                 .okabeReddishPurple, .okabeYellow, .okabeBlue, .black]

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
        let pad = 10, legendHeight = 14 * o.names.count + 30
        var canvas = Canvas(width: 2 * w * scale + 3 * pad, height: h * scale + 2 * pad + legendHeight)
        canvas.drawText(o.title + " (" + id + ")", x: pad, y: 4, color: .black)
        for y in 0..<h * scale {
            for x in 0..<w * scale {
                let i = (y / scale) * w + x / scale
                let g = UInt8(max(0, min(255, (gray[i] * 255).rounded())))
                let c = RGB(g, g, g)
                canvas[pad + x, pad + 6 + y] = c
                canvas[2 * pad + w * scale + x, pad + 6 + y] = c.mixed(with: colours[Int(labels[i]) % colours.count], alpha: 0.45)
            }
        }
        for (l, name) in o.names.enumerated() {
            let y = h * scale + 2 * pad + 10 + 14 * l
            canvas.fillRect(x: pad, y: y, width: 10, height: 10, color: colours[l % colours.count])
            canvas.drawText("\(l) \(name)", x: pad + 16, y: y + 1, color: .black)
        }
        let folder = (o.output as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try PNG.writeRGB8(path: o.output, width: canvas.width, height: canvas.height, pixels: canvas.pixels)
    }
}
