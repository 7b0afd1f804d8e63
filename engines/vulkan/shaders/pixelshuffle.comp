#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// PixelShuffle (depth to space) by R. MODE 0 (PyTorch): output channel c at
// sub-pixel (sh, sw) comes from input channel c·R² + sh·R + sw; MODE 1:
// from (sh·R + sw)·outC + c.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int R = 2;
layout(constant_id = 1) const int MODE = 0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int inW, inH, outW, outH, outC4, outC; } p;

void main() {
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	int g = int(gl_GlobalInvocationID.z);
	if (x >= p.outW || y >= p.outH || g >= p.outC4) return;
	int sub = (y % R) * R + x % R;
	int ix = x / R;
	int iy = y / R;
	vec4 v = vec4(0.0);
	for (int l = 0; l < 4; l++) {
		int c = g * 4 + l;
		if (c >= p.outC) break;
		int ic = MODE == 0 ? c * R * R + sub : sub * p.outC + c;
		v[l] = LD4(inp[((ic / 4) * p.inH + iy) * p.inW + ix])[ic % 4];
	}
	outp[(g * p.outH + y) * p.outW + x] = ST4(v);
}
