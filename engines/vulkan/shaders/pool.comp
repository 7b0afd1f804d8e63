#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Windowed max or average pooling. Windows are placed on the padded input
// and clipped to the image: padding never wins a max; an average divides by
// the clipped window, or (COUNTPAD) by the window within the declared pads
// (full mode's extra right/bottom tail never counts).
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int AVG = 0;
layout(constant_id = 1) const int COUNTPAD = 0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P {
	int inW, inH, outW, outH, C4, C, padL, padT, padR, padB, KW, KH, SW, SH;
} p;

void main() {
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	int g = int(gl_GlobalInvocationID.z);
	if (x >= p.outW || y >= p.outH || g >= p.C4) return;
	int wx0 = x * p.SW - p.padL;
	int wy0 = y * p.SH - p.padT;
	int wx1 = wx0 + p.KW;
	int wy1 = wy0 + p.KH;
	int ix0 = max(wx0, 0);
	int iy0 = max(wy0, 0);
	int ix1 = min(wx1, p.inW);
	int iy1 = min(wy1, p.inH);
	vec4 m = vec4(-3.4e38);
	vec4 s = vec4(0.0);
	int base = g * p.inH * p.inW;
	for (int iy = iy0; iy < iy1; iy++) {
		for (int ix = ix0; ix < ix1; ix++) {
			vec4 v = LD4(inp[base + iy * p.inW + ix]);
			m = max(m, v);
			s += v;
		}
	}
	vec4 r;
	if (AVG == 1) {
		int n = (ix1 - ix0) * (iy1 - iy0);
		if (COUNTPAD == 1) n = (min(wx1, p.inW + p.padR) - wx0) * (min(wy1, p.inH + p.padB) - wy0);
		r = n > 0 ? s / float(n) : s;
	} else {
		r = m;
	}
	outp[(g * p.outH + y) * p.outW + x] = ST4(zero_tail(r, g, p.C));
}
