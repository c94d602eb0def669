import ArgumentParser
import Foundation
import SegAD
import SegADCLI
import SegADNative

// Your own images (pipelines/images.mk, docs/manifest.md).
extension ExtractMaps {
    static let imagesSubcommands: [ParsableCommand.Type] = [WorkingSizeCommand.self, ChooseSize.self]
}

extension ExtractMaps {
    struct WorkingSizeCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "working-size",
            abstract: "Prints a manifest's working size HxW: --size if given, else the first image's aspect (short side 256, sides multiples of 32), said once on stderr.")

        @OptionGroup var manifest: ManifestOptions
        @Option(help: "The size HxW (or N) to use instead, e.g. 256x640 (checked and printed as HxW).", parse: ImageSize.parse)
        var size: ImageSize?
        @Option(help: "Take the first image of this seed's detector-train (the detector pool) instead of the first item.",
                parse: Bounded.integer(0...Bounds.maxSeed)) var poolOf: Int?
        @Option(name: .shortAndLong, help: "Write HxW to this file (atomically) instead of stdout.") var output: String?

        func run() throws {
            StageMain.run("extract-maps working-size") {
                if let output { try OutputPaths.check(outputs: [.init("-o", output)], inputs: [("--manifest", manifest.path)], manifests: [manifest.path]) }
                let chosen: (height: Int, width: Int)
                let loaded = try Manifest.load(path: manifest.path)
                if let size { chosen = size.tuple } else {
                    let auto = try WorkingSize.auto(manifest: loaded, poolOf: poolOf)
                    FileHandle.standardError.write(Data("extract-maps working-size: \(auto.note)\n".utf8))
                    chosen = auto.size
                }
                if let note = WorkingSize.offAspectNote(manifest: loaded, size: chosen) {
                    FileHandle.standardError.write(Data("extract-maps working-size: \(note)\n".utf8))
                }
                let text = "\(chosen.height)x\(chosen.width)\n"
                if let output {
                    let temporary = "\(output).tmp-\(ProcessInfo.processInfo.processIdentifier)"
                    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)),
                          rename(temporary, output) == 0 else {
                        unlink(temporary)
                        throw InputError(output, "cannot write")
                    }
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}
