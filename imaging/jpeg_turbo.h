// Flat C API over libjpeg-turbo's libjpeg interface (jpeglib.h) for the
// Go JPEG decoder and encoder. Every call returns a status (UJ_OK,
// UJ_SUSPEND, UJ_ERR); after UJ_ERR the message is in uj_msg() and the
// handle may only be freed. libjpeg's longjmp error exits never cross a Go
// frame: setjmp is taken in each entry point below.
#ifndef UPSCALED_JPEG_TURBO_H
#define UPSCALED_JPEG_TURBO_H

#include <stddef.h>

enum { UJ_OK = 0, UJ_SUSPEND = 1, UJ_ERR = -1 };

// ujd is a decoder fed by the caller (suspending data source): input
// arrives through ujd_feed; calls that run out of input return UJ_SUSPEND.
typedef struct ujd ujd;

ujd *ujd_new(void);
void ujd_free(ujd *d);
const char *ujd_msg(ujd *d);
// ujd_feed appends n bytes of input (copied); eof: no more will come, so
// running out of input is then an error.
int ujd_feed(ujd *d, const unsigned char *p, size_t n, int eof);
// ujd_header reads the header: size, components (1, 3, 4), whether an
// Adobe APP14 marker was seen. It chooses libjpeg's defaults (ISLOW IDCT,
// fancy upsampling, block smoothing) with output gray, RGB or CMYK.
int ujd_header(ujd *d, int *w, int *h, int *comps, int *adobe);
// ujd_start starts decompression (a progressive file is read whole here).
int ujd_start(ujd *d);
// ujd_rows decodes up to max rows into dst (rows stride bytes apart),
// setting *got.
int ujd_rows(ujd *d, unsigned char *dst, size_t stride, int max, int *got);

// ujc is an encoder whose output accumulates in a C buffer that the caller
// drains (ujc_out, ujc_drained) after every call.
typedef struct ujc ujc;

// ujc_new opens an encoder: comps 1 (gray), 3 (RGB in, YCbCr out) or 4
// (CMYK in; ycck selects YCCK out); hs, vs the luma sampling factors (2,2
// 4:2:0; 2,1 4:2:2; 1,1 4:4:4); quality 1..100 with the standard tables.
ujc *ujc_new(int w, int h, int comps, int hs, int vs, int quality, int ycck);
void ujc_free(ujc *e);
const char *ujc_msg(ujc *e);
// ujc_set_restart sets the restart interval in MCUs (0: none) before
// ujc_start.
void ujc_set_restart(ujc *e, unsigned int mcus);
// ujc_start writes the headers, then the ICC profile (APP2 chunks) when
// icc_len > 0.
int ujc_start(ujc *e, const unsigned char *icc, size_t icc_len);
// ujc_rows compresses n rows from src (stride bytes apart).
int ujc_rows(ujc *e, const unsigned char *src, size_t stride, int n);
// ujc_finish writes the end of the file.
int ujc_finish(ujc *e);
// ujc_out is the output produced since the last ujc_drained call.
const unsigned char *ujc_out(ujc *e, size_t *n);
void ujc_drained(ujc *e);

#endif
