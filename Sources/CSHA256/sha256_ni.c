// SHA-256 compression with the Intel SHA extensions.
//
// SHA256RNDS2 performs two rounds. It keeps the working variables in two
// registers, "ABEF" (A in the highest dword, then B, E, F) and "CDGH"
// (C, D, G, H), and takes W[t]+K[t] for the two rounds in the low two dwords
// of its third operand; it returns the new ABEF, while the old ABEF becomes
// the new CDGH (after two rounds C,D = old A,B and G,H = old E,F).
// SHA256MSG1/SHA256MSG2 compute the message schedule four words at a time:
//   msg1(W[t-16..t-13], W[t-12..t-9])  = W[t-16..t-13] + σ0(W[t-15..t-12])
//   + W[t-7..t-4]                      (an alignr of the two newest vectors)
//   msg2(that, W[t-4..t-1])            = adds σ1 terms, giving W[t..t+3].
#include "sha256_ni.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

int segad_sha256_ni_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}

static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define SEGAD_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// Four rounds t..t+3 with message words w = W[t..t+3] (lane 0 = W[t]).
// On entry and exit abef/cdgh hold the working variables in SHA-NI order.
#define FOUR_ROUNDS(w, t)                                                     \
    do {                                                                      \
        __m128i wk_ = _mm_add_epi32((w), _mm_load_si128((const __m128i *)&K[t])); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_);                        \
        wk_ = _mm_shuffle_epi32(wk_, 0x0E); /* lanes 2,3 down to 0,1 */       \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, wk_);                        \
    } while (0)

// Replaces w0 = W[t-16..t-13] by W[t..t+3], given w1 = W[t-12..t-9],
// w2 = W[t-8..t-5], w3 = W[t-4..t-1].
#define SCHEDULE(w0, w1, w2, w3)                                              \
    (w0) = _mm_sha256msg2_epu32(                                              \
        _mm_add_epi32(_mm_sha256msg1_epu32((w0), (w1)),                       \
                      _mm_alignr_epi8((w3), (w2), 4)),                        \
        (w3))

SEGAD_SHA_TARGET
void segad_sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    if (blocks == 0) return;
    // Big-endian words: reverse the bytes within each 32-bit lane.
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

    // state (lanes A B C D | E F G H) -> ABEF (lanes F E B A) and CDGH (lanes H G D C).
    __m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);      // B A D C
    __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);      // H G F E
    __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);     // F E B A
    __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);  // H G D C

    for (; blocks > 0; blocks--, data += 64) {
        const __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), bswap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), bswap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), bswap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), bswap);

        FOUR_ROUNDS(w0, 0);
        FOUR_ROUNDS(w1, 4);
        FOUR_ROUNDS(w2, 8);
        FOUR_ROUNDS(w3, 12);
        for (int t = 16; t < 64; t += 16) {
            SCHEDULE(w0, w1, w2, w3); FOUR_ROUNDS(w0, t);
            SCHEDULE(w1, w2, w3, w0); FOUR_ROUNDS(w1, t + 4);
            SCHEDULE(w2, w3, w0, w1); FOUR_ROUNDS(w2, t + 8);
            SCHEDULE(w3, w0, w1, w2); FOUR_ROUNDS(w3, t + 12);
        }

        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }

    // Back to A B C D | E F G H.
    __m128i abef_r = _mm_shuffle_epi32(abef, 0x1B);    // A B E F
    __m128i cdgh_r = _mm_shuffle_epi32(cdgh, 0xB1);    // G H C D
    abcd = _mm_blend_epi16(abef_r, cdgh_r, 0xF0);      // A B C D
    efgh = _mm_alignr_epi8(cdgh_r, abef_r, 8);         // E F G H
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

#else

int segad_sha256_ni_available(void) { return 0; }

void segad_sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
    __builtin_trap(); // never called: segad_sha256_ni_available() is 0
}

#endif
