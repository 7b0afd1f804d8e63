#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// 3×3 stride-1 convolution as a tiled implicit GEMM: a workgroup of 8×8
// invocations computes a 16×16 pixel block × OCB channel groups (each
// invocation a 2×2 pixel quad × OCB groups), staging the 18×18 input patch of
// one input channel group and its weights in shared memory per K step; the
// quad's 4×4 input neighbourhood is held in registers so every weight read
// from shared memory feeds four pixels. Layouts as in conv.comp.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0.0;
layout(constant_id = 2) const float ACT_B = 0.0;
const int OCB = 4;
const int T = 18;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(binding = 2) readonly buffer Wt { sfp4 w[]; };
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, padL, padT, outC;
	float padV;
	int resW, resH, resX, resY;
} p;
#define FUSE_ID 3
#include "fuse.glsl"

shared vec4 tile[T * T];
shared vec4 wt[OCB * 9 * 4];

void main() {
	int lx = int(gl_LocalInvocationID.x);
	int ly = int(gl_LocalInvocationID.y);
	int li = ly * 8 + lx;
	int x0 = int(gl_WorkGroupID.x) * 16;
	int y0 = int(gl_WorkGroupID.y) * 16;
	int oc0 = int(gl_WorkGroupID.z) * OCB;
	vec4 acc[OCB * 4];
	for (int j = 0; j < OCB; j++) {
		vec4 b = oc0 + j < p.outC4 ? bias[oc0 + j] : vec4(0.0);
		for (int q = 0; q < 4; q++) acc[j * 4 + q] = b;
	}
	for (int ic = 0; ic < p.inC4; ic++) {
		barrier();
		int ibase = ic * p.inH * p.inW;
		for (int i = li; i < T * T; i += 64) {
			int iy = y0 - p.padT + i / T;
			int ix = x0 - p.padL + i % T;
			tile[i] = (iy >= 0 && iy < p.inH && ix >= 0 && ix < p.inW) ? fuse_in(LD4(inp[ibase + iy * p.inW + ix]), ic) : vec4(p.padV);
		}
		for (int i = li; i < OCB * 36; i += 64) {
			int oc = oc0 + i / 36;
			wt[i] = oc < p.outC4 ? LD4(w[(oc * p.inC4 + ic) * 36 + i % 36]) : vec4(0.0);
		}
		barrier();
		vec4 v[16];
		for (int r = 0; r < 4; r++)
			for (int c = 0; c < 4; c++) v[r * 4 + c] = tile[(ly * 2 + r) * T + lx * 2 + c];
		for (int k = 0; k < 9; k++) {
			int ky = k / 3;
			int kx = k % 3;
			for (int j = 0; j < OCB; j++) {
				int wi = (j * 9 + k) * 4;
				mat4 m = mat4(wt[wi], wt[wi + 1], wt[wi + 2], wt[wi + 3]);
				acc[j * 4 + 0] += m * v[ky * 4 + kx];
				acc[j * 4 + 1] += m * v[ky * 4 + kx + 1];
				acc[j * 4 + 2] += m * v[(ky + 1) * 4 + kx];
				acc[j * 4 + 3] += m * v[(ky + 1) * 4 + kx + 1];
			}
		}
	}
	for (int q = 0; q < 4; q++) {
		int x = x0 + lx * 2 + (q & 1);
		int y = y0 + ly * 2 + (q >> 1);
		if (x >= p.outW || y >= p.outH) continue;
		for (int j = 0; j < OCB; j++) {
			int oc = oc0 + j;
			if (oc >= p.outC4) break;
			vec4 v = acc[j * 4 + q];
			if (ACT == ACT_PRELU) {
				vec4 s = bias[p.outC4 + oc];
				v = max(v, vec4(0.0)) + min(v, vec4(0.0)) * s;
			} else {
				v = activate(v, ACT, ACT_A, ACT_B);
			}
			outp[(oc * p.outH + y) * p.outW + x] = ST4(zero_tail(fuse_res(v, oc, x, y), oc, p.outC));
		}
	}
}
