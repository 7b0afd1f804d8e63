#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Direct convolution, any kernel/stride/dilation/pads: one invocation per
// output pixel and OCB channel groups of four (each input value loaded once
// for all of them). The workgroup stages the weights of CH input channel
// groups at a time in shared memory, where all invocations read the same
// word (a broadcast) instead of each loading it from memory. Weights
// [oc4][ic4][kh][kw][4 in] of vec4 (4 outputs); bias[oc4] then PReLU
// slopes[oc4] (ACT 7).
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int KW = 3;
layout(constant_id = 1) const int KH = 3;
layout(constant_id = 2) const int DW = 1;
layout(constant_id = 3) const int DH = 1;
layout(constant_id = 4) const int SW = 1;
layout(constant_id = 5) const int SH = 1;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const float ACT_A = 0.0;
layout(constant_id = 8) const float ACT_B = 0.0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(binding = 2) readonly buffer Wt { sfp4 w[]; };
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, padL, padT, outC;
	float padV;
	int resW, resH, resX, resY;
} p;
#define FUSE_ID 9
#include "fuse.glsl"

const int OCB = 4;
// input channel groups per staged chunk: about 32 taps' worth (8 KiB of
// fp32); a constant, so the shared-memory addresses fold at compile time
const int CH = 32 / (KW * KH) + (KW * KH > 32 ? 1 : 0);
shared vec4 ws[OCB * CH * KW * KH * 4];

void main() {
	int li = int(gl_LocalInvocationIndex);
	int x = int(gl_GlobalInvocationID.x);
	int y = int(gl_GlobalInvocationID.y);
	int oc0 = int(gl_WorkGroupID.z) * OCB;
	bool inside = x < p.outW && y < p.outH;
	int n = min(OCB, p.outC4 - oc0);
	vec4 sum[OCB];
	for (int j = 0; j < OCB; j++) sum[j] = j < n ? bias[oc0 + j] : vec4(0.0);
	int kk = KH * KW * 4;
	for (int c0 = 0; c0 < p.inC4; c0 += CH) {
		int ch = min(CH, p.inC4 - c0);
		barrier();
		// ws[(j·CH + c)·kk + e]: group j, channel group c0 + c, element e of its kernel
		for (int i = li; i < OCB * CH * kk; i += 64) {
			int j = i / (CH * kk);
			int c = (i / kk) % CH;
			ws[i] = j < n && c < ch ? LD4(w[(oc0 + j) * p.inC4 * kk + (c0 + c) * kk + i % kk]) : vec4(0.0);
		}
		barrier();
		if (!inside) continue;
		for (int c = 0; c < ch; c++) {
			int ibase = (c0 + c) * p.inH * p.inW;
			for (int ky = 0; ky < KH; ky++) {
				int iy = y * SH + ky * DH - p.padT;
				bool yin = iy >= 0 && iy < p.inH;
				for (int kx = 0; kx < KW; kx++) {
					int ix = x * SW + kx * DW - p.padL;
					vec4 v = (yin && ix >= 0 && ix < p.inW) ? fuse_in(LD4(inp[ibase + iy * p.inW + ix]), c0 + c) : vec4(p.padV);
					int k = (c * KH + ky) * KW + kx;
					for (int j = 0; j < OCB; j++) {
						int b = (j * CH * KH * KW + k) * 4;
						sum[j] += v.x * ws[b] + v.y * ws[b + 1] + v.z * ws[b + 2] + v.w * ws[b + 3];
					}
				}
			}
		}
	}
	if (!inside) return;
	for (int j = 0; j < n; j++) {
		int oc = oc0 + j;
		vec4 r = sum[j];
		if (ACT == ACT_PRELU) {
			vec4 s = bias[p.outC4 + oc];
			r = max(r, vec4(0.0)) + min(r, vec4(0.0)) * s;
		} else {
			r = activate(r, ACT, ACT_A, ACT_B);
		}
		outp[(oc * p.outH + y) * p.outW + x] = ST4(zero_tail(fuse_res(r, oc, x, y), oc, p.outC));
	}
}
