import ArgumentParser

/// A working size `HxW` (or `N` for N×N) given on the command line: sides
/// are decimal digits (no sign), in 1…`maxSide`; the `x` may be upper case.
public struct ImageSize: Equatable, Sendable, CustomStringConvertible {
    /// The largest side accepted (the same bound as the stages' other size checks).
    public static let maxSide = 8192

    public let height: Int
    public let width: Int

    public init?(height: Int, width: Int) {
        guard (1...Self.maxSide).contains(height), (1...Self.maxSide).contains(width) else { return nil }
        self.height = height
        self.width = width
    }

    /// A square size N×N.
    public init?(_ side: Int) { self.init(height: side, width: side) }

    /// Parses `HxW` or `N`; nil for anything else or a side outside 1…`maxSide`.
    public init?(_ text: String) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "X", omittingEmptySubsequences: false) }
        guard (1...2).contains(parts.count) else { return nil }
        var sides: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(part) else { return nil }
            sides.append(n)
        }
        self.init(height: sides[0], width: sides.count == 2 ? sides[1] : sides[0])
    }

    /// The (height, width) pair the stages take.
    public var tuple: (height: Int, width: Int) { (height, width) }

    /// `HxW`.
    public var description: String { "\(height)x\(width)" }
}

extension ImageSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}
