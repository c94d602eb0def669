// The fused depthwise convolution of EfficientNet-Lite0's MBConv blocks,
// in C so that one source compiles for AVX-512, AVX2 and plain x86-64 and
// the loader picks the best the CPU has (target_clones). See
// Sources/SegADDetectors/Backbone/ConvOps+Depthwise.swift for the contract.
#ifndef SEGAD_DEPTHWISE_H
#define SEGAD_DEPTHWISE_H

/// Output columns and rows one block of the kernel computes: one 16-lane
/// vector on each of four output rows.
#define SEGAD_DW_BLOCK_COLUMNS 16
#define SEGAD_DW_BLOCK_ROWS 4

/// The geometry of one channel's zero-padded input plane: a kernel×kernel
/// window, stride 1 or 2, TF "SAME" padding (pad_top rows, pad_left columns
/// before), an h×w input and an oh×ow output; phase_length floats per phase
/// of a padded row (stride 2 keeps even and odd columns apart), `rows` padded
/// rows. Filled by the Swift side (ConvOps.DepthwisePlane).
typedef struct {
    long kernel, stride, h, w, oh, ow, pad_top, pad_left, phase_length, rows;
} segad_dw_plane;

/// y[c, oy, ox] = relu6(b[c] + Σ_{ky,kx} w[c,ky,kx]·relu6(x[c])[oy·s+ky−pt, ox·s+kx−pl])
/// for the channels c in [c0, c1) and output rows oy in [oy0, oy1) of the
/// C×oh×ow output y, zero outside
/// the C×h×w input, relu6(v) = min(max(v, 0), 6) as Swift
/// computes it. The input may be a window of rows: input row i of channel c
/// is read at x + c·x_channel_stride + (i − x_row0)·w, and the window must
/// hold every row inside the input that the band reads. Every output sums its taps from the bias in the order ky, kx
/// with separate multiplies and adds (no fused multiply-add), so the values
/// do not depend on the instruction set. `scratch` holds
/// segad_dw_scratch(plane) floats and is overwritten.
void segad_depthwise_relu6(const float *x, long x_row0, long x_channel_stride, const segad_dw_plane *plane,
                           long c0, long c1, long oy0, long oy1, const float *weight, const float *bias, float *y,
                           float *scratch);

/// Floats of scratch segad_depthwise_relu6 needs: the padded plane with 32
/// floats of slack, and one padded input row (with slack) for stride 2.
static inline long segad_dw_scratch(const segad_dw_plane *plane) {
    return plane->rows * plane->stride * plane->phase_length + 32 + 2 * ((plane->phase_length + 15) / 16 * 16) + 32;
}

/// The instruction set the loader chose for segad_depthwise_relu6:
/// "x86-64-v4" (AVX-512), "x86-64-v3" (AVX2) or "default".
const char *segad_depthwise_isa(void);

#endif
