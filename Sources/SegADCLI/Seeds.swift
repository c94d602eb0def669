import ArgumentParser

/// The seeds of a run given on the command line: non-negative integers in
/// 0…4294967295 written canonically (digits only, no sign, no leading zeros
/// except "0"), separated by commas and/or spaces (so both `0,1,2` and
/// Make's `'0 1 2'` parse); at least one, no duplicates, order kept.
///
///     @Option(help: "Seeds, comma- or space-separated.", parse: Seeds.parse) var seeds = Seeds([0, 1, 2, 3, 4])!
public struct Seeds: Equatable, Sendable, CustomStringConvertible {
    public static let maxSeed = Int(UInt32.max)

    public let values: [Int]

    /// nil when `values` is empty, holds a duplicate or a seed outside 0…`maxSeed`.
    public init?(_ values: [Int]) {
        guard (try? Self.check(values)) != nil else { return nil }
        self.values = values
    }

    /// Parses a seed list, or throws a `ValidationError` that says why not
    /// (an empty item such as `0,,1` or a trailing comma, a non-canonical
    /// number, a seed over `maxSeed`, a duplicate): the parser of every
    /// `--seeds` option.
    public static func parse(_ text: String) throws -> Seeds {
        var values: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let words = item.split(separator: " ")
            guard !words.isEmpty else {
                throw ValidationError(text.allSatisfy { $0 == " " } ? "no seed given"
                                      : "an empty item in the list (two commas in a row, or one at an end)")
            }
            for word in words {
                guard word.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw ValidationError("'\(word)' is not a seed: decimal digits only, no sign")
                }
                guard word == "0" || word.first != "0" else { throw ValidationError("'\(word)' has a leading zero") }
                guard word.count <= 10, let n = Int(word), n <= maxSeed else {
                    throw ValidationError("seed \(word) out of bounds 0…\(maxSeed)")
                }
                values.append(n)
            }
        }
        try check(values)
        return Seeds(values)!
    }

    /// `parse`, nil where it throws.
    public init?(_ text: String) {
        guard let seeds = try? Self.parse(text) else { return nil }
        self = seeds
    }

    private static func check(_ values: [Int]) throws {
        if values.isEmpty { throw ValidationError("no seed given") }
        if let bad = values.first(where: { !(0...maxSeed).contains($0) }) {
            throw ValidationError("seed \(bad) out of bounds 0…\(maxSeed)")
        }
        var seen = Set<Int>()
        for v in values where !seen.insert(v).inserted { throw ValidationError("seed \(v) given twice") }
    }

    /// Comma-separated, e.g. `0,1,2,3,4`.
    public var description: String { values.map(String.init).joined(separator: ",") }
}
