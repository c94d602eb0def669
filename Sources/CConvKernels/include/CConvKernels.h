// The C kernels: the backbone's depthwise convolution, im2col and a spin-wait hint;
// PatchCore's replayed sgemm cells.
#include "segad_depthwise.h"
#include "segad_im2col.h"
#include "segad_spin.h"
#include "segad_nndot.h"
