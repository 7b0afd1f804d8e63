#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Per-channel affine map: Scale (x·s[c] + b[c]) and standalone PReLU
// (x > 0 ? x : x·s[c]); SHARED uses s[0].x for every channel.
layout(local_size_x = 64) in;
layout(constant_id = 0) const int PRELU = 0;
layout(constant_id = 1) const int SHARED = 0;
layout(constant_id = 2) const int BIAS = 0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) readonly buffer S { vec4 s[]; };
layout(binding = 2) readonly buffer Bv { vec4 bias[]; };
layout(binding = 3) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int HW, C4, C; } p;

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i >= p.HW * p.C4) return;
	int g = i / p.HW;
	vec4 x = LD4(inp[i]);
	vec4 k = SHARED == 1 ? vec4(s[0].x) : s[g];
	vec4 r;
	if (PRELU == 1) r = max(x, vec4(0.0)) + min(x, vec4(0.0)) * k;
	else r = BIAS == 1 ? x * k + bias[g] : x * k;
	outp[i] = ST4(zero_tail(r, g, p.C));
}
