import ArgumentParser
import SegAD

@main
struct ExtractMaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-maps",
        abstract: "Pixel anomaly maps of one detector for every item of a manifest, into a maps artifact.",
        discussion: """
        Import mode (the default): reads each item's precomputed map named by \
        `items[].maps[DETECTOR]` in the manifest (.npy float16/32/64, float TIFF, \
        or 8/16-bit gray PNG divided by --png-scale) and writes N×H×W float32 maps \
        with ids, labels and each map's max.
        """)

    @Option(help: "The run's manifest (JSON).")
    var manifest: String

    @Option(help: "Detector name: the key of items[].maps to import.")
    var detector: String

    @Option(name: .shortAndLong, help: "The maps artifact to write (.h5).")
    var output: String

    @Option(help: "Resize every map to HxW (or N for N×N) with bilinear interpolation.")
    var size: String?

    @Option(help: "Divisor for PNG maps (default 255 for 8-bit, 65535 for 16-bit).")
    var pngScale: Float?

    func validate() throws {
        if let size, parseSize(size) == nil { throw ValidationError("--size must be HxW or N, e.g. 256x256") }
        if let pngScale, !(pngScale > 0) { throw ValidationError("--png-scale must be positive") }
    }

    func run() throws {
        StageMain.run("extract-maps") {
            try MapImport.run(.init(manifestPath: manifest, detector: detector, output: output,
                                    size: size.flatMap(parseSize), pngScale: pngScale))
        }
    }
}
