// OpenBLAS pinned to one kernel family and one thread count at process
// start, so every BLAS call gives the same bits on any x86-64 CPU with AVX2
// (docs/determinism.md).
#ifndef SEGAD_BLAS_PIN_H
#define SEGAD_BLAS_PIN_H

/// The OpenBLAS thread count every BLAS call outside the backbone runs with
/// (the backbone's own calls run with one). Fixed, not the CPU count: the
/// threaded sgemm's result depends on how many threads split it.
#define SEGAD_BLAS_THREADS 2

/// The kernel family OpenBLAS chose for this CPU when it loaded ("Zen",
/// "SkylakeX", …), before the pin.
const char *segad_blas_detected_core(void);

/// The kernel family in use now ("Haswell" once pinned).
const char *segad_blas_core(void);

/// OpenBLAS's thread count now.
int segad_blas_thread_count(void);

/// 1 when the pin holds (AVX2 and FMA present, OpenBLAS built with
/// DYNAMIC_ARCH), 0 when OpenBLAS keeps its own choice.
int segad_blas_pinned(void);

/// Switches OpenBLAS to the kernel family `core` (an OPENBLAS_CORETYPE name)
/// through OpenBLAS's own start-up code; returns 1 when `core` is in use
/// afterwards. Only while no BLAS call runs (the benchmark's side-by-side
/// timing; the pin itself runs before main).
int segad_blas_select(const char *core);

#endif
