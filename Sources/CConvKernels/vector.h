// What the C kernels share (not part of the module's interface): a 16-float
// vector type in GCC's vector extension, unaligned loads and stores, the even
// and odd lanes of 32 consecutive floats, and integer helpers.
#ifndef SEGAD_CONV_VECTOR_H
#define SEGAD_CONV_VECTOR_H
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));
typedef int i16 __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) v16 load16(const float *p) {
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }

/// p[0], p[2], …, p[30].
static inline __attribute__((always_inline)) v16 even16(const float *p) {
    return __builtin_shufflevector(load16(p), load16(p + 16), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

/// p[1], p[3], …, p[31].
static inline __attribute__((always_inline)) v16 odd16(const float *p) {
    return __builtin_shufflevector(load16(p), load16(p + 16), 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

static inline long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static inline long ceil_div(long a, long b) { return -floor_div(-a, b); }
static inline long min_l(long a, long b) { return a < b ? a : b; }
static inline long max_l(long a, long b) { return a > b ? a : b; }

#endif
