// docs/determinism.md: OpenBLAS (DYNAMIC_ARCH) picks its sgemm kernels for
// the CPU it loads on, and Haswell, SkylakeX, SandyBridge, … kernels sum in
// different orders, so the backbone's features differ in the last bits from
// one CPU to another. This constructor runs after libopenblas's own (the
// loader initializes a library before the objects that need it) and before
// main, while no BLAS call can run: it asks OpenBLAS to start over with the
// Haswell kernels (AVX2 + FMA; Zen uses the very same code), which every
// AVX2 and AVX-512 CPU executes, and fixes the thread count.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "segad_blas_pin.h"

// DYNAMIC_ARCH builds export these; weak, so a build for one fixed CPU (no
// such symbols) still links and simply is not pinned.
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
// From cblas.h (declared here: its folder differs between distributions).
extern char *openblas_get_corename(void);
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);

static char detected[32] = "unknown";
static int pinned = 0;

const char *segad_blas_detected_core(void) { return detected; }
const char *segad_blas_core(void) { return openblas_get_corename(); }
int segad_blas_pinned(void) { return pinned; }
int segad_blas_thread_count(void) { return openblas_get_num_threads(); }

int segad_blas_select(const char *core) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    // OpenBLAS's own path: quit clears the kernel table; init reads
    // OPENBLAS_CORETYPE, takes that table and runs its init (the blocking
    // parameters). The caller's environment is restored afterwards, so
    // child processes see what they would have seen.
    const char *was = getenv("OPENBLAS_CORETYPE");
    char *saved = was ? strdup(was) : NULL;
    setenv("OPENBLAS_CORETYPE", core, 1);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    if (saved) { setenv("OPENBLAS_CORETYPE", saved, 1); free(saved); }
    else unsetenv("OPENBLAS_CORETYPE");
    return strcasecmp(openblas_get_corename(), core) == 0;
}

__attribute__((constructor)) static void segad_blas_pin(void) {
    snprintf(detected, sizeof detected, "%s", openblas_get_corename());
    __builtin_cpu_init();
    // __builtin_cpu_supports checks the OS saves the AVX state too.
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        pinned = segad_blas_select("Haswell");
    openblas_set_num_threads(SEGAD_BLAS_THREADS);
}
