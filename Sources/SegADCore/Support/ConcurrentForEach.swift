import Foundation

/// Runs `body(i)` for i in 0..<count on all cores, in order-independent
/// fashion; errors are collected and the first (by index) is rethrown.
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
    DispatchQueue.concurrentPerform(iterations: count) { i in
        do { try body(i) } catch { errors[i] = error }
    }
    for i in 0..<count { if let e = errors[i] { throw e } }
}
