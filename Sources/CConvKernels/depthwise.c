// See include/segad_depthwise.h. Built with -ffp-contract=off (Package.swift):
// a multiply and an add must stay two roundings.
#include "segad_depthwise.h"
#include "vector.h"

static inline __attribute__((always_inline)) v16 splat(float f) {
    return (v16){f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f};
}

/// Swift's min(max(v, 0), 6): max(v, 0) is 0 when 0 >= v (so −0 gives +0),
/// else v (NaN stays NaN); min(a, 6) is 6 when 6 < a, else a.
static inline __attribute__((always_inline)) v16 relu6(v16 v) {
    i16 low = (i16)(v <= splat(0));
    v = (v16)(((i16)v) & ~low);
    i16 high = (i16)(v > splat(6));
    return (v16)((((i16)v) & ~high) | (((i16)splat(6)) & high));
}

static inline __attribute__((always_inline)) float relu6f(float v) {
    float a = 0 >= v ? 0 : v;
    return 6 < a ? 6 : a;
}

/// The first `count` lanes of v at p.
static inline __attribute__((always_inline)) void store(v16 v, long count, float *p) {
    if (count >= 16) {
        store16(p, v);
    } else {
        float lanes[16];
        memcpy(lanes, &v, sizeof v);
        for (long i = 0; i < count; i++) p[i] = lanes[i];
    }
}

static inline __attribute__((always_inline)) void zero16(float *p) { store16(p, splat(0)); }

/// dst[j] = relu6(src[j − pl]) for pl ≤ j < pl + w (pl ≤ 16), 0 for the
/// other j < n, in 16-lane stores: the last data chunk overlaps the one
/// before when w is not a multiple of 16 (it writes the same values), and
/// the zeros may run up to 15 floats past n.
static inline __attribute__((always_inline)) void fill_row(const float *src, long w, long pl, float *dst, long n) {
    zero16(dst);
    if (w >= 16) {
        for (long j = 0;; j += 16) {
            if (j + 16 > w) j = w - 16;
            store16(dst + pl + j, relu6(load16(src + j)));
            if (j + 16 == w) break;
        }
    } else {
        for (long j = 0; j < w; j++) dst[pl + j] = relu6f(src[j]);
    }
    for (long j = pl + w; j < n; j += 16) zero16(dst + j);
}

/// Padded rows [from, to) of one channel's plane, row r stored as row
/// r − base: plane[((r − base)·s + p)·L + j] = relu6(x[r − pt, j·s + p − pl]),
/// 0 outside, input row i read from x + (i − x_row0)·w.
/// For stride 2 each row is padded into `row` first (2·⌈L/16⌉·16 floats and
/// slack), then split into its even and odd columns 16 at a time. A row's or
/// phase's last stores may run up to 15 floats past its end, into the next
/// phase or row, which is written after it (the plane has 32 floats of
/// slack at its end).
static inline __attribute__((always_inline)) void fill_rows(const float *x, long x_row0, const segad_dw_plane *g,
                                                           float *dst, long base, float *row, const long s, long from,
                                                           long to) {
    const long lh = g->phase_length;
    for (long r = from; r < to; r++) {
        float *d = dst + (r - base) * s * lh;
        if (r < g->pad_top || r >= g->pad_top + g->h) {
            for (long j = 0; j < s * lh; j += 16) zero16(d + j);
            continue;
        }
        const float *src = x + (r - g->pad_top - x_row0) * g->w;
        if (s == 1) {
            fill_row(src, g->w, g->pad_left, d, lh);
        } else {
            fill_row(src, g->w, g->pad_left, row, 2 * ((lh + 15) / 16 * 16));
            float *even = d, *odd = even + lh;
            for (long j = 0; j < lh; j += 16) store16(even + j, even16(row + 2 * j));
            for (long j = 0; j < lh; j += 16) store16(odd + j, odd16(row + 2 * j));
        }
    }
}

/// The kernel for one constant kernel size K and stride S: per channel, for
/// each block of 4 output rows, the plane rows it reads are filled (just
/// before, so they are still in L1), then 16-column blocks accumulate their
/// taps in registers, are clamped and stored.
static inline __attribute__((always_inline)) void depthwise(const float *x, long x_row0, long x_channel_stride,
                                                           const segad_dw_plane *g, long c0, long c1, long oy0,
                                                           long oy1, const float *weight, const float *bias, float *y,
                                                           float *scratch, const long K, const long S) {
    const long lh = g->phase_length, row_length = S * lh, oh = g->oh, ow = g->ow;
    const long base = oy0 * S;  // the first padded row the band reads
    for (long c = c0; c < c1; c++) {
        const float *xc = x + c * x_channel_stride;
        float *row = scratch + g->rows * S * lh + 32;
        long filled = base;
        const float *wc = weight + c * K * K;
        const v16 b = splat(bias[c]);
        float *out = y + c * oh * ow;
        for (long oy = oy0; oy < oy1; oy += SEGAD_DW_BLOCK_ROWS) {
            const long need = (oy + SEGAD_DW_BLOCK_ROWS - 1) * S + K;
            fill_rows(xc, x_row0, g, scratch, base, row, S, filled, need);
            filled = need;
            const float *plane = scratch + (oy * S - base) * row_length;
            for (long ox = 0; ox < ow; ox += SEGAD_DW_BLOCK_COLUMNS) {
                v16 a0 = b, a1 = b, a2 = b, a3 = b;
                for (long ky = 0; ky < K; ky++) {
                    const float *r0 = plane + ky * row_length + ox;
                    const float *r1 = r0 + S * row_length, *r2 = r1 + S * row_length, *r3 = r2 + S * row_length;
                    for (long kx = 0; kx < K; kx++) {
                        const v16 wv = splat(wc[ky * K + kx]);
                        const long t = (kx % S) * lh + kx / S;
                        a0 = a0 + wv * load16(r0 + t);
                        a1 = a1 + wv * load16(r1 + t);
                        a2 = a2 + wv * load16(r2 + t);
                        a3 = a3 + wv * load16(r3 + t);
                    }
                }
                const long n = min_l(SEGAD_DW_BLOCK_COLUMNS, ow - ox);
                float *o = out + oy * ow + ox;
                store(relu6(a0), n, o);
                if (oy + 1 < oy1) store(relu6(a1), n, o + ow);
                if (oy + 2 < oy1) store(relu6(a2), n, o + 2 * ow);
                if (oy + 3 < oy1) store(relu6(a3), n, o + 3 * ow);
            }
        }
    }
}

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

CLONES void segad_depthwise_relu6(const float *x, long x_row0, long x_channel_stride, const segad_dw_plane *g,
                                  long c0, long c1, long oy0, long oy1, const float *weight, const float *bias,
                                  float *y, float *scratch) {
    switch (g->kernel * 10 + g->stride) {
    case 31: depthwise(x, x_row0, x_channel_stride, g, c0, c1, oy0, oy1, weight, bias, y, scratch, 3, 1); break;
    case 32: depthwise(x, x_row0, x_channel_stride, g, c0, c1, oy0, oy1, weight, bias, y, scratch, 3, 2); break;
    case 51: depthwise(x, x_row0, x_channel_stride, g, c0, c1, oy0, oy1, weight, bias, y, scratch, 5, 1); break;
    case 52: depthwise(x, x_row0, x_channel_stride, g, c0, c1, oy0, oy1, weight, bias, y, scratch, 5, 2); break;
    default: __builtin_trap();
    }
}

const char *segad_depthwise_isa(void) {
#if defined(__x86_64__)
    // The order target_clones' resolver tries them in.
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
#endif
    return "default";
}
