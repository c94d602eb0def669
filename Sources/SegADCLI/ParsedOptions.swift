import ArgumentParser

// Options whose refusal says why. ArgumentParser's `ExpressibleByArgument`
// can only fail (`init?(argument:)`), so a refused value reads "The value
// '0x5' is invalid for '--size <size>'" and the reason is lost. The option
// types here parse with a throwing function instead (`ImageSize.parse`,
// `Seeds.parse`, `Bounded.integer`), whose `ValidationError` ArgumentParser
// appends: "The value '0x5' is invalid for '--size <size>': height 0 out of
// bounds 1…8192" — one line, through `mainWithOneLineErrors`.

extension Option {
    /// An option with a default, parsed by `parse`; the help ends in
    /// "(default: …)" as for ArgumentParser's own types (which it omits for
    /// options parsed by a closure).
    public init(wrappedValue: Value, name: NameSpecification = .long, help: String,
                parse: @Sendable @escaping (String) throws -> Value) {
        self.init(wrappedValue: wrappedValue, name: name, help: ArgumentHelp("\(help) (default: \(wrappedValue))"),
                  transform: parse)
    }

    /// A required option parsed by `parse`.
    public init(name: NameSpecification = .long, help: String, parse: @Sendable @escaping (String) throws -> Value) {
        self.init(name: name, help: ArgumentHelp(help), transform: parse)
    }

    /// An optional option (nil when not given) parsed by `parse`.
    public init<T>(name: NameSpecification = .long, help: String, parse: @Sendable @escaping (String) throws -> T)
    where Value == T? {
        self.init(name: name, help: ArgumentHelp(help), transform: parse)
    }
}

/// Whole-number options with bounds (`--rounds`, `--threads`, `--seed`, …).
public enum Bounded {
    /// A parser of whole numbers in `range` (decimal, an optional sign, as
    /// Swift's `Int(_:)` reads them) that says why it refuses: "not a whole
    /// number …" or "out of bounds 1…10000", followed by `why` in
    /// parentheses when given (what the bound comes from).
    ///
    ///     @Option(help: "Boosting rounds.", parse: Bounded.integer(1...Bounds.maxRounds)) var rounds = 10
    public static func integer(_ range: ClosedRange<Int>, why: String? = nil) -> @Sendable (String) throws -> Int {
        { text in
            let bounds = "\(range.lowerBound)…\(range.upperBound)" + (why.map { " (\($0))" } ?? "")
            let digits = text.drop { $0 == "-" || $0 == "+" }
            let numeral = text.count - digits.count <= 1 && !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            guard numeral else { throw ValidationError("not a whole number; expected one in \(bounds)") }
            guard let n = Int(text), range.contains(n) else { throw ValidationError("out of bounds \(bounds)") }
            return n
        }
    }
}
