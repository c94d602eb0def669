// segad-bench: release-only benchmarks (see BENCHMARKS.md).
#if DEBUG
fatalError("segad-bench refuses to run in a debug build: use `swift run -c release segad-bench`")
#endif
print("segad-bench: no benchmarks yet")
