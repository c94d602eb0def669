#ifndef SEGAD_CTIFF_SHIM_H
#define SEGAD_CTIFF_SHIM_H
#include <tiffio.h>
#endif
