/// Where a detector's `apply` spends its time, stage by stage (the
/// backbone, PatchCore's nearest-neighbour search, PaDiM's Mahalanobis
/// distances, upsampling and blur, …) for `segad-bench score`
/// (BENCHMARKS.md, "Line speed"; docs/patchcore.md, "Per-stage floors").
///
/// Off by default: with no `sink`, a stage boundary is one load of a
/// global and a branch — no clock is read, nothing allocated — so maps and
/// their cost are those of an uninstrumented build. A benchmark installs a
/// sink before it scores and removes it after; the detectors call it on
/// the thread running `apply`, never concurrently from their worker threads.
public enum StageClock {
    /// Receives each stage's name and duration; nil (the default) turns timing off.
    /// Set only while no detector runs (nonisolated(unsafe): one writer, before the readers).
    nonisolated(unsafe) public static var sink: ((String, Duration) -> Void)?

    /// The start of a span: nil when timing is off.
    @inline(__always)
    public static func now() -> ContinuousClock.Instant? {
        sink == nil ? nil : ContinuousClock.now
    }

    /// Reports the span from `mark` to now as `stage` and moves `mark` to
    /// now; does nothing when `mark` is nil (timing was off at its start).
    @inline(__always)
    public static func lap(_ stage: @autoclosure () -> String, _ mark: inout ContinuousClock.Instant?) {
        guard let began = mark, let sink else { return }
        let now = ContinuousClock.now
        sink(stage(), began.duration(to: now))
        mark = now
    }
}
