// The C kernels of the backbone: depthwise convolution, im2col and a spin-wait hint.
#include "segad_depthwise.h"
#include "segad_im2col.h"
#include "segad_spin.h"
