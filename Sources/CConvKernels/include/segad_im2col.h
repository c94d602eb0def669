// im2col for the dense convolutions (EfficientNet's stem, the ResNets), in
// C so that one source compiles for AVX-512, AVX2 and plain x86-64.
#ifndef SEGAD_IM2COL_H
#define SEGAD_IM2COL_H

/// Columns [col0, col1) (output pixels p = oy·ow + ox) of the im2col
/// matrix of a C×h×w input x: cell (r, p) = x[ci, oy·s + ky − pt, ox·s + kx − pl]
/// for r = (ci·k + ky)·k + kx, 0 outside the input, stored at
/// cols[r·ld + p − first] (the whole (C·k·k) × (oh·ow) matrix with ld = oh·ow
/// and first = 0, or a window of columns). Every cell of those columns is
/// written; nothing else.
void segad_im2col(const float *x, long cin, long h, long w, long k, long s, long pt, long pl, long oh, long ow,
                  long col0, long col1, float *cols, long ld, long first);

#endif
