#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Interp: TYPE 1 nearest (src = min(int(dst·hs), in−1)), 2 bilinear,
// 3 bicubic (Keys, A = −0.75) with the half-pixel mapping
// (dst + 0.5)·in/out − 0.5 (ALIGN: dst·(in−1)/(out−1)) and taps clamped to
// the edge.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int TYPE = 1;
layout(constant_id = 1) const int ALIGN = 0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int inW, inH, outW, outH, C4, C; float hs, ws; } p;

#include "taps.glsl"

void main() {
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	int g = int(gl_GlobalInvocationID.z);
	if (x >= p.outW || y >= p.outH || g >= p.C4) return;
	int base = g * p.inH * p.inW;
	vec4 v = vec4(0.0);
	if (TYPE == 1) {
		int sy = min(int(float(y) * p.hs), p.inH - 1);
		int sx = min(int(float(x) * p.ws), p.inW - 1);
		v = LD4(inp[base + sy * p.inW + sx]);
	} else {
		float fy = ALIGN == 1 ? float(y) * p.hs : (float(y) + 0.5) * p.hs - 0.5;
		float fx = ALIGN == 1 ? float(x) * p.ws : (float(x) + 0.5) * p.ws - 0.5;
		int y0, x0;
		vec4 wy, wx;
		int n = TYPE == 2 ? 2 : 4;
		if (TYPE == 2) {
			taps2(fy, y0, wy);
			taps2(fx, x0, wx);
		} else {
			taps4(fy, y0, wy);
			taps4(fx, x0, wx);
		}
		for (int j = 0; j < n; j++) {
			int sy = clamp(y0 + j, 0, p.inH - 1);
			vec4 row = vec4(0.0);
			for (int i = 0; i < n; i++) {
				int sx = clamp(x0 + i, 0, p.inW - 1);
				row += wx[i] * LD4(inp[base + sy * p.inW + sx]);
			}
			v += wy[j] * row;
		}
	}
	outp[(g * p.outH + y) * p.outW + x] = ST4(zero_tail(v, g, p.C));
}
