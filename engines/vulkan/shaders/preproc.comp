#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Interleaved 8- or 16-bit pixels (CH channels, packed into 32-bit words) →
// a 3-channel pack4 blob of values /255 or /65535.
layout(local_size_x = 8, local_size_y = 8) in;
layout(constant_id = 0) const int DEPTH = 8;
layout(binding = 0) readonly buffer Pix { uint pix[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int W, H, CH; } p;

float sample_px(int i) {
	if (DEPTH == 8) return float((pix[i >> 2] >> ((i & 3) * 8)) & 255u) / 255.0;
	return float((pix[i >> 1] >> ((i & 1) * 16)) & 65535u) / 65535.0;
}

void main() {
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	if (x >= p.W || y >= p.H) return;
	int i = (y * p.W + x) * p.CH;
	outp[y * p.W + x] = ST4(vec4(sample_px(i), sample_px(i + 1), sample_px(i + 2), 0.0));
}
