#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Network output (3-channel pack4 blob) → interleaved RGB words of 8- or
// 16-bit values: optional nearest residual of the input pixels (input pixel
// (offY + y/S, offX + x/S)), ×255 or ×65535, round, clamp in float.
// A fused tail (fuse.go) runs the network's last layers here, in fp32:
// SAMPLE 1..3 the final Interp (nearest, bilinear, bicubic as interp.comp)
// over the sW×sH source blob; ADDIN 1 the add of the nearest-upsampled
// input (source pixel (ty, tx) plus input pixel (ty·nh, tx·nw)) before it.
layout(local_size_x = 64) in;
layout(constant_id = 0) const int DEPTH = 8;
layout(constant_id = 1) const int SAMPLE = 0;
layout(constant_id = 2) const int ALIGN = 0;
layout(constant_id = 3) const int ADDIN = 0;
layout(binding = 0) readonly buffer Blob { sfp4 blob[]; };
layout(binding = 1) writeonly buffer Out { uint words[]; };
layout(binding = 2) readonly buffer Pix { uint pix[]; };
layout(push_constant) uniform P {
	int W, H, nwords, inW, resid, S, offX, offY;
	int sW, sH, inH;
	float hs, ws, nh, nw;
} p;

float input_px(int i) {
	if (DEPTH == 8) return float((pix[i >> 2] >> ((i & 3) * 8)) & 255u) / 255.0;
	return float((pix[i >> 1] >> ((i & 1) * 16)) & 65535u) / 65535.0;
}

// source is channel ch of source pixel (ty, tx), plus the input's when ADDIN.
float source(int ty, int tx, int ch) {
	float v = LD4(blob[ty * p.sW + tx])[ch];
	if (ADDIN == 1) {
		int iy = min(int(float(ty) * p.nh), p.inH - 1);
		int ix = min(int(float(tx) * p.nw), p.inW - 1);
		v += input_px((iy * p.inW + ix) * 3 + ch);
	}
	return v;
}

#include "taps.glsl"

// sampled is output pixel (y, x)'s channel ch before quantization.
float sampled(int y, int x, int ch) {
	if (SAMPLE == 0) return source(y, x, ch);
	if (SAMPLE == 1) return source(min(int(float(y) * p.hs), p.sH - 1), min(int(float(x) * p.ws), p.sW - 1), ch);
	float fy = ALIGN == 1 ? float(y) * p.hs : (float(y) + 0.5) * p.hs - 0.5;
	float fx = ALIGN == 1 ? float(x) * p.ws : (float(x) + 0.5) * p.ws - 0.5;
	int y0, x0;
	vec4 wy, wx;
	int n = SAMPLE == 2 ? 2 : 4;
	if (SAMPLE == 2) {
		taps2(fy, y0, wy);
		taps2(fx, x0, wx);
	} else {
		taps4(fy, y0, wy);
		taps4(fx, x0, wx);
	}
	float v = 0.0;
	for (int j = 0; j < n; j++) {
		int sy = clamp(y0 + j, 0, p.sH - 1);
		float row = 0.0;
		for (int i = 0; i < n; i++) row += wx[i] * source(sy, clamp(x0 + i, 0, p.sW - 1), ch);
		v += wy[j] * row;
	}
	return v;
}

uint quantize(int e) {
	if (e >= p.W * p.H * 3) return 0u;
	int px = e / 3;
	int ch = e % 3;
	int y = px / p.W;
	int x = px % p.W;
	float v = sampled(y, x, ch);
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
