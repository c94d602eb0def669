import Foundation

/// Asks the kernel for 2 MiB pages under a large buffer about to be written
/// for the first time (transparent huge pages in "madvise" mode, Debian's
/// default): one page fault per 2 MiB instead of per 4 KiB. Loading a
/// pipeline writes about 100 MB of fresh tensors, where the small-page
/// faults cost more than the reads (docs/patchcore.md, "Pipeline load").
/// Advice only: where the kernel declines, nothing changes.
public enum LargePages {
    /// Buffers smaller than this are left alone.
    public static let threshold = 8 << 20

    public static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= threshold else { return }
        #if os(Linux)
        let huge = 2 << 20
        let begin = (Int(bitPattern: start) + huge - 1) / huge * huge
        let end = (Int(bitPattern: start) + bytes) / huge * huge
        if end > begin { _ = madvise(UnsafeMutableRawPointer(bitPattern: begin), end - begin, MADV_HUGEPAGE) }
        #endif
    }
}
