import ArgumentParser

/// `--manifest`: the run's manifest, required. Commands whose `--manifest`
/// means something else (any manifest whose images to map or score, or an
/// optional one) declare their own option.
public struct ManifestOptions: ParsableArguments {
    @Option(name: .customLong("manifest"), help: "The run's manifest (JSON).")
    public var path: String

    public init() {}
}
