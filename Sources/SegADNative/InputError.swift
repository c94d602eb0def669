/// A fault in something the user gave us: a file that cannot be read, has the
/// wrong type, shape or content. Its description is the one line a stage
/// prints before exiting non-zero: `FILE: FAULT`.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or other input, such as a flag) at fault.
    public var file: String
    /// What is wrong with it, in plain words.
    public var fault: String

    public init(_ file: String, _ fault: String) {
        self.file = file
        self.fault = fault
    }

    public var description: String { "\(file): \(fault)" }
}
