#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// InnerProduct: out[n] = act(bias[n] + Σk w[n][k]·in[k]) in fp32, over a
// 1-D fp32 blob, or (IMG) a flattened C×H×W pack4 image (k = (c·H + y)·W + x).
layout(local_size_x = 64) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0.0;
layout(constant_id = 2) const float ACT_B = 0.0;
layout(constant_id = 3) const int IMG = 0;
layout(binding = 0) readonly buffer In { float inp[]; };
layout(binding = 1) writeonly buffer Out { float outp[]; };
layout(binding = 2) readonly buffer Wt { float w[]; };
layout(binding = 3) readonly buffer Bias { float bias[]; };
layout(binding = 4) readonly buffer Img { sfp4 img[]; };
layout(push_constant) uniform P { int K, N, HW; } p;

float input_at(int k) {
	if (IMG == 0) return inp[k];
	int c = k / p.HW;
	return LD4(img[(c / 4) * p.HW + k % p.HW])[c % 4];
}

// The input is staged in shared memory, KS values per round, read once by
// the workgroup in coalesced loads: pooled means live in host-visible
// memory, where one load per value per invocation costs a bus round trip
// each.
const int KS = 1024;
shared float xs[KS];

void main() {
	int n = int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x);
	int li = int(gl_LocalInvocationIndex);
	bool live = n < p.N;
	float s = live ? bias[n] : 0.0;
	for (int k0 = 0; k0 < p.K; k0 += KS) {
		int kn = min(KS, p.K - k0);
		barrier();
		for (int k = li; k < kn; k += 64) xs[k] = input_at(k0 + k);
		barrier();
		if (live) {
			for (int k = 0; k < kn; k++) s += w[n * p.K + k0 + k] * xs[k];
		}
	}
	if (live) {
		outp[n] = activate(vec4(s), ACT, ACT_A, ACT_B).x;
	} else if (n < (p.N + 3) / 4 * 4) {
		// lanes up to the next multiple of 4 hold 0, as images' tails do
		// (an SE scale vector is read as vec4s: fuse.glsl)
		outp[n] = 0.0;
	}
}
