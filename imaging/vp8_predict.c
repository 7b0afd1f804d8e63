// Intra predictors of RFC 6386 section 12: whole-block modes for the
// 16×16 luma and 8×8 chroma blocks (12.2, 12.3) and the ten 4×4
// sub-block modes (12.3). The caller supplies the edges: 127 above the
// frame, 129 left of it (rows >= 0), already replaced where they apply.
#include <string.h>

#include "vp8_enc.h"

static inline uint8_t clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }

void vp8_pred_mb(int mode, int n, const uint8_t *top, const uint8_t *left, int ls, int have_top, int have_left, uint8_t *dst, int ds) {
	const int shift = n == 16 ? 4 : 3;
	switch (mode) {
	case VP8_DC: {
		// Only the edges inside the frame count (12.2); none: 128.
		int s = 0, v = 128;
		if (have_top && have_left) {
			for (int i = 0; i < n; i++) s += top[i] + left[i * ls];
			v = (s + n) >> (shift + 1);
		} else if (have_top) {
			for (int i = 0; i < n; i++) s += top[i];
			v = (s + n / 2) >> shift;
		} else if (have_left) {
			for (int i = 0; i < n; i++) s += left[i * ls];
			v = (s + n / 2) >> shift;
		}
		for (int r = 0; r < n; r++) memset(dst + r * ds, v, (size_t)n);
		break;
	}
	case VP8_V:
		for (int r = 0; r < n; r++) memcpy(dst + r * ds, top, (size_t)n);
		break;
	case VP8_H:
		for (int r = 0; r < n; r++) memset(dst + r * ds, left[r * ls], (size_t)n);
		break;
	default: { // TM: left + above − corner, clamped
		const int p = top[-1];
		for (int r = 0; r < n; r++) {
			const int l = left[r * ls] - p;
			uint8_t *o = dst + r * ds;
			for (int c = 0; c < n; c++) o[c] = clamp255(l + top[c]);
		}
	}
	}
}

#define AVG3(x, y, z) ((uint8_t)(((x) + 2 * (y) + (z) + 2) >> 2))
#define AVG2(x, y) ((uint8_t)(((x) + (y) + 1) >> 1))

// Sub-block modes in RFC order: B_DC, B_TM, B_VE, B_HE, B_LD, B_RD, B_VR,
// B_VL, B_HD, B_HU. top[-1] is the corner, top[0..7] above and above-right.
// pred_one predicts mode into B from the above row A (A[0..7]), the corner
// P, the left column L and the edge E from bottom-left to top-right:
// L3 L2 L1 L0 P A0 A1 A2 A3.
static inline void pred_one(int mode, const uint8_t *A, int P, const int *L, const int *E, uint8_t B[4][4]) {
	switch (mode) {
	case 0: {
		int v = 4;
		for (int i = 0; i < 4; i++) v += A[i] + L[i];
		memset(B, v >> 3, 16);
		break;
	}
	case 1:
		for (int r = 0; r < 4; r++)
			for (int c = 0; c < 4; c++) B[r][c] = clamp255(L[r] + A[c] - P);
		break;
	case 2:
		for (int c = 0; c < 4; c++) B[0][c] = B[1][c] = B[2][c] = B[3][c] = AVG3(c ? A[c - 1] : P, A[c], A[c + 1]);
		break;
	case 3: {
		const int v[4] = {AVG3(P, L[0], L[1]), AVG3(L[0], L[1], L[2]), AVG3(L[1], L[2], L[3]), AVG3(L[2], L[3], L[3])};
		for (int r = 0; r < 4; r++) memset(B[r], v[r], 4);
		break;
	}
	case 4: // LD: down-left diagonals from the above row
		for (int r = 0; r < 4; r++)
			for (int c = 0; c < 4; c++) {
				const int i = r + c;
				B[r][c] = i == 6 ? AVG3(A[6], A[7], A[7]) : AVG3(A[i], A[i + 1], A[i + 2]);
			}
		break;
	case 5: // RD: down-right diagonals along E
		for (int r = 0; r < 4; r++)
			for (int c = 0; c < 4; c++) {
				const int i = 4 - r + c;
				B[r][c] = AVG3(E[i - 1], E[i], E[i + 1]);
			}
		break;
	case 6: // VR
		B[3][0] = AVG3(E[1], E[2], E[3]);
		B[2][0] = AVG3(E[2], E[3], E[4]);
		B[3][1] = B[1][0] = AVG3(E[3], E[4], E[5]);
		B[2][1] = B[0][0] = AVG2(E[4], E[5]);
		B[3][2] = B[1][1] = AVG3(E[4], E[5], E[6]);
		B[2][2] = B[0][1] = AVG2(E[5], E[6]);
		B[3][3] = B[1][2] = AVG3(E[5], E[6], E[7]);
		B[2][3] = B[0][2] = AVG2(E[6], E[7]);
		B[1][3] = AVG3(E[6], E[7], E[8]);
		B[0][3] = AVG2(E[7], E[8]);
		break;
	case 7: // VL
		B[0][0] = AVG2(A[0], A[1]);
		B[1][0] = AVG3(A[0], A[1], A[2]);
		B[2][0] = B[0][1] = AVG2(A[1], A[2]);
		B[1][1] = B[3][0] = AVG3(A[1], A[2], A[3]);
		B[2][1] = B[0][2] = AVG2(A[2], A[3]);
		B[3][1] = B[1][2] = AVG3(A[2], A[3], A[4]);
		B[2][2] = B[0][3] = AVG2(A[3], A[4]);
		B[3][2] = B[1][3] = AVG3(A[3], A[4], A[5]);
		B[2][3] = AVG3(A[4], A[5], A[6]);
		B[3][3] = AVG3(A[5], A[6], A[7]);
		break;
	case 8: // HD
		B[3][0] = AVG2(E[0], E[1]);
		B[3][1] = AVG3(E[0], E[1], E[2]);
		B[2][0] = B[3][2] = AVG2(E[1], E[2]);
		B[2][1] = B[3][3] = AVG3(E[1], E[2], E[3]);
		B[2][2] = B[1][0] = AVG2(E[2], E[3]);
		B[2][3] = B[1][1] = AVG3(E[2], E[3], E[4]);
		B[1][2] = B[0][0] = AVG2(E[3], E[4]);
		B[1][3] = B[0][1] = AVG3(E[3], E[4], E[5]);
		B[0][2] = AVG3(E[4], E[5], E[6]);
		B[0][3] = AVG3(E[5], E[6], E[7]);
		break;
	default: // HU
		B[0][0] = AVG2(L[0], L[1]);
		B[0][1] = AVG3(L[0], L[1], L[2]);
		B[0][2] = B[1][0] = AVG2(L[1], L[2]);
		B[0][3] = B[1][1] = AVG3(L[1], L[2], L[3]);
		B[1][2] = B[2][0] = AVG2(L[2], L[3]);
		B[1][3] = B[2][1] = AVG3(L[2], L[3], L[3]);
		B[2][2] = B[2][3] = B[3][0] = B[3][1] = B[3][2] = B[3][3] = (uint8_t)L[3];
	}
}

void vp8_pred_b(int mode, const uint8_t *top, const uint8_t *left, int ls, uint8_t *dst, int ds) {
	const int P = top[-1];
	const int L[4] = {left[0], left[ls], left[2 * ls], left[3 * ls]};
	const int E[9] = {L[3], L[2], L[1], L[0], P, top[0], top[1], top[2], top[3]};
	uint8_t B[4][4];
	pred_one(mode, top, P, L, E, B);
	for (int r = 0; r < 4; r++) memcpy(dst + r * ds, B[r], 4);
}

void vp8_pred_b_all(const uint8_t *top, const uint8_t *left, int ls, uint8_t out[10][16]) {
	const int P = top[-1];
	const int L[4] = {left[0], left[ls], left[2 * ls], left[3 * ls]};
	const int E[9] = {L[3], L[2], L[1], L[0], P, top[0], top[1], top[2], top[3]};
	for (int m = 0; m < 10; m++) pred_one(m, top, P, L, E, (uint8_t(*)[4])out[m]);
}
