// Encoder state shared by vp8_enc.c (macroblock coding, wavefront) and
// vp8_write.c (token partitions, frame header, file).
#ifndef UPSCALED_VP8_INTERNAL_H
#define UPSCALED_VP8_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "vp8_enc.h"

#define VP8_NPART 8 // token partitions (log2 3)

// VP8_LINE_ROWS is how many MB rows' bottom lines are kept. Row r reads
// row r-1's; row r codes macroblock x only once row r-1 has coded x+1, so
// row r-k is at least 2k macroblocks ahead of row r and has read what row
// r overwrites in slot r % VP8_LINE_ROWS: 2 would do, 4 leaves a margin.
#define VP8_LINE_ROWS 4

// mbinfo is what partition 0 says of one macroblock.
typedef struct {
	uint8_t ymode;      // VP8_DC..VP8_BPRED
	uint8_t uvmode;     // VP8_DC..VP8_TM
	uint8_t skip;       // no non-zero coefficient: no tokens
	uint8_t bmodes[16]; // sub-block modes; for 16×16 modes the implied one (11.3)
} vp8_mbinfo;

// vp8_bytes is one MB row's tokens: per block a byte ctx | n << 2 (n: one
// past the last non-zero position in zigzag order, 0 if none) and the
// levels of positions first..n-1 as zigzag-signed varints.
typedef struct {
	uint8_t *p;
	size_t n, cap;
	int oom;
} vp8_bytes;

typedef uint32_t vp8_counts[4][8][3][11][2];

struct vp8e {
	const uint8_t *y, *u, *v;
	int ys, uvs, w, h, mbw, mbh;
	vp8e_opts o;
	int q, filter_level;
	int uvd; // chroma quantizer index delta (DC and AC)
	int dq[6]; // dequantization factors: Y DC, Y AC, Y2 DC, Y2 AC, UV DC, UV AC
	int iq[6]; // (1 << 17) / dq
	int lambda;
	int easy; // score under which a 16×16 coding is kept without trying sub-blocks
	vp8_mbinfo *mb;
	vp8_bytes *tok;   // per MB row
	uint8_t *lines;   // VP8_LINE_ROWS slots (MB row r in r % VP8_LINE_ROWS): its unfiltered bottom rows, Y then U then V
	size_t linew;     // Y line length: mbw * 16 + 4 (above-right of the last MB)
	uint8_t *top_nz;  // per MB column: 9 flags (Y 0..3, U 4..5, V 6..7, Y2 8)
	atomic_int *done; // per MB row: macroblocks finished
	atomic_int next_row;
	pthread_mutex_t mu;
	vp8_counts counts;
	uint64_t nskip;
	uint8_t probs[4][8][3][11]; // coefficient probabilities used
	uint8_t upd[4][8][3][11];   // 1 where probs differs from the default
	int probs_chosen;
	vp8_bw parts[VP8_NPART];
	vp8_bw p0; // first partition: header and modes
	int oom;
};

// A 16×16 coding scoring under 256·q_ac²/EASY_DIV skips the sub-block
// search: on a 33 MP page 16 halved the time for 2 % more bytes and
// 0.1 dB less than 64.
enum { EASY_DIV = 16 };

enum { VP8_BPS = 32 }; // stride of the per-MB work buffers

// Per-caller state: the current macroblock's edges and reconstruction.
typedef struct {
	// Y: pixel (r, c) at y[(r + 1) * VP8_BPS + 4 + c], r, c in -1..15 (row -1
	// runs to c = 19: above-right); U, V alike with 8×8.
	uint8_t y[17 * VP8_BPS], u[9 * VP8_BPS], v[9 * VP8_BPS];
	uint8_t sy[256], su[64], sv[64]; // source, edges replicated
	uint8_t left_nz[9];
	vp8_counts cnt;
	uint64_t nskip;
} vp8_worker;

void vp8_mode_costs_init(void);
// vp8_encode_mb codes macroblock (mx, my) once its left, above and
// above-right neighbours are done.
void vp8_encode_mb(vp8e *e, vp8_worker *t, int mx, int my);

// vp8_bmode_tree is the sub-block mode tree of RFC 6386 section 11.2
// (leaves -mode, B_DC's as 0 at index 0); vp8_tree_path gives a leaf's
// path from the root: probability indexes and bits; returns its length.
extern const int8_t vp8_bmode_tree[18];
int vp8_tree_path(const int8_t *tree, int n, int leaf, uint8_t *idx, uint8_t *bits);

// vp8_walk_block codes (w set) or counts (cnt set) one block's tokens,
// levels in zigzag order, positions first..last (last < first: empty).
void vp8_walk_block(vp8_bw *w, uint32_t (*cnt)[3][11][2], const uint8_t (*pr)[3][11], int first, int ctx, const int16_t *zl, int last);

#endif
