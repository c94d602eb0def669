import ArgumentParser
import SegAD
import SegADCLI

/// The data-set builders: manifests of the benchmark layouts (ELPV, VisA,
/// VAD) and of a user's own folder, the VAD layout built from ELPV, its
/// drawn segmentation and synthetic defects, and the supervised classifier
/// g(I) whose out-of-fold scores become a feature. Map extraction proper
/// (import, fit, apply, derive-segmentation, working-size) stays in
/// extract-maps (docs/architecture.md, "Stages and artifacts").
@main
struct BuildDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-dataset",
        abstract: "Builds the inputs of a run: manifests (ELPV, VisA, VAD, your own images), the VAD layout and its synthetic defects, the supervised classifier's scores.",
        subcommands: [ImagesManifestCommand.self, ImagesPoolCommand.self, ImagesSyntheticCommand.self, ELPVManifestCommand.self, SegmentELPV.self, OverlaySegmentation.self,
                      ELPVScoreInputsCommand.self, VisAManifestCommand.self] + BuildDataset.vadSubcommands)

    /// A refused option is one line and exit status 1 (SegADCLI/OneLineErrors.swift).
    static func main() { mainWithOneLineErrors(tool: "build-dataset") }
}

extension ELPVManifest.CellType: ExpressibleByArgument {}
