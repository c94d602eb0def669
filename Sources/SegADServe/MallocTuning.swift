#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// glibc's allocator, set for a server that runs for months
/// (docs/serving.md, "Memory"):
///
/// - at most two malloc arenas (`M_ARENA_MAX`, as `MALLOC_ARENA_MAX=2`):
///   glibc gives each thread that meets a busy arena a new one, up to 8 per
///   core, and each keeps the memory freed into it. A server's threads are
///   many (the event loops, the task pool that reads bodies, the scoring
///   worker and its team, SQLite's writer and readers), and under load
///   more of them allocate at once, so arenas multiply and RSS climbs with
///   the number of connections although every buffer is freed;
/// - freed memory given back to the system once the queue has been idle
///   for a second (`malloc_trim`), so a burst's high-water mark is not kept
///   until the next one. Not while busy: pages given back are faulted in
///   again by the next batch.
///
/// The large buffers of a batch (the backbone's per-image maps) still come
/// from the heap and are reused from one batch to the next; setting a fixed
/// `M_MMAP_THRESHOLD` would return them at every free and fault them in
/// again for every image.
///
/// The functions are looked up in the C library at run time (Swift's Glibc
/// module does not include malloc.h); where they are missing (another C
/// library) nothing changes. A `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES` set in
/// the environment is the operator's choice and is left alone.
enum MallocTuning {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias Trim = @convention(c) (Int) -> Int32
    /// malloc.h's M_ARENA_MAX.
    static let arenaMaxParameter: Int32 = -8
    static let arenas: Int32 = 2

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        #if canImport(Glibc)
        return dlsym(dlopen(nil, RTLD_NOW), name)
        #else
        return nil
        #endif
    }
    private static let mallopt = symbol("mallopt").map { unsafeBitCast($0, to: Mallopt.self) }
    private static let mallocTrim = symbol("malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Sets the arena limit unless the environment sets the allocator; returns whether it did.
    @discardableResult
    static func configure(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment["MALLOC_ARENA_MAX"] == nil, environment["GLIBC_TUNABLES"] == nil,
              let mallopt else { return false }
        return mallopt(arenaMaxParameter, arenas) == 1
    }

    /// Gives the free memory of every arena back to the system.
    static func trim() {
        _ = mallocTrim?(0)
    }
}
