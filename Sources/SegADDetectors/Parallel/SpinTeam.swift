import Foundation
import Synchronization
internal import CConvKernels

/// A team of helper threads for the backbone's forward pass, whose ~24
/// joins between layers would otherwise cost ~50 µs each: the time a
/// `DispatchQueue.concurrentPerform` worker that went to sleep between two
/// layers takes to wake (measured with 100–300 µs of work per part,
/// docs/patchcore.md).
///
/// `Parallel.session(parts:)` hands its body a `run` function; each
/// `run { part in … }` runs part 0 on the calling thread and parts 1… on the
/// helpers, and returns when all have finished, as `Parallel.run` does.
/// After each part a helper spins (with the CPU's pause hint) for up to
/// `spinNanoseconds`, so the next layer's run starts at once; then it sleeps
/// on a condition until the next run, so an idle team, or one on a machine
/// busy with other work, uses no CPU. The caller waits for the helpers the
/// same way but yields its core instead of sleeping. One session at a time
/// uses the team; a second, concurrent one, or one with a part count the
/// team does not have, runs its parts through `Parallel.run`, with the same
/// results.
final class SpinTeam: @unchecked Sendable {
    /// The process's team: one helper per core beyond the first.
    static let shared = SpinTeam(helpers: Parallel.cores - 1)
    /// How long a helper spins for the next run before it sleeps (longer
    /// than the gaps between the layers of one pass).
    static let spinNanoseconds: UInt64 = 50_000

    let helpers: Int
    /// Held by the session using the team.
    private let inUse = Mutex<Bool>(false)
    /// Bumped once per run; a helper runs the job when it sees a new value.
    private let generation = Atomic<Int>(0)
    /// Helpers done with the current run.
    private let finished = Atomic<Int>(0)
    /// Helpers asleep on `condition` (or about to be).
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private var started = false
    /// The current run's body: written before `generation` is bumped, read
    /// by helpers after they see the bump.
    private var job: ((Int) -> Void)?

    init(helpers: Int) { self.helpers = max(0, helpers) }

    /// Runs `body` with the team's `run` if the team is free and has
    /// `parts − 1` helpers; otherwise with `Parallel.run`.
    func session<T>(parts: Int, _ body: ((_ run: (_ part: (Int) -> Void) -> Void) -> T)) -> T {
        guard parts > 1, parts == helpers + 1 else { return body { Parallel.run(parts: parts, $0) } }
        let acquired = inUse.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard acquired else { return body { Parallel.run(parts: parts, $0) } }
        defer { inUse.withLock { $0 = false } }
        startHelpersOnce()
        return body { part in self.run(part) }
    }

    /// One run: part 0 here, the others on the helpers; returns when all are done.
    private func run(_ part: (Int) -> Void) {
        withoutActuallyEscaping(part) { part in
            job = part
            finished.store(0, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            // A helper that counted itself a sleeper before this bump either
            // sees the bump when it re-checks (under the lock) or is waiting
            // and gets this broadcast; one that did not will see the bump.
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            part(0)
            var spins = 0
            while finished.load(ordering: .acquiring) < helpers {
                spins += 1
                if spins < 4096 { segad_spin_pause() } else { sched_yield() }
            }
            job = nil
        }
    }

    private func startHelpersOnce() {
        // Only the session holder gets here, so no lock is needed.
        if started { return }
        started = true
        // The generation before this session's first run: a helper that
        // starts late must still see that run as new.
        let current = generation.load(ordering: .sequentiallyConsistent)
        for h in 0..<helpers {
            let thread = Thread { [self] in helperLoop(part: h + 1, seen: current) }
            thread.name = "segad-team-\(h + 1)"
            thread.start()
        }
    }

    private func helperLoop(part: Int, seen: Int) {
        var seen = seen
        var since = DispatchTime.now().uptimeNanoseconds, spins = 0
        while true {
            let g = generation.load(ordering: .sequentiallyConsistent)
            if g != seen {
                seen = g
                job!(part)
                finished.add(1, ordering: .releasing)
                since = DispatchTime.now().uptimeNanoseconds
                spins = 0
                continue
            }
            spins += 1
            if spins % 64 != 0 || DispatchTime.now().uptimeNanoseconds - since < Self.spinNanoseconds {
                segad_spin_pause()
                continue
            }
            condition.lock()
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            condition.unlock()
            since = DispatchTime.now().uptimeNanoseconds
            spins = 0
        }
    }
}

extension Parallel {
    /// Runs `body` with a `run` function that behaves like `Parallel.run(parts:_:)`
    /// but, when it can, on `SpinTeam.shared`, whose helpers stay awake
    /// between the runs of a pass.
    static func session<T>(parts: Int, _ body: ((_ run: (_ part: (Int) -> Void) -> Void) -> T)) -> T {
        SpinTeam.shared.session(parts: parts, body)
    }
}
