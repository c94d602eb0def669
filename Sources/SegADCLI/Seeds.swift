import ArgumentParser

/// The seeds of a run given on the command line: non-negative integers in
/// 0…4294967295 written canonically (digits only, no sign, no leading zeros
/// except "0"), separated by commas and/or spaces (so both `0,1,2` and
/// Make's `'0 1 2'` parse); at least one, no duplicates, order kept.
public struct Seeds: Equatable, Sendable, CustomStringConvertible {
    public static let maxSeed = Int(UInt32.max)

    public let values: [Int]

    /// nil when `values` is empty, holds a duplicate or a seed outside 0…`maxSeed`.
    public init?(_ values: [Int]) {
        guard !values.isEmpty, values.allSatisfy({ (0...Self.maxSeed).contains($0) }),
              Set(values).count == values.count else { return nil }
        self.values = values
    }

    /// Parses a seed list; nil on an empty item (e.g. `0,,1` or a trailing comma),
    /// a non-canonical number, a seed over `maxSeed` or a duplicate.
    public init?(_ text: String) {
        var values: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let words = item.split(separator: " ")
            guard !words.isEmpty else { return nil }
            for word in words {
                guard word.count <= 10, word.allSatisfy({ $0.isASCII && $0.isNumber }),
                      word == "0" || word.first != "0", let n = Int(word) else { return nil }
                values.append(n)
            }
        }
        self.init(values)
    }

    /// Comma-separated, e.g. `0,1,2,3,4`.
    public var description: String { values.map(String.init).joined(separator: ",") }
}

extension Seeds: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}
