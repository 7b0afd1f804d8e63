#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Eltwise of two same-shape images: OP 0 product, 1 sum with coefficients,
// 2 max. Longer input lists chain dispatches through the output.
layout(local_size_x = 64) in;
layout(constant_id = 0) const int OP = 1;
layout(binding = 0) readonly buffer A { sfp4 a[]; };
layout(binding = 1) readonly buffer B { sfp4 b[]; };
layout(binding = 2) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int HW, C4, C; float ca, cb; } p;

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i >= p.HW * p.C4) return;
	vec4 x = LD4(a[i]);
	vec4 y = LD4(b[i]);
	vec4 r = OP == 0 ? x * y : (OP == 2 ? max(x, y) : x * p.ca + y * p.cb);
	outp[i] = ST4(zero_tail(r, i / p.HW, p.C));
}
