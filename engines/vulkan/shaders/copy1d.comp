#version 450
// Copies n floats of a 1-D fp32 blob from offset s to offset d of another
// (Crop and Concat of 1-D blobs).
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Src { float src[]; };
layout(binding = 1) writeonly buffer Dst { float dst[]; };
layout(push_constant) uniform P { int n, s, d; } p;

void main() {
	int i = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	if (i < p.n) dst[p.d + i] = src[p.s + i];
}
