// SHA-256 block function using the x86 SHA extensions (SHA-NI).
// Used by SegADNative's SHA256 when the CPU supports it; the pure-Swift
// block function remains the fallback.
#ifndef SEGAD_SHA256_NI_H
#define SEGAD_SHA256_NI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU can run segad_sha256_ni_blocks (SHA, SSE4.1 and SSSE3
/// present), else 0. Always 0 on non-x86 targets.
int segad_sha256_ni_available(void);

/// Applies the SHA-256 compression function (FIPS 180-4, 6.2.2) to `blocks`
/// consecutive 64-byte blocks at `data` (any alignment), updating the hash
/// state H0..H7 in `state`. Only call when segad_sha256_ni_available().
void segad_sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#ifdef __cplusplus
}
#endif

#endif
