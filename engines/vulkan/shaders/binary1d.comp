#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// BinaryOp on 1-D fp32 blobs: b is BMODE 0 a vector of the same length, 2 a
// scalar, 3 element 0 of a vector; SWAP computes op(b, a).
layout(local_size_x = 64) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int BMODE = 0;
layout(constant_id = 2) const int SWAP = 0;
layout(binding = 0) readonly buffer A { float a[]; };
layout(binding = 1) readonly buffer B { float b[]; };
layout(binding = 2) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform P { int N; float scalar; } p;

float binop(float x, float y) {
	if (OP == 0) return x + y;
	if (OP == 1) return x - y;
	if (OP == 2) return x * y;
	if (OP == 3) return x / y;
	if (OP == 4) return max(x, y);
	if (OP == 5) return min(x, y);
	if (OP == 6) return pow(x, y);
	if (OP == 7) return y - x;
	return y / x;
}

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i >= p.N) return;
	float y = BMODE == 0 ? b[i] : (BMODE == 2 ? p.scalar : b[0]);
	outp[i] = SWAP == 1 ? binop(y, a[i]) : binop(a[i], y);
}
