/// What every refusal of bad input has in common: the file (or option) at
/// fault and the fault in plain words. A stage prints it as its one line,
/// `FILE: FAULT` (`StageMain`, `mainWithOneLineErrors`).
///
/// `InputError` is the untyped currency; the domain enums (`ImageError`,
/// `CheckpointError`, `HDF5FileError` here; `ArtifactError`, `LeakageError`,
/// `OutputError`, `BoundsError` in SegADCore) carry the specific fault as a
/// case, so code and tests can match on it, and print the same line. Catch
/// `any SegADFault` where any of them may arrive; `inputError` converts one.
public protocol SegADFault: Error, CustomStringConvertible, Sendable {
    /// The file (or other input, such as a flag) at fault.
    var file: String { get }
    /// What is wrong with it, in plain words (no file name).
    var fault: String { get }
}

extension SegADFault {
    /// `FILE: FAULT` on one line, control characters shown as `\u{…}`.
    public var description: String { "\(file): \(InputError.printable(fault))" }

    /// The same fault as an untyped `InputError` (same file, same text).
    public var inputError: InputError { InputError(file, fault) }
}
