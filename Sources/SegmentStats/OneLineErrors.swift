import SegADCLI

extension SegmentStatsCommand {
    /// A refused option is one line and exit status 1 (SegADCLI/OneLineErrors.swift).
    static func main() { mainWithOneLineErrors(tool: "segment-stats") }
}
