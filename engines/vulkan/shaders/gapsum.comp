#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Per-channel fp32 sums of a blob over a rectangle (global average pooling
// statistics): one workgroup per channel group. The rectangle comes from a
// host-written buffer so that recorded command buffers serve every pass.
layout(local_size_x = 256) in;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) readonly buffer Region { ivec4 region; }; // x0, y0, x1, y1
layout(binding = 2) writeonly buffer Sums { vec4 sums[]; };
layout(push_constant) uniform P { int W, H, C4; } p;

shared vec4 part[256];

void main() {
	int g = int(gl_WorkGroupID.x);
	int li = int(gl_LocalInvocationID.x);
	ivec4 r = region;
	int rw = max(r.z - r.x, 0);
	int n = rw * max(r.w - r.y, 0);
	vec4 s = vec4(0.0);
	int base = g * p.H * p.W;
	for (int i = li; i < n; i += 256) {
		int y = r.y + i / rw;
		int x = r.x + i % rw;
		s += LD4(inp[base + y * p.W + x]);
	}
	part[li] = s;
	barrier();
	for (int k = 128; k > 0; k >>= 1) {
		if (li < k) part[li] += part[li + k];
		barrier();
	}
	if (li == 0) sums[g] = part[0];
}
