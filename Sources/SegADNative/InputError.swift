/// A fault in something the user gave us: a file that cannot be read, has the
/// wrong type, shape or content. Its description is the one line a stage
/// prints before exiting non-zero: `FILE: FAULT`. The untyped member of
/// `SegADFault`; the domain enums (`ImageError`, `ArtifactError`, …) carry
/// their fault as a case and print the same way.
public struct InputError: SegADFault, Equatable {
    /// The file (or other input, such as a flag) at fault.
    public var file: String
    /// What is wrong with it, in plain words.
    public var fault: String

    public init(_ file: String, _ fault: String) {
        self.file = file
        self.fault = fault
    }

    /// `FILE: FAULT` on one line: control characters (which a fault may
    /// quote from a corrupt file, e.g. a newline inside an `.npy` dtype) are
    /// shown as `\u{…}` escapes.
    public var description: String { "\(file): \(InputError.printable(fault))" }

    /// `text` with every control character written as a `\u{…}` escape
    /// (one-line errors, CSV cells).
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
