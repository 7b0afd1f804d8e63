#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Copies a regC×regH×regW box of a source image at (sc, sy, sx) into a
// destination image at (dc, dy, dx): Crop and Concat. Channel groups of the
// destination that the box covers only partly keep their other lanes; lanes
// beyond the destination's channel count are zeroed.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(binding = 0) readonly buffer Src { sfp4 src[]; };
layout(binding = 1) buffer Dst { sfp4 dst[]; };
layout(push_constant) uniform P {
	int srcW, srcH, dstW, dstH, dstC, regW, regH, regC, sx, sy, sc, dx, dy, dc;
} p;

void main() {
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	int g = p.dc / 4 + int(gl_GlobalInvocationID.z);
	if (x >= p.regW || y >= p.regH || g * 4 >= p.dc + p.regC) return;
	int sxx = p.sx + x;
	int syy = p.sy + y;
	int di = (g * p.dstH + p.dy + y) * p.dstW + p.dx + x;
	vec4 v;
	if (p.dc % 4 == 0 && p.sc % 4 == 0 && p.dc + p.regC >= g * 4 + 4) {
		v = LD4(src[((g - p.dc / 4 + p.sc / 4) * p.srcH + syy) * p.srcW + sxx]);
	} else {
		v = LD4(dst[di]);
		for (int l = 0; l < 4; l++) {
			int c = g * 4 + l;
			if (c < p.dc || c >= p.dc + p.regC) continue;
			int s = c - p.dc + p.sc;
			v[l] = LD4(src[((s / 4) * p.srcH + syy) * p.srcW + sxx])[s % 4];
		}
	}
	dst[di] = ST4(zero_tail(v, g, p.dstC));
}
