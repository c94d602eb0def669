import ArgumentParser

// Options whose refusal says why. ArgumentParser's `ExpressibleByArgument`
// can only fail (`init?(argument:)`), so a refused value reads "The value
// '0x5' is invalid for '--size <size>'" and the reason is lost. The option
// types here parse with a throwing function instead (`ImageSize.parse`,
// `Seeds.parse`, `Bounded.integer`, `Bounded.decimal`), whose `ValidationError` ArgumentParser
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

/// Numeric options with bounds: whole numbers (`--rounds`, `--threads`,
/// `--seed`, …) and decimals (`--eta`, `--tpr`, the fractions, …).
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

    /// A parser of decimal numbers in `range` that says why it refuses, as
    /// `integer` does: "not a decimal number …", "not a finite number …"
    /// (inf, nan: always refused) or "out of bounds (0, 1]", followed by
    /// `why` in parentheses when given. Ends named in `excluding` are open:
    /// `(0...1, excluding: .lower)` is (0, 1]; an infinite upper end is
    /// shown as "∞)" and only bounds the finite numbers.
    ///
    /// Decimal notation only: an optional sign, digits with an optional
    /// fraction, an optional exponent (`0.3`, `.5`, `+1`, `1e-3`, `2.5E6`);
    /// no hexadecimal, no spaces. The value is `T(text)` (correctly
    /// rounded to `T`, so `Float` options read what `Float(text)` reads).
    ///
    ///     @Option(help: "Learning rate eta.", parse: Bounded.decimal(0...1, excluding: .lower)) var eta = 0.3
    public static func decimal<T: BinaryFloatingPoint & LosslessStringConvertible & Sendable>(
        _ range: ClosedRange<Double>, excluding: OpenEnds = [], why: String? = nil
    ) -> @Sendable (String) throws -> T {
        { text in
            let bounds = DecimalBounds(range: range, open: excluding).description + (why.map { " (\($0))" } ?? "")
            guard isDecimalNumeral(text) else {
                if let v = Double(text), !v.isFinite { throw ValidationError("not a finite number; expected one in \(bounds)") }
                throw ValidationError("not a decimal number; expected one in \(bounds)")
            }
            guard let value = T(text), value.isFinite,
                  DecimalBounds(range: range, open: excluding).contains(Double(value)) else {
                throw ValidationError("out of bounds \(bounds)")
            }
            return value
        }
    }

    /// Which ends of a decimal range are open.
    public struct OpenEnds: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let lower = OpenEnds(rawValue: 1)
        public static let upper = OpenEnds(rawValue: 2)
        public static let both: OpenEnds = [.lower, .upper]
    }

    /// `[+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)?` in ASCII.
    static func isDecimalNumeral(_ text: String) -> Bool {
        var s = Substring(text)
        func digits() -> Int {
            let n = s.prefix { $0.isASCII && $0.isNumber }.count
            s = s.dropFirst(n)
            return n
        }
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        var mantissa = digits()
        if s.first == "." { s = s.dropFirst(); mantissa += digits() }
        guard mantissa > 0 else { return false }
        if s.first == "e" || s.first == "E" {
            s = s.dropFirst()
            if s.first == "+" || s.first == "-" { s = s.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return s.isEmpty
    }
}

/// A range of decimals with open or closed ends, written as in mathematics:
/// "(0, 1]", "[0, 1000000]", "(0, ∞)".
struct DecimalBounds: CustomStringConvertible {
    var range: ClosedRange<Double>
    var open: Bounded.OpenEnds

    func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        let aboveLower = open.contains(.lower) ? x > range.lowerBound : x >= range.lowerBound
        let belowUpper = open.contains(.upper) ? x < range.upperBound : x <= range.upperBound
        return aboveLower && belowUpper
    }

    var description: String {
        func number(_ x: Double) -> String {
            if x == .infinity { return "∞" }
            if x == -.infinity { return "−∞" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        }
        let upperOpen = open.contains(.upper) || range.upperBound == .infinity
        let lowerOpen = open.contains(.lower) || range.lowerBound == -.infinity
        return (lowerOpen ? "(" : "[") + number(range.lowerBound) + ", " + number(range.upperBound) + (upperOpen ? ")" : "]")
    }
}
