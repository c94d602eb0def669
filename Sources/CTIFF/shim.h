#ifndef SEGAD_CTIFF_SHIM_H
#define SEGAD_CTIFF_SHIM_H
#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>

/* TIFFGetField is variadic, which Swift cannot call: typed wrappers. */
static inline int segad_tiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int segad_tiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetField(tif, tag, value);
}
static inline int segad_tiff_get_u16_defaulted(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}

/* libtiff prints errors and warnings to stderr by default. These handlers
   keep the calling thread's last error message instead (libtiff calls them
   synchronously on the thread that made the failing call) and drop warnings. */
static inline char *segad_tiff_last_error(void) {
    static _Thread_local char buffer[512];
    return buffer;
}
static inline void segad_tiff_clear_error(void) { segad_tiff_last_error()[0] = 0; }
static void segad_tiff_error_handler(const char *module, const char *fmt, va_list ap) {
    char *buf = segad_tiff_last_error();
    int n = 0;
    if (module && *module) n = snprintf(buf, 512, "%s: ", module);
    if (n < 0 || n >= 512) n = 0;
    vsnprintf(buf + n, 512 - (size_t)n, fmt, ap);
}
static void segad_tiff_warning_handler(const char *module, const char *fmt, va_list ap) {
    (void)module; (void)fmt; (void)ap;
}
static inline void segad_tiff_install_handlers(void) {
    TIFFSetErrorHandler(segad_tiff_error_handler);
    TIFFSetWarningHandler(segad_tiff_warning_handler);
}
#endif
