#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Deconvolution whose kernel equals its stride (Real-CUGAN's 2×2 stride-2
// upsampling): every input pixel scatters to its own KW×KH output block, so
// an invocation takes one input pixel and writes that block for OCB channel
// groups of four. The workgroup stages each chunk of the weights it shares
// in shared memory, where all invocations read the same word (a broadcast)
// instead of each loading it from memory. Weights as in deconv.comp.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int KW = 2;
layout(constant_id = 1) const int KH = 2;
layout(constant_id = 2) const int ACT = 0;
layout(constant_id = 3) const float ACT_A = 0.0;
layout(constant_id = 4) const float ACT_B = 0.0;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(binding = 2) readonly buffer Wt { sfp4 w[]; };
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, cutL, cutT, outC;
	int resW, resH, resX, resY;
} p;
#define FUSE_ID 5
#include "fuse.glsl"

const int OCB = 4;
const int TAPS = KW * KH;
const int CH = 8; // input channel groups per staged chunk
shared vec4 ws[OCB * CH * TAPS * 4];

void main() {
	int li = int(gl_LocalInvocationIndex);
	int ix = int(gl_GlobalInvocationID.x);
	int iy = int(gl_GlobalInvocationID.y);
	int oc0 = int(gl_WorkGroupID.z) * OCB;
	int n = min(OCB, p.outC4 - oc0);
	bool inside = ix < p.inW && iy < p.inH;
	vec4 sum[TAPS * OCB];
	for (int k = 0; k < TAPS * OCB; k++) sum[k] = vec4(0.0);
	int kk = TAPS * 4;
	for (int c0 = 0; c0 < p.inC4; c0 += CH) {
		int ch = min(CH, p.inC4 - c0);
		barrier();
		// ws[((j·CH + c)·TAPS + t)·4 + r]: group j, channel group c0 + c, tap t, row r
		for (int i = li; i < OCB * CH * kk; i += 64) {
			int j = i / (CH * kk);
			int c = (i / kk) % CH;
			int e = i % kk;
			ws[i] = j < n && c < ch ? LD4(w[(oc0 + j) * p.inC4 * kk + (c0 + c) * kk + e]) : vec4(0.0);
		}
		barrier();
		if (!inside) continue;
		for (int c = 0; c < ch; c++) {
			vec4 v = fuse_in(LD4(inp[((c0 + c) * p.inH + iy) * p.inW + ix]), c0 + c);
			for (int t = 0; t < TAPS; t++) {
				for (int j = 0; j < OCB; j++) {
					int b = ((j * CH + c) * TAPS + t) * 4;
					sum[t * OCB + j] += v.x * ws[b] + v.y * ws[b + 1] + v.z * ws[b + 2] + v.w * ws[b + 3];
				}
			}
		}
	}
	if (!inside) return;
	for (int t = 0; t < TAPS; t++) {
		int x = ix * KW + t % KW - p.cutL;
		int y = iy * KH + t / KW - p.cutT;
		if (x < 0 || y < 0 || x >= p.outW || y >= p.outH) continue;
		for (int j = 0; j < n; j++) {
			int oc = oc0 + j;
			vec4 r = activate(sum[t * OCB + j] + bias[oc], ACT, ACT_A, ACT_B);
			outp[(oc * p.outH + y) * p.outW + x] = ST4(zero_tail(fuse_res(r, oc, x, y), oc, p.outC));
		}
	}
}
