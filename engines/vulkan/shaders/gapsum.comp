#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Per-channel fp32 reductions of a blob, workgroups x by channel group:
// MODE 0 sums over a rectangle (global average pooling statistics; the
// rectangle comes from a host-written buffer so that recorded command
// buffers serve every pass), split into gl_NumWorkGroups.y consecutive
// slices whose partial sums the host adds in order (deterministic, and the
// whole device works on a big blob); MODE 1 the maximum over the whole blob
// (global max pooling, one workgroup per channel group).
layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = 0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) readonly buffer Region { ivec4 region; }; // x0, y0, x1, y1
layout(binding = 2) writeonly buffer Sums { vec4 sums[]; };
layout(push_constant) uniform P { int W, H, C4; } p;

shared vec4 part[256];

void main() {
	int g = int(gl_WorkGroupID.x);
	int li = int(gl_LocalInvocationID.x);
	int base = g * p.H * p.W;
	vec4 s;
	if (MODE == 0) {
		ivec4 r = region;
		int rw = max(r.z - r.x, 0);
		int n = rw * max(r.w - r.y, 0);
		int slices = int(gl_NumWorkGroups.y);
		int chunk = (n + slices - 1) / slices;
		int lo = int(gl_WorkGroupID.y) * chunk;
		int hi = min(n, lo + chunk);
		s = vec4(0.0);
		for (int i = lo + li; i < hi; i += 256) s += LD4(inp[base + (r.y + i / rw) * p.W + r.x + i % rw]);
	} else {
		s = vec4(-3.4e38);
		for (int i = li; i < p.W * p.H; i += 256) s = max(s, LD4(inp[base + i]));
	}
	part[li] = s;
	barrier();
	for (int k = 128; k > 0; k >>= 1) {
		if (li < k) {
			if (MODE == 0) part[li] += part[li + k];
			else part[li] = max(part[li], part[li + k]);
		}
		barrier();
	}
	if (li == 0) sums[g * int(gl_NumWorkGroups.y) + int(gl_WorkGroupID.y)] = part[0];
}
