// libcrypto (OpenSSL 3) message digests: SegADNative.SHA256 hashes through
// EVP_Digest*, which picks the CPU's SHA extensions at run time.
#ifndef SEGAD_CCRYPTO_SHIM_H
#define SEGAD_CCRYPTO_SHIM_H
#include <openssl/evp.h>

/// SHA-256's digest length in bytes (EVP_MAX_MD_SIZE bounds every digest).
static inline int segad_sha256_digest_length(void) { return 32; }
#endif
