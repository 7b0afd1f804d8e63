// libjpeg-turbo shim: see jpeg_turbo.h.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "jpeg_turbo.h"

// err is the error manager shared by both directions: error_exit and
// warnings that mean the pixels are wrong jump back to the entry point.
struct err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void err_exit(j_common_ptr c) {
	struct err *e = (struct err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

// err_emit turns corrupt-data warnings into errors (damaged entropy data,
// truncation, bad scan parameters); other warnings (extraneous bytes
// between markers, an unknown JFIF revision or Adobe transform) and trace
// messages are ignored, as djpeg does.
static void err_emit(j_common_ptr c, int level) {
	if (level >= 0) return;
	switch (c->err->msg_code) {
	case JWRN_HIT_MARKER:
	case JWRN_HUFF_BAD_CODE:
	case JWRN_JPEG_EOF:
	case JWRN_MUST_RESYNC:
	case JWRN_NOT_SEQUENTIAL:
	case JWRN_BOGUS_PROGRESSION:
		err_exit(c);
	}
}

static void err_init(struct err *e) {
	jpeg_std_error(&e->pub);
	e->pub.error_exit = err_exit;
	e->pub.emit_message = err_emit;
	e->msg[0] = 0;
}

// ---- decoder ----

struct ujd {
	struct jpeg_decompress_struct c;
	struct err err;
	struct jpeg_source_mgr src;
	unsigned char *buf; // input not yet consumed starts at src.next_input_byte
	size_t cap;
	size_t skip; // bytes skip_input_data still has to drop
	int eof;
	int created;
};

static void src_init(j_decompress_ptr c) { (void)c; }
static void src_term(j_decompress_ptr c) { (void)c; }

// src_fill suspends libjpeg (it resumes from its last consistent point
// once more input is fed); at the end of the input the file is truncated.
static boolean src_fill(j_decompress_ptr c) {
	ujd *d = (ujd *)c->client_data;
	if (d->eof) ERREXIT(c, JERR_INPUT_EOF);
	return FALSE;
}

static void src_skip(j_decompress_ptr c, long n) {
	ujd *d = (ujd *)c->client_data;
	if (n <= 0) return;
	if ((size_t)n <= d->src.bytes_in_buffer) {
		d->src.next_input_byte += n;
		d->src.bytes_in_buffer -= n;
		return;
	}
	d->skip += (size_t)n - d->src.bytes_in_buffer;
	d->src.next_input_byte += d->src.bytes_in_buffer;
	d->src.bytes_in_buffer = 0;
}

ujd *ujd_new(void) {
	ujd *d = calloc(1, sizeof(ujd));
	if (!d) return NULL;
	err_init(&d->err);
	d->c.err = &d->err.pub;
	if (setjmp(d->err.jb)) {
		free(d);
		return NULL;
	}
	jpeg_create_decompress(&d->c);
	d->created = 1;
	d->c.client_data = d;
	d->src.init_source = src_init;
	d->src.fill_input_buffer = src_fill;
	d->src.skip_input_data = src_skip;
	d->src.resync_to_restart = jpeg_resync_to_restart;
	d->src.term_source = src_term;
	d->c.src = &d->src;
	return d;
}

void ujd_free(ujd *d) {
	if (!d) return;
	if (d->created) jpeg_destroy_decompress(&d->c);
	free(d->buf);
	free(d);
}

const char *ujd_msg(ujd *d) { return d->err.msg; }

int ujd_feed(ujd *d, const unsigned char *p, size_t n, int eof) {
	d->eof = eof;
	if (d->skip) {
		size_t k = d->skip < n ? d->skip : n;
		d->skip -= k;
		p += k;
		n -= k;
	}
	size_t keep = d->src.bytes_in_buffer;
	if (keep && d->src.next_input_byte != d->buf) memmove(d->buf, d->src.next_input_byte, keep);
	if (keep + n > d->cap) {
		size_t cap = d->cap ? d->cap : 1 << 16;
		while (cap < keep + n) cap *= 2;
		unsigned char *b = realloc(d->buf, cap);
		if (!b) {
			snprintf(d->err.msg, sizeof d->err.msg, "out of memory for %zu input bytes", keep + n);
			return UJ_ERR;
		}
		d->buf = b;
		d->cap = cap;
	}
	if (n) memcpy(d->buf + keep, p, n);
	d->src.next_input_byte = d->buf;
	d->src.bytes_in_buffer = keep + n;
	return UJ_OK;
}

int ujd_header(ujd *d, int *w, int *h, int *comps, int *adobe) {
	if (setjmp(d->err.jb)) return UJ_ERR;
	if (jpeg_read_header(&d->c, TRUE) == JPEG_SUSPENDED) return UJ_SUSPEND;
	*w = (int)d->c.image_width;
	*h = (int)d->c.image_height;
	*comps = d->c.num_components;
	*adobe = d->c.saw_Adobe_marker;
	switch (d->c.num_components) {
	case 1:
		d->c.out_color_space = JCS_GRAYSCALE;
		break;
	case 3:
		d->c.out_color_space = JCS_RGB;
		break;
	case 4:
		d->c.out_color_space = JCS_CMYK;
		break;
	default:
		snprintf(d->err.msg, sizeof d->err.msg, "%d components", d->c.num_components);
		return UJ_ERR;
	}
	return UJ_OK;
}

int ujd_start(ujd *d) {
	if (setjmp(d->err.jb)) return UJ_ERR;
	return jpeg_start_decompress(&d->c) ? UJ_OK : UJ_SUSPEND;
}

int ujd_rows(ujd *d, unsigned char *dst, size_t stride, int max, int *got) {
	JSAMPROW rows[16];
	*got = 0;
	if (setjmp(d->err.jb)) return UJ_ERR;
	while (*got < max && d->c.output_scanline < d->c.output_height) {
		int n = max - *got;
		if (n > 16) n = 16;
		for (int i = 0; i < n; i++) rows[i] = dst + (size_t)(*got + i) * stride;
		JDIMENSION k = jpeg_read_scanlines(&d->c, rows, (JDIMENSION)n);
		if (k == 0) return UJ_SUSPEND;
		*got += (int)k;
	}
	return UJ_OK;
}

// ---- encoder ----

struct ujc {
	struct jpeg_compress_struct c;
	struct err err;
	struct jpeg_destination_mgr dst;
	unsigned char *buf; // output since the last ujc_drained
	size_t cap;
	int created;
};

static void dst_init(j_compress_ptr c) {
	ujc *e = (ujc *)c->client_data;
	e->dst.next_output_byte = e->buf;
	e->dst.free_in_buffer = e->cap;
}

// dst_grow doubles the buffer: the caller drains it after every call, so
// it holds at most what one call produces.
static boolean dst_grow(j_compress_ptr c) {
	ujc *e = (ujc *)c->client_data;
	size_t used = e->cap; // empty_output_buffer is called when it is full
	size_t cap = e->cap * 2;
	unsigned char *b = realloc(e->buf, cap);
	if (!b) ERREXIT1(c, JERR_OUT_OF_MEMORY, 10);
	e->buf = b;
	e->cap = cap;
	e->dst.next_output_byte = b + used;
	e->dst.free_in_buffer = cap - used;
	return TRUE;
}

static void dst_term(j_compress_ptr c) { (void)c; }

ujc *ujc_new(int w, int h, int comps, int hs, int vs, int quality, int ycck) {
	ujc *e = calloc(1, sizeof(ujc));
	if (!e) return NULL;
	e->cap = 1 << 16;
	e->buf = malloc(e->cap);
	if (!e->buf) {
		free(e);
		return NULL;
	}
	err_init(&e->err);
	e->c.err = &e->err.pub;
	if (setjmp(e->err.jb)) {
		ujc_free(e);
		return NULL;
	}
	jpeg_create_compress(&e->c);
	e->created = 1;
	e->c.client_data = e;
	e->dst.init_destination = dst_init;
	e->dst.empty_output_buffer = dst_grow;
	e->dst.term_destination = dst_term;
	e->c.dest = &e->dst;
	e->c.image_width = (JDIMENSION)w;
	e->c.image_height = (JDIMENSION)h;
	e->c.input_components = comps;
	e->c.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
	jpeg_set_defaults(&e->c);
	if (comps == 4) jpeg_set_colorspace(&e->c, ycck ? JCS_YCCK : JCS_CMYK);
	jpeg_set_quality(&e->c, quality, TRUE);
	if (comps == 3) {
		e->c.comp_info[0].h_samp_factor = hs;
		e->c.comp_info[0].v_samp_factor = vs;
	}
	return e;
}

void ujc_free(ujc *e) {
	if (!e) return;
	if (e->created) jpeg_destroy_compress(&e->c);
	free(e->buf);
	free(e);
}

const char *ujc_msg(ujc *e) { return e->err.msg; }

// icc_chunk is the most profile bytes one APP2 marker carries (65535 minus
// the length field, "ICC_PROFILE\0" and the sequence bytes).
enum { icc_chunk = 65519 };

void ujc_set_restart(ujc *e, unsigned int mcus) { e->c.restart_interval = mcus; }

int ujc_start(ujc *e, const unsigned char *icc, size_t icc_len) {
	if (setjmp(e->err.jb)) return UJ_ERR;
	jpeg_start_compress(&e->c, TRUE);
	size_t n = (icc_len + icc_chunk - 1) / icc_chunk;
	if (n > 255) {
		snprintf(e->err.msg, sizeof e->err.msg, "ICC profile of %zu bytes needs more than 255 markers", icc_len);
		return UJ_ERR;
	}
	for (size_t i = 0; i < n; i++) {
		size_t off = i * icc_chunk, len = icc_len - off < icc_chunk ? icc_len - off : icc_chunk;
		jpeg_write_m_header(&e->c, JPEG_APP0 + 2, (unsigned int)(len + 14));
		const char *tag = "ICC_PROFILE";
		for (const char *p = tag; *p; p++) jpeg_write_m_byte(&e->c, *p);
		jpeg_write_m_byte(&e->c, 0);
		jpeg_write_m_byte(&e->c, (int)(i + 1));
		jpeg_write_m_byte(&e->c, (int)n);
		for (size_t k = 0; k < len; k++) jpeg_write_m_byte(&e->c, icc[off + k]);
	}
	return UJ_OK;
}

int ujc_rows(ujc *e, const unsigned char *src, size_t stride, int n) {
	JSAMPROW rows[16];
	if (setjmp(e->err.jb)) return UJ_ERR;
	for (int y = 0; y < n;) {
		int k = n - y;
		if (k > 16) k = 16;
		for (int i = 0; i < k; i++) rows[i] = (JSAMPROW)(src + (size_t)(y + i) * stride);
		y += (int)jpeg_write_scanlines(&e->c, rows, (JDIMENSION)k);
	}
	return UJ_OK;
}

int ujc_finish(ujc *e) {
	if (setjmp(e->err.jb)) return UJ_ERR;
	jpeg_finish_compress(&e->c);
	return UJ_OK;
}

const unsigned char *ujc_out(ujc *e, size_t *n) {
	*n = (size_t)(e->dst.next_output_byte - e->buf);
	return e->buf;
}

// ujc_drained marks the output taken: libjpeg writes from the start of
// the buffer again (between calls it keeps no pointer into it).
void ujc_drained(ujc *e) {
	e->dst.free_in_buffer += (size_t)(e->dst.next_output_byte - e->buf);
	e->dst.next_output_byte = e->buf;
}
