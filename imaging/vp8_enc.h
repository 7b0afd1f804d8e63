// VP8 key-frame encoder written from the VP8 specification (RFC 6386):
// one lossy WebP picture (YUV 4:2:0, no alpha) encoded on many threads.
// MB rows are encoded in a wavefront (row r may take macroblock x once
// row r-1 has finished x+1); each row's tokens are kept compactly and
// written into 8 token partitions (row r to partition r % 8) after the
// coefficient probabilities are chosen from the whole picture's counts.
#ifndef UPSCALED_VP8_ENC_H
#define UPSCALED_VP8_ENC_H

#include <stddef.h>
#include <stdint.h>

// vp8e_opts: test hooks besides the quality. force_ymode: -1 choose,
// 0..3 every MB that 16x16 mode (DC, V, H, TM), 4+b every MB B_PRED with
// every sub-block mode b (0..9, RFC order B_DC..B_HU); force_uvmode -1 or
// 0..3; filter_level -1 from the quantizer, else 0..63. recon_*: when
// set, the unfiltered reconstruction (what a decoder builds before the
// loop filter) is stored there: Y w×h with stride w, U and V
// ((w+1)/2)×((h+1)/2) with stride (w+1)/2.
typedef struct {
	int quality;      // 0..100
	int force_ymode;  // -1 or 0..13
	int force_uvmode; // -1 or 0..3
	int filter_level; // -1 or 0..63
	int qindex;       // -1 or 0..127: overrides quality's quantizer
	int uv_delta;     // chroma quantizer index delta, -15..15
	uint8_t *recon_y, *recon_u, *recon_v;
} vp8e_opts;

// VP8E_UV_DELTA is the production chroma quantizer delta: on 2× colour
// pages at quality 90, -2 bought 0.1-0.2 dB of RGB PSNR for 1-2 % bytes.
#define VP8E_UV_DELTA (-2)

typedef struct vp8e vp8e;

// vp8e_new prepares the encode of a w×h picture from its planes; NULL on
// failure (out of memory, or a size VP8 cannot hold: over 16383).
vp8e *vp8e_new(const uint8_t *y, const uint8_t *u, const uint8_t *v, int y_stride, int uv_stride, int w, int h, const vp8e_opts *o);
// vp8e_work encodes MB rows until none is left; any number of threads may
// call it at once, each returning when no row is left to take. It waits
// only for rows other callers already took, so it never deadlocks.
void vp8e_work(vp8e *e);
// vp8e_write_part writes token partition p (0..7), or for p = 8 the first
// partition (header and modes); once every vp8e_work call returned, the
// 9 may be written at once.
void vp8e_write_part(vp8e *e, int p);
// vp8e_finish writes the first partition if vp8e_write_part did not, then
// the file: RIFF
// WEBP with one "VP8 " chunk. *out is malloc'd. Returns 0, or -1 on out
// of memory, -2 when the first partition exceeds the format's 512 KiB.
int vp8e_finish(vp8e *e, uint8_t **out, size_t *n);
void vp8e_free(vp8e *e);
// vp8e_encode does it all on threads pthreads (>= 1).
int vp8e_encode(const uint8_t *y, const uint8_t *u, const uint8_t *v, int y_stride, int uv_stride, int w, int h, const vp8e_opts *o, int threads, uint8_t **out, size_t *n);
// vp8e_qindex is the quantizer index quality (0..100) maps to.
int vp8e_qindex(int quality);

// Internal: shared by the vp8_*.c files.

// Format tables (vp8_tables.c, generated from RFC 6386).
extern const uint8_t vp8_coeff_update_probs[4][8][3][11];
extern const uint8_t vp8_default_coeff_probs[4][8][3][11];
extern const uint8_t vp8_kf_bmode_probs[10][10][9];
extern const uint16_t vp8_dc_qlookup[128];
extern const uint16_t vp8_ac_qlookup[128];
extern const uint8_t vp8_coeff_bands[16];
extern const uint8_t vp8_zigzag[16];
extern const uint8_t vp8_kf_ymode_probs[4];
extern const uint8_t vp8_kf_uv_mode_probs[3];
extern const uint8_t vp8_pcat1[1], vp8_pcat2[2], vp8_pcat3[3], vp8_pcat4[4], vp8_pcat5[5], vp8_pcat6[11];

// Boolean encoder (vp8_bool.c, RFC 6386 section 7): a growable buffer.
typedef struct {
	uint8_t *buf;
	size_t n, cap;
	uint32_t range, bottom;
	int bit_count;
	int oom;
} vp8_bw;
void vp8_bw_init(vp8_bw *w, size_t cap);
void vp8_bw_put(vp8_bw *w, int prob, int bit);
void vp8_bw_literal(vp8_bw *w, uint32_t v, int nbits); // MSB first, prob 128
void vp8_bw_flush(vp8_bw *w);
// vp8_bit_cost[p][b] is the cost of coding bit b at probability p (of a
// 0) in 1/256 bits; filled by vp8_costs_init.
extern uint16_t vp8_bit_cost[256][2];
void vp8_costs_init(void);

// Transforms (vp8_transform.c): 4×4 blocks, coefficients in raster order.
void vp8_fdct(const int16_t in[16], int16_t out[16]);
void vp8_idct_add(const int16_t in[16], const uint8_t *pred, int ps, uint8_t *dst, int ds);
void vp8_fwht(const int16_t in[16], int16_t out[16]);
void vp8_iwht(const int16_t in[16], int16_t out[16]);

// Intra predictors (vp8_predict.c). top points at the row above the
// block (top[-1] the corner, top[n..] above-right where used), left at the
// column left of it, left_stride apart; dst is n×n with stride ds.
enum { VP8_DC, VP8_V, VP8_H, VP8_TM, VP8_BPRED };
void vp8_pred_mb(int mode, int n, const uint8_t *top, const uint8_t *left, int ls, int have_top, int have_left, uint8_t *dst, int ds);
void vp8_pred_b(int mode, const uint8_t *top, const uint8_t *left, int ls, uint8_t *dst, int ds);
// vp8_pred_b_all predicts all ten sub-block modes, each 4×4 packed.
void vp8_pred_b_all(const uint8_t *top, const uint8_t *left, int ls, uint8_t out[10][16]);

#endif
