#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// BinaryOp with an image left operand a (C×H×W, pack4) and a right operand b
// that is: BMODE 0 an image of the same shape, 1 a per-channel fp32 vector
// (the SE multiply), 2 a scalar from push constants, 3 element 0 of an fp32
// vector. SWAP computes op(b, a).
layout(local_size_x = 64) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int BMODE = 0;
layout(constant_id = 2) const int SWAP = 0;
layout(binding = 0) readonly buffer A { sfp4 a[]; };
layout(binding = 1) readonly buffer B { sfp4 b[]; };
layout(binding = 2) readonly buffer BV { vec4 bv[]; };
layout(binding = 3) writeonly buffer Out { sfp4 outp[]; };
layout(push_constant) uniform P { int HW, C4, C; float scalar; } p;

vec4 binop(vec4 x, vec4 y) {
	if (OP == 0) return x + y;
	if (OP == 1) return x - y;
	if (OP == 2) return x * y;
	if (OP == 3) return x / y;
	if (OP == 4) return max(x, y);
	if (OP == 5) return min(x, y);
	if (OP == 6) return pow(x, y);
	if (OP == 7) return y - x;
	return y / x; // 8 rdiv
}

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i >= p.HW * p.C4) return;
	int g = i / p.HW;
	vec4 x = LD4(a[i]);
	vec4 y;
	if (BMODE == 0) y = LD4(b[i]);
	else if (BMODE == 1) y = bv[g];
	else if (BMODE == 2) y = vec4(p.scalar);
	else y = vec4(bv[0].x);
	vec4 r = SWAP == 1 ? binop(y, x) : binop(x, y);
	outp[i] = ST4(zero_tail(r, g, p.C));
}
