import Foundation

/// Runs `body(i)` for i in 0..<count on all cores, in order-independent
/// fashion; errors are collected and the first (by index) is rethrown.
///
/// `body` is not `@Sendable`: callers write their results into disjoint
/// slots (index i only, through buffer pointers) and read shared inputs.
/// That is race-free because iteration i touches only slot i and
/// `concurrentPerform` returns after every iteration has finished, so
/// neither `body` nor the error slots outlive this call. `Unchecked`
/// carries them into the `@Sendable` closure `concurrentPerform` takes.
public func concurrentForEach(_ count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              _ body: (Int) throws -> Void) throws {
    if count == 0 { return }
    if threads <= 1 || count == 1 {
        for i in 0..<count { try body(i) }
        return
    }
    let errors = UnsafeMutablePointer<(any Error)?>.allocate(capacity: count)
    errors.initialize(repeating: nil, count: count)
    defer { errors.deinitialize(count: count); errors.deallocate() }
    withoutActuallyEscaping(body) { body in
        let shared = Unchecked((body: body, errors: errors))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            do { try shared.value.body(i) } catch { shared.value.errors[i] = error }
        }
    }
    for i in 0..<count { if let e = errors[i] { throw e } }
}

/// A value handed to concurrent iterations that only use it as documented at
/// the call site (disjoint writes, joined before return).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
