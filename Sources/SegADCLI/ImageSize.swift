import ArgumentParser

/// A working size `HxW` (or `N` for N×N) given on the command line: sides
/// are decimal digits (no sign), in 1…`maxSide`; the `x` may be upper case.
///
///     @Option(help: "Working size HxW or N.", parse: ImageSize.parse) var size = ImageSize(256)!
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

    /// Parses `HxW` or `N`, or throws a `ValidationError` that says why not
    /// ("expected HxW or N …", "height 0 out of bounds 1…8192"): the parser
    /// of every `--size` option.
    public static func parse(_ text: String) throws -> ImageSize {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "X", omittingEmptySubsequences: false) }
        let form = "expected HxW or N in decimal digits, e.g. 256x640 or 256"
        guard (1...2).contains(parts.count) else { throw ValidationError(form) }
        let names = parts.count == 1 ? ["side"] : ["height", "width"]
        var sides: [Int] = []
        for (part, name) in zip(parts, names) {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw ValidationError(form) }
            guard part.count <= 9, let n = Int(part), (1...maxSide).contains(n) else {
                throw ValidationError("\(name) \(part) out of bounds 1…\(maxSide)")
            }
            sides.append(n)
        }
        return ImageSize(height: sides[0], width: sides[sides.count - 1])!
    }

    /// `parse`, nil where it throws.
    public init?(_ text: String) {
        guard let size = try? Self.parse(text) else { return nil }
        self = size
    }

    /// The (height, width) pair the stages take.
    public var tuple: (height: Int, width: Int) { (height, width) }

    /// `HxW`.
    public var description: String { "\(height)x\(width)" }
}
