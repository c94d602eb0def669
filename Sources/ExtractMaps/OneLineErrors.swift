import SegADCLI

extension ExtractMaps {
    /// A refused option is one line and exit status 1 (SegADCLI/OneLineErrors.swift).
    static func main() { mainWithOneLineErrors(tool: "extract-maps") }
}
