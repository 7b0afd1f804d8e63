// Boolean entropy encoder of RFC 6386 section 7.3, writing into a
// growable buffer, and the bit-cost table used for rate estimates.
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "vp8_enc.h"

void vp8_bw_init(vp8_bw *w, size_t cap) {
	w->cap = cap < 64 ? 64 : cap;
	w->buf = malloc(w->cap);
	w->n = 0;
	w->oom = w->buf == NULL;
	w->range = 255;
	w->bottom = 0;
	w->bit_count = 24;
}

static void emit(vp8_bw *w, uint8_t b) {
	if (w->n == w->cap) {
		if (w->oom) return;
		uint8_t *p = realloc(w->buf, w->cap * 2);
		if (!p) {
			w->oom = 1;
			return;
		}
		w->buf = p;
		w->cap *= 2;
	}
	w->buf[w->n++] = b;
}

// carry adds one to the bytes already written (bottom overflowed).
static void carry(vp8_bw *w) {
	size_t i = w->n;
	while (i > 0 && w->buf[i - 1] == 255) w->buf[--i] = 0;
	if (i > 0) w->buf[i - 1]++;
}

void vp8_bw_put(vp8_bw *w, int prob, int bit) {
	uint32_t split = 1 + (((w->range - 1) * (uint32_t)prob) >> 8);
	if (bit) {
		w->bottom += split;
		w->range -= split;
	} else {
		w->range = split;
	}
	while (w->range < 128) {
		w->range <<= 1;
		if (w->bottom & 0x80000000u) carry(w);
		w->bottom <<= 1;
		if (--w->bit_count == 0) {
			emit(w, (uint8_t)(w->bottom >> 24));
			w->bottom &= 0xffffff;
			w->bit_count = 8;
		}
	}
}

void vp8_bw_literal(vp8_bw *w, uint32_t v, int nbits) {
	for (int i = nbits - 1; i >= 0; i--) vp8_bw_put(w, 128, (v >> i) & 1);
}

void vp8_bw_flush(vp8_bw *w) {
	int c = w->bit_count;
	uint32_t v = w->bottom;
	if (v & (1u << (32 - c))) carry(w);
	v <<= c & 7;
	for (c >>= 3; c > 0; c--) v <<= 8;
	for (int i = 0; i < 4; i++, v <<= 8) emit(w, (uint8_t)(v >> 24));
}

uint16_t vp8_bit_cost[256][2];

static void costs_fill(void) {
	for (int p = 1; p < 256; p++) {
		vp8_bit_cost[p][0] = (uint16_t)lrint(-log2(p / 256.0) * 256);
		vp8_bit_cost[p][1] = (uint16_t)lrint(-log2((256 - p) / 256.0) * 256);
	}
	vp8_bit_cost[0][0] = vp8_bit_cost[0][1] = 8 * 256;
}

void vp8_costs_init(void) {
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, costs_fill);
}
