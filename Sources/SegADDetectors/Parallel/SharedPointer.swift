/// A pointer into memory that the workers of one
/// `DispatchQueue.concurrentPerform` share: the detectors' nearest-neighbour
/// search, coreset and their scans hand each worker the same input rows and
/// one output array to fill.
///
/// It is `Sendable` without the compiler's proof (`@unchecked`). That holds
/// because every use keeps to two rules, which its call site states:
///
/// - Lifetime: the pointer comes from a `withUnsafe…BufferPointer` (or an
///   allocation) that encloses the `concurrentPerform`, which returns only
///   after every worker has finished; no worker keeps the pointer.
/// - Disjoint access: during the call, memory that any worker writes is
///   written by that worker alone (its own tile, chunk, stride or slot) and
///   read by no other; everything else is only read.
///
/// Reading and writing go through the pointer itself (`+`, the subscript's
/// addressors), so code compiles as with a raw pointer; nothing is copied.
struct SharedPointer<Pointee>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Pointee>

    init(_ pointer: UnsafeMutablePointer<Pointee>) { base = pointer }
    /// A pointer the workers only read through.
    init(_ pointer: UnsafePointer<Pointee>) { base = UnsafeMutablePointer(mutating: pointer) }
    init(_ buffer: UnsafeMutableBufferPointer<Pointee>) { base = buffer.baseAddress! }
    /// A buffer the workers only read through.
    init(_ buffer: UnsafeBufferPointer<Pointee>) { self.init(buffer.baseAddress!) }

    @inline(__always)
    static func + (p: SharedPointer, offset: Int) -> UnsafeMutablePointer<Pointee> { p.base + offset }

    @inline(__always)
    subscript(i: Int) -> Pointee {
        unsafeAddress { UnsafePointer(base + i) }
        nonmutating unsafeMutableAddress { base + i }
    }
}
