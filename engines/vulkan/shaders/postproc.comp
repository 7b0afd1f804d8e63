#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Network output (3-channel pack4 blob) → interleaved RGB words of 8- or
// 16-bit values: optional nearest residual of the input pixels (input pixel
// (offY + y/S, offX + x/S)), ×255 or ×65535, round, clamp in float.
layout(local_size_x = 64) in;
layout(constant_id = 0) const int DEPTH = 8;
layout(binding = 0) readonly buffer Blob { sfp4 blob[]; };
layout(binding = 1) writeonly buffer Out { uint words[]; };
layout(binding = 2) readonly buffer Pix { uint pix[]; };
layout(push_constant) uniform P { int W, H, nwords, inW, resid, S, offX, offY; } p;

float input_px(int i) {
	if (DEPTH == 8) return float((pix[i >> 2] >> ((i & 3) * 8)) & 255u) / 255.0;
	return float((pix[i >> 1] >> ((i & 1) * 16)) & 65535u) / 65535.0;
}

uint quantize(int e) {
	if (e >= p.W * p.H * 3) return 0u;
	int px = e / 3;
	int ch = e % 3;
	int y = px / p.W;
	int x = px % p.W;
	float v = LD4(blob[px])[ch];
	if (p.resid == 1) v += input_px(((p.offY + y / p.S) * p.inW + p.offX + x / p.S) * 3 + ch);
	float m = DEPTH == 8 ? 255.0 : 65535.0;
	return uint(clamp(floor(v * m + 0.5), 0.0, m));
}

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i >= p.nwords) return;
	uint w;
	if (DEPTH == 8) {
		w = quantize(i * 4) | (quantize(i * 4 + 1) << 8) | (quantize(i * 4 + 2) << 16) | (quantize(i * 4 + 3) << 24);
	} else {
		w = quantize(i * 2) | (quantize(i * 2 + 1) << 16);
	}
	words[i] = w;
}
