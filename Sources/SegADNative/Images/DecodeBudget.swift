import Foundation

/// Bounds the memory of images being decoded at once (docs/reliability.md,
/// "Files, outputs and CSV cells"): the stages decode one image per core,
/// and a 260 KB PNG may declare 8192² pixels, so without a bound a few
/// such files decoding together could take gigabytes each.
///
/// A counting semaphore over bytes: `withBytes(n)` waits until `n` more
/// bytes fit under `limit`, or until no other decode is running (an image
/// larger than the whole budget still decodes, alone). The cost of a decode
/// is estimated from the header before it starts (`ImageHeader.decodeBytes`).
public final class DecodeBudget: @unchecked Sendable {
    /// The budget every image reader shares: 1 GiB.
    public static let shared = DecodeBudget(limit: 1 << 30)

    public let limit: Int
    private let condition = NSCondition()
    private var inUse = 0
    private var holders = 0
    /// The largest number of decodes that ever held the budget at once (tests).
    public private(set) var peakHolders = 0

    public init(limit: Int) { self.limit = limit }

    /// Runs `body` holding `bytes` of the budget.
    public func withBytes<T>(_ bytes: Int, _ body: () throws -> T) rethrows -> T {
        let n = max(0, bytes)
        condition.lock()
        while holders > 0 && inUse + n > limit { condition.wait() }
        inUse += n
        holders += 1
        peakHolders = max(peakHolders, holders)
        condition.unlock()
        defer {
            condition.lock()
            inUse -= n
            holders -= 1
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}
