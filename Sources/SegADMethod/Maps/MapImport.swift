import Foundation
import SegADNative
import SegADCore

/// extract-maps, import mode: precomputed maps named by the manifest
/// (`items[].maps[detector]`) into one maps artifact.
public enum MapImport {
    public struct Options {
        public var manifestPath: String
        public var detector: String
        public var output: String
        /// Resize every map to this size (bilinear); nil keeps the size, which must then agree.
        public var size: (height: Int, width: Int)?
        /// Divisor for PNG maps (nil: 255 for 8-bit, 65535 for 16-bit).
        public var pngScale: Float?

        public init(manifestPath: String, detector: String, output: String,
                    size: (height: Int, width: Int)? = nil, pngScale: Float? = nil) {
            self.manifestPath = manifestPath; self.detector = detector; self.output = output
            self.size = size; self.pngScale = pngScale
        }
    }

    public static func run(_ options: Options) throws {
        let manifest = try Manifest.load(path: options.manifestPath)
        let items = manifest.items
        for item in items where item.maps[options.detector] == nil {
            throw MapError.noMapForDetector(options.manifestPath, id: item.id, detector: options.detector)
        }
        let paths = items.map { manifest.resolve($0.maps[options.detector]!) }
        let first = try MapFile.read(path: paths[0], size: options.size, pngScale: options.pngScale)
        let (height, width) = (first.height, first.width)

        var config: [String: Any] = ["mode": "import"]
        if let size = options.size { config["size"] = [size.height, size.width] }
        if let scale = options.pngScale { config["png_scale"] = Double(scale) }
        if let digest = try MapSources.digest(manifest, detector: options.detector) { config[MapSources.configKey] = digest }
        let writer = try MapsArtifactWriter(
            path: options.output, detector: options.detector, count: items.count, height: height, width: width,
            config: config, inputs: [try .hashing(role: "manifest", path: options.manifestPath)])

        let progress = StageProgress("extract-maps \(options.detector)", total: items.count, unit: "maps")
        let batch = 64
        var slots = [[Float]](repeating: [], count: batch)
        for start in stride(from: 0, to: items.count, by: batch) {
            let n = min(batch, items.count - start)
            try slots.withUnsafeMutableBufferPointer { slots in
                try concurrentForEach(n) { j in
                    let map = try MapFile.read(path: paths[start + j], size: options.size, pngScale: options.pngScale)
                    guard map.height == height, map.width == width else {
                        throw MapError.sizeDiffers(paths[start + j], height: map.height, width: map.width, firstHeight: height, firstWidth: width)
                    }
                    slots[j] = map.values
                }
            }
            for j in 0..<n {
                try slots[j].withUnsafeBufferPointer {
                    try writer.append(id: items[start + j].id, label: items[start + j].label, map: $0)
                }
            }
            progress.advance(by: n)
        }
        try writer.commit()
    }
}
