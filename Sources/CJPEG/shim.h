#ifndef SEGAD_CJPEG_SHIM_H
#define SEGAD_CJPEG_SHIM_H
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libjpeg reports fatal errors through error_exit, which must not return:
   the helpers below keep setjmp, libjpeg and longjmp inside C (a longjmp
   must never cross a Swift frame). Warnings are sorted by message code
   (segad_jpeg_warning_is_benign): the few that concern bytes outside the
   image data are passed over; every other warning (premature end of the
   file or of a data segment, a bad Huffman or arithmetic code, a missing
   restart marker, an inconsistent progression, ...) means damaged image
   data and is an error here (SEGAD_JPEG_CORRUPT). Swift sees plain calls,
   a status code and a message. */

enum {
    SEGAD_JPEG_OK = 0,
    SEGAD_JPEG_ERROR = 1,      /* libjpeg's message in st->message */
    SEGAD_JPEG_CMYK = 2,       /* CMYK or YCCK data: refused */
    SEGAD_JPEG_TOO_LARGE = 3,  /* declared size above the caller's limits */
    SEGAD_JPEG_OPEN = 4,       /* fopen failed; strerror in st->message */
    SEGAD_JPEG_CHANNELS = 5,   /* neither 1 nor 3 components */
    SEGAD_JPEG_CORRUPT = 6     /* a warning that means damaged image data; message in st->message */
};

typedef struct segad_jpeg_status {
    int code;
    int msg_code;           /* libjpeg's message code of the error or fatal warning (J_MESSAGE_CODE) */
    char message[JMSG_LENGTH_MAX + 56];
} segad_jpeg_status;

typedef struct segad_jpeg_info {
    unsigned width, height;
    int channels;           /* 1 gray, 3 RGB (YCbCr converted by libjpeg) */
    int color_space;        /* J_COLOR_SPACE of the file */
    int progressive;
    unsigned char *exif;    /* copy of the first APP1 "Exif\0\0" payload, or NULL (free()) */
    size_t exif_length;
} segad_jpeg_info;

typedef struct segad_jpeg_error_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    segad_jpeg_status *status;
} segad_jpeg_error_mgr;

static void segad_jpeg_error_exit(j_common_ptr cinfo) {
    segad_jpeg_error_mgr *err = (segad_jpeg_error_mgr *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    snprintf(err->status->message, sizeof err->status->message, "%s", buffer);
    err->status->code = SEGAD_JPEG_ERROR;
    err->status->msg_code = cinfo->err->msg_code;
    longjmp(err->jump, 1);
}

/* Warnings that leave the decoded pixels as every decoder (and Pillow)
   makes them: an allowlist by message code, so a warning not named here
   (including any a later libjpeg adds) refuses the file.
   - JWRN_EXTRANEOUS_DATA "Corrupt JPEG data: N extraneous bytes before
     marker 0xXX": bytes between segments (e.g. camera padding before EOI or
     between header markers) that libjpeg skips to reach the next marker;
     damaged entropy-coded data show up as one of the fatal codes below.
   - JWRN_JFIF_MAJOR: an unknown JFIF revision number in APP0 (metadata).
   - JWRN_BOGUS_ICC: a bad ICC profile marker (metadata; only raised by
     jpeg_read_icc_profile, which this reader does not call).
   Fatal, for the record: JWRN_JPEG_EOF (file ends early), JWRN_HIT_MARKER
   (a scan's data end early), JWRN_HUFF_BAD_CODE, JWRN_ARITH_BAD_CODE,
   JWRN_MUST_RESYNC (restart marker missing or out of sequence),
   JWRN_BOGUS_PROGRESSION, JWRN_NOT_SEQUENTIAL (inconsistent scan
   parameters), JWRN_ADOBE_XFORM
   (unknown Adobe color transform: the colors would be a guess),
   JWRN_TOO_MUCH_DATA. Trace messages (level >= 0, e.g. an unknown APPn
   marker, which libjpeg skips) are not warnings and are ignored. */
static int segad_jpeg_warning_is_benign(int msg_code) {
    return msg_code == JWRN_EXTRANEOUS_DATA || msg_code == JWRN_JFIF_MAJOR || msg_code == JWRN_BOGUS_ICC;
}

static void segad_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return; /* trace messages */
    segad_jpeg_error_mgr *err = (segad_jpeg_error_mgr *)cinfo->err;
    if (segad_jpeg_warning_is_benign(cinfo->err->msg_code)) {
        cinfo->err->num_warnings++;
        return;
    }
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    snprintf(err->status->message, sizeof err->status->message, "%s", buffer);
    err->status->code = SEGAD_JPEG_CORRUPT;
    err->status->msg_code = cinfo->err->msg_code;
    longjmp(err->jump, 1);
}

/* Decodes a whole JPEG file, one scanline at a time into a buffer that grows
   with the rows actually decoded (a header that lies about the size stops at
   the first missing row, not after a giant allocation). Refuses sizes above
   max_side / max_pixels before decoding, and caps libjpeg's own memory (the
   whole-image coefficient buffer of progressive files) at 64 MiB plus 1 KiB
   per byte of file: a Huffman-coded DC scan spends at least one bit per
   8×8 block, i.e. at most 8 blocks (1 KiB of coefficients) per file byte.
   Returns a malloc'd buffer of height * width * channels bytes (free()), or
   NULL with st->code and st->message set. */
static inline unsigned char *segad_jpeg_read(const char *path, segad_jpeg_info *info, segad_jpeg_status *st,
                                             unsigned max_side, unsigned long long max_pixels) {
    st->code = SEGAD_JPEG_OK;
    st->msg_code = 0;
    st->message[0] = 0;
    memset(info, 0, sizeof *info);
    FILE *volatile fp = fopen(path, "rb");
    if (!fp) {
        st->code = SEGAD_JPEG_OPEN;
        snprintf(st->message, sizeof st->message, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    long long file_size = fstat(fileno(fp), &sb) == 0 ? (long long)sb.st_size : 0;
    struct jpeg_decompress_struct cinfo;
    segad_jpeg_error_mgr err;
    unsigned char *volatile data = NULL;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = segad_jpeg_error_exit;
    err.pub.emit_message = segad_jpeg_emit_message;
    err.status = st;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(data);
        free(info->exif);
        info->exif = NULL;
        info->exif_length = 0;
        fclose(fp);
        return NULL;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, fp);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    (void)jpeg_read_header(&cinfo, TRUE);
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    info->color_space = (int)cinfo.jpeg_color_space;
    info->progressive = cinfo.progressive_mode ? 1 : 0;
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            info->exif = (unsigned char *)malloc(m->data_length);
            if (info->exif) { memcpy(info->exif, m->data, m->data_length); info->exif_length = m->data_length; }
            break;
        }
    }
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        st->code = SEGAD_JPEG_CMYK;
        snprintf(st->message, sizeof st->message, "%s", cinfo.jpeg_color_space == JCS_CMYK ? "CMYK" : "YCCK");
        longjmp(err.jump, 1);
    }
    if (cinfo.num_components != 1 && cinfo.num_components != 3) {
        st->code = SEGAD_JPEG_CHANNELS;
        snprintf(st->message, sizeof st->message, "%d", cinfo.num_components);
        longjmp(err.jump, 1);
    }
    if (cinfo.image_width > max_side || cinfo.image_height > max_side ||
        (unsigned long long)cinfo.image_width * cinfo.image_height > max_pixels) {
        st->code = SEGAD_JPEG_TOO_LARGE;
        longjmp(err.jump, 1);
    }
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    cinfo.mem->max_memory_to_use = (long)((64LL << 20) + 1024LL * file_size);
    (void)jpeg_start_decompress(&cinfo);
    info->channels = cinfo.output_components;
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    size_t total = row_bytes * cinfo.output_height;
    size_t capacity = 0;
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t need = row_bytes * ((size_t)cinfo.output_scanline + 1);
        if (need > capacity) {
            size_t grown = capacity < (1u << 20) ? (1u << 20) : capacity * 2;
            if (grown > total) grown = total;
            if (grown < need) grown = need;
            unsigned char *bigger = (unsigned char *)realloc(data, grown);
            if (!bigger) {
                snprintf(st->message, sizeof st->message, "out of memory for the pixel rows");
                st->code = SEGAD_JPEG_ERROR;
                longjmp(err.jump, 1);
            }
            data = bigger;
            capacity = grown;
        }
        JSAMPROW row = data + row_bytes * cinfo.output_scanline;
        (void)jpeg_read_scanlines(&cinfo, &row, 1);
    }
    (void)jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(fp);
    return data;
}

/* Writes a JPEG (tests make their fixtures with it): components 1 (gray),
   3 (RGB, stored as YCbCr) or 4 (CMYK, stored as CMYK or, with ycck, YCCK);
   optionally progressive, optionally with one APP1 payload (e.g. Exif).
   Returns 0, or -1 with st->message. */
static inline int segad_jpeg_write(const char *path, unsigned width, unsigned height, int components,
                                   const unsigned char *pixels, int quality, int progressive, int ycck,
                                   const unsigned char *app1, size_t app1_length, segad_jpeg_status *st) {
    st->code = SEGAD_JPEG_OK;
    st->message[0] = 0;
    FILE *volatile fp = fopen(path, "wb");
    if (!fp) {
        st->code = SEGAD_JPEG_OPEN;
        snprintf(st->message, sizeof st->message, "cannot create: %s", strerror(errno));
        return -1;
    }
    struct jpeg_compress_struct cinfo;
    segad_jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = segad_jpeg_error_exit;
    err.pub.emit_message = segad_jpeg_emit_message;
    err.status = st;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        fclose(fp);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, fp);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    if (components == 4) jpeg_set_colorspace(&cinfo, ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    if (app1 && app1_length) jpeg_write_marker(&cinfo, JPEG_APP0 + 1, app1, (unsigned)app1_length);
    size_t row_bytes = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + row_bytes * cinfo.next_scanline);
        (void)jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    if (fclose(fp) != 0) {
        snprintf(st->message, sizeof st->message, "cannot write: %s", strerror(errno));
        return -1;
    }
    return 0;
}
#endif
