#ifndef SEGAD_CPNG_SHIM_H
#define SEGAD_CPNG_SHIM_H
#include <png.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libpng reports errors by longjmp, which must never cross a Swift frame.
   The two helpers below keep setjmp, libpng and longjmp inside C: libpng's
   error callback records the message and jumps back to the helper, which
   returns a status. Swift sees only plain calls and a message buffer. */

typedef struct segad_png_status {
    char message[256];
    int code; /* 0, or 1: declared size above the limits, 2: more than the file can hold */
} segad_png_status;

static void segad_png_error_fn(png_structp png, png_const_charp msg) {
    segad_png_status *st = (segad_png_status *)png_get_error_ptr(png);
    if (st) { snprintf(st->message, sizeof st->message, "%s", msg ? msg : "unknown libpng error"); }
    png_longjmp(png, 1);
}

static void segad_png_warning_fn(png_structp png, png_const_charp msg) {
    (void)png; (void)msg; /* warnings are not errors; do not print them */
}

/* What segad_png_read returns besides the pixel bytes. */
typedef struct segad_png_info {
    unsigned width, height;
    int channels;   /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (after expansion) */
    int bit_depth;  /* 8 or 16 (after expansion) */
    int file_bit_depth; /* the file's: 1, 2, 4, 8 or 16 */
    size_t rowbytes;
    unsigned char *exif;  /* copy of the first eXIf chunk's payload as stored, or NULL (free()) */
    size_t exif_length;
} segad_png_info;

/* The eXIf chunk is read as an unknown chunk (raw bytes, CRC checked) rather
   than by libpng's own eXIf handler, which drops a payload that does not
   start with "II" or "MM" — some writers put the JPEG prefix "Exif\0\0"
   first, and Pillow reads those too. Copies the first eXIf chunk stored in
   pinfo, if there is one and none was copied yet. */
#if defined(PNG_HANDLE_AS_UNKNOWN_SUPPORTED) && defined(PNG_STORE_UNKNOWN_CHUNKS_SUPPORTED)
#define SEGAD_PNG_EXIF_AS_UNKNOWN 1
#endif

static void segad_png_copy_exif(png_structp png, png_infop pinfo, segad_png_info *info) {
    if (info->exif || !pinfo) return;
    png_bytep exif = NULL;
    size_t length = 0;
#if defined(SEGAD_PNG_EXIF_AS_UNKNOWN)
    png_unknown_chunkp unknowns = NULL;
    int n = png_get_unknown_chunks(png, pinfo, &unknowns);
    for (int i = 0; i < n; i++) {
        if (memcmp(unknowns[i].name, "eXIf", 4) == 0 && unknowns[i].data && unknowns[i].size > 0) {
            exif = unknowns[i].data;
            length = unknowns[i].size;
            break;
        }
    }
#elif defined(PNG_eXIf_SUPPORTED)
    png_uint_32 length32 = 0;
    if (png_get_eXIf_1(png, pinfo, &length32, &exif) & PNG_INFO_eXIf) length = length32;
#else
    (void)png;
#endif
    if (exif && length > 0) {
        info->exif = (unsigned char *)malloc(length);
        if (info->exif) { memcpy(info->exif, exif, length); info->exif_length = length; }
    }
}

/* Reads a whole PNG. Palette images become RGB; gray below 8 bits is
   unpacked to one byte per sample KEEPING the stored value (0…2^depth − 1:
   a 1-bit label map stays 0/1; the caller scales images by the file's bit
   depth); 16-bit samples stay big-endian as in the file. The first eXIf
   chunk (before or after the image data: Pillow reads both) is copied to
   info->exif. The declared size is checked before anything of that size
   is allocated: each side at most max_side, width × height at most
   max_pixels (st->code 1), and the raw rows no more than deflate's 1032:1
   ratio lets the file hold (st->code 2).
   Returns a malloc'd buffer of height * rowbytes bytes (free with free()),
   or NULL with st->message set. */
static inline unsigned char *segad_png_read(const char *path, segad_png_info *info,
                                            segad_png_status *st, png_uint_32 max_side,
                                            unsigned long long max_pixels) {
    st->message[0] = 0;
    st->code = 0;
    info->exif = NULL;
    info->exif_length = 0;
    FILE *volatile fp = fopen(path, "rb");
    if (!fp) { snprintf(st->message, sizeof st->message, "cannot open: %s", strerror(errno)); return NULL; }
    struct stat sb;
    unsigned long long file_size = fstat(fileno(fp), &sb) == 0 ? (unsigned long long)sb.st_size : 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, segad_png_error_fn, segad_png_warning_fn);
    if (!png) { fclose(fp); snprintf(st->message, sizeof st->message, "libpng: out of memory"); return NULL; }
    png_infop pinfo = png_create_info_struct(png);
    png_infop endinfo = pinfo ? png_create_info_struct(png) : NULL;
    unsigned char *volatile data = NULL;
    png_bytep *volatile rows = NULL;
    if (!pinfo || !endinfo || setjmp(png_jmpbuf(png))) {
        if (!pinfo || !endinfo) snprintf(st->message, sizeof st->message, "libpng: out of memory");
        png_destroy_read_struct(&png, pinfo ? &pinfo : NULL, endinfo ? &endinfo : NULL);
        free(rows); free(data); fclose(fp);
        free(info->exif); info->exif = NULL; info->exif_length = 0;
        return NULL;
    }
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
#if defined(SEGAD_PNG_EXIF_AS_UNKNOWN)
    static const png_byte exif_name[5] = { 'e', 'X', 'I', 'f', 0 };
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, exif_name, 1);
#endif
    png_init_io(png, fp);
    png_read_info(png, pinfo);
    segad_png_copy_exif(png, pinfo, info);
    int color = png_get_color_type(png, pinfo);
    int depth = png_get_bit_depth(png, pinfo);
    info->width = png_get_image_width(png, pinfo);
    info->height = png_get_image_height(png, pinfo);
    info->file_bit_depth = depth;
    if (info->width > max_side || info->height > max_side ||
        (unsigned long long)info->width * info->height > max_pixels) {
        st->code = 1;
        png_error(png, "declared size above the limits");
    }
    /* Filtered rows (one filter byte each) against the file's bytes: deflate
       expands at most 1032:1; interlacing adds a few filter bytes. */
    if (((unsigned long long)png_get_rowbytes(png, pinfo) + 1) * info->height > 1100ULL * file_size + 65536) {
        st->code = 2;
        png_error(png, "declared size larger than the file can hold");
    }
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_packing(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);
    info->width = png_get_image_width(png, pinfo);
    info->height = png_get_image_height(png, pinfo);
    info->channels = png_get_channels(png, pinfo);
    info->bit_depth = png_get_bit_depth(png, pinfo);
    info->rowbytes = png_get_rowbytes(png, pinfo);
    if (info->height == 0 || info->rowbytes == 0) png_error(png, "empty image");
    data = (unsigned char *)malloc(info->rowbytes * info->height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * info->height);
    if (!data || !rows) png_error(png, "out of memory for the pixel rows");
    for (unsigned y = 0; y < info->height; y++) rows[y] = data + (size_t)y * info->rowbytes;
    png_read_image(png, rows);
    png_read_end(png, endinfo);
    segad_png_copy_exif(png, endinfo, info);
    png_destroy_read_struct(&png, &pinfo, &endinfo);
    free(rows); fclose(fp);
    return data;
}

/* Writes a non-interlaced PNG. color_type is PNG_COLOR_TYPE_GRAY or _RGB;
   16-bit rows must hold big-endian samples. fast: zlib level 1 and the Sub
   filter alone (a few times faster, somewhat larger; for images written per
   request such as score-new's overlays), else libpng's defaults.
   Returns 0, or -1 with st->message. */
static inline int segad_png_write(const char *path, png_uint_32 width, png_uint_32 height,
                                  int color_type, int bit_depth, const unsigned char *data,
                                  size_t rowbytes, int fast, segad_png_status *st) {
    st->message[0] = 0;
    FILE *volatile fp = fopen(path, "wb");
    if (!fp) { snprintf(st->message, sizeof st->message, "cannot create: %s", strerror(errno)); return -1; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st, segad_png_error_fn, segad_png_warning_fn);
    if (!png) { fclose(fp); snprintf(st->message, sizeof st->message, "libpng: out of memory"); return -1; }
    png_infop pinfo = png_create_info_struct(png);
    if (!pinfo || setjmp(png_jmpbuf(png))) {
        if (!pinfo) snprintf(st->message, sizeof st->message, "libpng: out of memory");
        png_destroy_write_struct(&png, pinfo ? &pinfo : NULL);
        fclose(fp);
        return -1;
    }
    png_init_io(png, fp);
    if (fast) {
        png_set_compression_level(png, 1);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    }
    png_set_IHDR(png, pinfo, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pinfo);
    for (png_uint_32 y = 0; y < height; y++) png_write_row(png, data + (size_t)y * rowbytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &pinfo);
    if (fclose(fp) != 0) { snprintf(st->message, sizeof st->message, "cannot write: %s", strerror(errno)); return -1; }
    return 0;
}

#endif
