import ArgumentParser
import Foundation
import SegAD
import SegADCLI
import SegADNative

// Your own images (pipelines/images.mk, docs/manifest.md).
extension BuildDataset {
    struct ImagesManifestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "images-manifest",
            abstract: "Writes the manifest of a folder of good/ and bad/ images (or a CSV of path,label[,split]), split per seed.",
            discussion: """
            DIR/good and DIR/bad (searched recursively; optional DIR/uncertain: scored and reported \
            apart, never trained on). Files with an image extension (.png .jpg .jpeg .tif .tiff) are \
            taken, others skipped and listed once. Ids are the relative paths without extension, '/' \
            replaced by '_'. Split (docs/manifest.md): each image's role is a hash of its id and the \
            seed, so adding images never moves one. A good image is in the fixed detector pool \
            (detector-train in every seed) with probability --pool-fraction (keyed by --pool-seed); \
            per seed every other good and every bad image is test with probability --test-fraction, \
            else segad-train. With --pool FILE (written by images-pool) the pool is the file's ids \
            instead: new good images never join it; ids whose image is gone are dropped, said once. \
            A CSV's optional split column (pool, train, test) fixes a row's role in every seed.
            """)

        @OptionGroup var split: ImagesSplitOptions
        @Option(help: "The run's name (default: the folder's or CSV's base name).") var name: String?
        @Option(name: .shortAndLong, help: "The manifest to write (.json).") var output: String

        func validate() throws { try split.validate() }

        func run() throws {
            StageMain.run("build-dataset images-manifest") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: split.inputs)
                try ImagesManifest.write(split.options(output: output, name: name))
            }
        }
    }

    struct ImagesPoolCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "images-pool",
            abstract: "Writes the fixed detector pool of a folder or CSV of images (the good ids every detector is fitted on).",
            discussion: """
            Without --pool: drawn by the hash rule of images-manifest (a good image is in the pool when \
            its hash under --pool-seed is below --pool-fraction; a CSV's split column puts rows in or \
            keeps them out). With --pool FILE: FILE's ids are kept (new good images never join); ids \
            whose image is gone or no longer good are dropped, said once; a pool left below --min-pool \
            is refused (draw a new one without --pool); a FILE drawn at another fraction or seed gives a \
            new draw. The folder must pass images-manifest's checks (same options). Output: one header \
            line, then one id a line (docs/manifest.md, "The fixed pool").
            """)

        @OptionGroup var split: ImagesSplitOptions
        @Option(name: .shortAndLong, help: "The pool file to write.") var output: String

        func validate() throws { try split.validate() }

        func run() throws {
            StageMain.run("build-dataset images-pool") {
                try OutputPaths.check(outputs: [.init("-o", output)], inputs: split.inputs)
                try ImagesManifest.writePool(split.options(output: output))
            }
        }
    }
}

/// The options images-manifest and images-pool share: the folder or CSV and
/// the split's rule. images-pool takes the same ones so that the pool it
/// draws is the one the manifest will keep, and the folder passes the same
/// checks (docs/manifest.md, "The fixed pool").
struct ImagesSplitOptions: ParsableArguments {
    @Option(help: "The folder holding good/, bad/ and optionally uncertain/.") var images: String?
    @Option(help: "Instead of --images: a CSV of path,label[,split] lines (paths relative to the CSV's folder).") var csv: String?
    @Option(help: "Seeds, comma- or space-separated.", parse: Seeds.parse) var seeds = Seeds([0, 1, 2, 3, 4])!
    @Option(help: "Share of the good images in the fixed detector pool.", parse: Bounded.decimal(0...1, excluding: .both))
    var poolFraction = 0.4
    @Option(help: "Share of each label's remaining images tested per seed.", parse: Bounded.decimal(0...1, excluding: .both))
    var testFraction = 0.5
    @Option(help: "Seed of the detector pool's draw.", parse: Bounded.integer(0...Bounds.maxSeed)) var poolSeed = 0
    @Option(help: "A detector pool file (build-dataset images-pool) to keep as the pool.") var pool: String?
    @Option(help: "The fewest pool images the detectors fit on (PaDiM and DFM need 2).", parse: Bounded.integer(1...1_000_000))
    var minPool = 1
    @Option(help: "supervised (enough bad images, the split above), few-bad (each seed tests ⌈n·test-fraction⌉ of the n bad images) or good-only (no bad/ needed); docs/regimes.md.")
    var regime: ImagesRegime = .supervised

    func validate() throws {
        if (images == nil) == (csv == nil) { throw ValidationError("give either --images DIR or --csv FILE") }
    }

    var inputs: [(String, String)] { [("--images", images ?? ""), ("--csv", csv ?? ""), ("--pool", pool ?? "")] }

    func options(output: String, name: String? = nil) -> ImagesManifest.Options {
        .init(folder: images, csv: csv, output: output, name: name, seeds: seeds.values, poolFraction: poolFraction,
              testFraction: testFraction, poolSeed: poolSeed, poolFile: pool, minimumPool: minPool, regime: regime)
    }
}

extension ImagesRegime: ExpressibleByArgument {}

extension BuildDataset {
    struct ImagesSyntheticCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "images-synthetic",
            abstract: "Good-only and few-bad regimes: a synthetic defect on every good image outside the detector pool, and the regime's manifest.",
            discussion: """
            Each defect (a blur or a thin gray rectangle in a random segment or part of one, the \
            vad-oneclass code) is drawn from a random stream keyed by its source image's id, so a growing \
            folder keeps every earlier defect. Per seed a defect takes its source's role: the defect of a \
            segad-train image trains SegAD; the defect of a held-out (test) image is tested in the \
            good-only regime and left out in the few-bad regime (docs/regimes.md).
            """)

        @Option(help: "The base manifest (images-manifest --regime good-only|few-bad).") var manifest: String
        @Option(help: "The static label map (gray values are labels; any size).") var segmentation: String
        @Option(help: "Number of segments L.", parse: Bounded.integer(Bounds.gray8Segments, why: Bounds.gray8SegmentsWhy))
        var segments: Int
        @Option(help: "good-only or few-bad.") var regime: ImagesRegime
        @Option(help: "Folder for the defect PNGs.") var imagesOut: String
        @Option(name: .shortAndLong, help: "The regime's manifest to write (.json).") var output: String

        func validate() throws {
            if regime == .supervised { throw ValidationError("--regime: give good-only or few-bad (supervised runs need no synthetic defects)") }
        }

        func run() throws {
            StageMain.run("build-dataset images-synthetic") {
                try OutputPaths.check(outputs: [.init("-o", output), .init("--images-out", imagesOut, folder: true)],
                                      inputs: [("--manifest", manifest), ("--segmentation", segmentation)])
                try ImagesSynthetic.run(.init(manifest: manifest, segmentation: segmentation, segments: segments, regime: regime,
                                              imagesOut: imagesOut, output: output))
            }
        }
    }
}
