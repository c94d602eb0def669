// See include/segad_nndot.h. Explicit fused multiply-adds only (the target
// is built with -ffp-contract=off, so nothing else is fused): every clone
// computes the same bits (fmaf is exact by definition), the AVX2 and AVX-512
// ones with the instruction, the plain x86-64 one through the C library.
#include "segad_nndot.h"
#include <math.h>

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

static inline __attribute__((always_inline)) float chain(const float *a, const float *b, long dim) {
    float s = 0;
    for (long k = 0; k < dim; k++) s = fmaf(a[k], b[k], s);
    return 0.0f + (-2.0f * s);
}

static inline __attribute__((always_inline)) float even_odd(const float *a, const float *b, long dim) {
    float x = 0, y = 0;
    long k = 0;
    for (; k + 2 <= dim; k += 2) { x = fmaf(a[k], b[k], x); y = fmaf(a[k + 1], b[k + 1], y); }
    if (k < dim) x = fmaf(a[k], b[k], x);
    return 0.0f + (-2.0f * (x + y));
}

/// Four chains side by side (independent, so their latencies overlap).
static inline __attribute__((always_inline)) void chain4(const float *a, const float *b0, const float *b1,
                                                         const float *b2, const float *b3, long dim, float *out) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (long k = 0; k < dim; k++) {
        const float ak = a[k];
        s0 = fmaf(ak, b0[k], s0); s1 = fmaf(ak, b1[k], s1); s2 = fmaf(ak, b2[k], s2); s3 = fmaf(ak, b3[k], s3);
    }
    out[0] = 0.0f + (-2.0f * s0); out[1] = 0.0f + (-2.0f * s1);
    out[2] = 0.0f + (-2.0f * s2); out[3] = 0.0f + (-2.0f * s3);
}

CLONES
void segad_nn_dots(const float *q, const float *bank, long dim, const int32_t *idx, const uint8_t *variants,
                   long n, float *out) {
    long t = 0;
    while (t < n) {
        if (t + 4 <= n && (variants[t] | variants[t + 1] | variants[t + 2] | variants[t + 3]) == 0) {
            chain4(q, bank + (long)idx[t] * dim, bank + (long)idx[t + 1] * dim, bank + (long)idx[t + 2] * dim,
                   bank + (long)idx[t + 3] * dim, dim, out + t);
            t += 4;
        } else {
            const float *b = bank + (long)idx[t] * dim;
            out[t] = variants[t] == 0 ? chain(q, b, dim) : even_odd(q, b, dim);
            t += 1;
        }
    }
}

CLONES
void segad_nn_tile(const float *a, long m, const float *b, long n, long dim, int variant, float *out) {
    for (long i = 0; i < m; i++) {
        const float *ai = a + i * dim;
        long j = 0;
        if (variant == 0)
            for (; j + 4 <= n; j += 4)
                chain4(ai, b + j * dim, b + (j + 1) * dim, b + (j + 2) * dim, b + (j + 3) * dim, dim, out + i * n + j);
        for (; j < n; j++) out[i * n + j] = variant == 0 ? chain(ai, b + j * dim, dim) : even_odd(ai, b + j * dim, dim);
    }
}
