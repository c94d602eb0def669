// The cross terms of PatchCore's nearest-neighbour search, recomputed one by
// one in the arithmetic OpenBLAS's sgemm uses for them (docs/patchcore.md,
// "Pruned search"): the pruned search evaluates only some query–bank pairs
// and needs each value bit for bit as the brute force's tile sgemm gives it.
#ifndef SEGAD_NNDOT_H
#define SEGAD_NNDOT_H

#include <stdint.h>

/// The value of one sgemm cell C = −2·a·b + 0 (α = −2, β = 0) for the two
/// accumulation orders OpenBLAS's Haswell/Zen kernels use:
/// variant 0: one fused multiply-add chain over k = 0…dim−1 from 0;
/// variant 1: two chains, over even and over odd k, added at the end.
/// Then −2·s + 0 (the kernel scales by α and adds the zeroed C).
/// out[t] = that value for a = q and b = bank + idx[t]·dim, in the variant
/// variants[t] (t < n).
void segad_nn_dots(const float *q, const float *bank, long dim, const int32_t *idx, const uint8_t *variants,
                   long n, float *out);

/// out[i·n + j] = that value for a = a + i·dim, b = b + j·dim in variant
/// `variant` (i < m, j < n): a whole tile, for calibrating against sgemm.
void segad_nn_tile(const float *a, long m, const float *b, long n, long dim, int variant, float *out);

#endif
