#ifndef SEGAD_CPNG_SHIM_H
#define SEGAD_CPNG_SHIM_H
#include <png.h>
#endif
