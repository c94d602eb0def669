// See include/segad_im2col.h. Copies only: no arithmetic, so every clone
// writes the same bits.
#include "segad_im2col.h"
#include "vector.h"

/// dst[ox] = src[ox·2] for ox in [a, b): 16 at a time from two 16-float
/// loads and a shuffle, the rest one by one.
static inline __attribute__((always_inline)) void copy_stride2(const float *src, float *dst, long a, long b) {
    long ox = a;
    for (; ox + 16 <= b; ox += 16) store16(dst + ox, even16(src + 2 * ox));
    for (; ox < b; ox++) dst[ox] = src[2 * ox];
}

#if defined(__x86_64__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void segad_im2col(const float *x, long cin, long h, long w, long k, long s, long pt, long pl, long oh, long ow,
                  long col0, long col1, float *cols, long ld, long first) {
    if (col1 <= col0) return;
    for (long r = 0; r < cin * k * k; r++) {
        const long ci = r / (k * k), ky = r / k % k, kx = r % k;
        // Output columns whose input column ox·s + kx − pl lies inside.
        const long valid0 = max_l(0, ceil_div(pl - kx, s)), valid1 = min_l(ow, floor_div(w - 1 + pl - kx, s) + 1);
        for (long oy = col0 / ow; oy <= (col1 - 1) / ow; oy++) {
            // The part of output row oy inside [col0, col1).
            const long a = max_l(0, col0 - oy * ow), b = min_l(ow, col1 - oy * ow);
            float *dst = cols + r * ld + oy * ow - first;
            const long iy = oy * s + ky - pt;
            if (iy < 0 || iy >= h) {
                memset(dst + a, 0, (size_t)(b - a) * sizeof(float));
                continue;
            }
            const long ox0 = min_l(b, max_l(a, valid0)), ox1 = max_l(ox0, min_l(b, valid1));
            // src[ox·s] is x[ci, iy, ox·s + kx − pl].
            const float *src = x + (ci * h + iy) * w + kx - pl;
            memset(dst + a, 0, (size_t)(ox0 - a) * sizeof(float));
            if (s == 1) {
                memcpy(dst + ox0, src + ox0, (size_t)(ox1 - ox0) * sizeof(float));
            } else if (s == 2) {
                // A chunk starting at c reads row columns 2c + kx − pl … 2c + kx − pl + 31:
                // chunks start at c ≤ ⌊(w − 32 + pl − kx)/2⌋, the rest one by one.
                const long safe = max_l(ox0, min_l(ox1, floor_div(w - 32 + pl - kx, 2) + 16));
                copy_stride2(src, dst, ox0, safe);
                for (long ox = safe; ox < ox1; ox++) dst[ox] = src[2 * ox];
            } else {
                for (long ox = ox0; ox < ox1; ox++) dst[ox] = src[ox * s];
            }
            memset(dst + ox1, 0, (size_t)(b - ox1) * sizeof(float));
        }
    }
}
