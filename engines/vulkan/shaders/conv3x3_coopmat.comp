#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#ifdef FP16
// 3×3 stride-1 convolution on tensor cores (GL_NV_cooperative_matrix,
// 16×16×16 fp16 × fp16 → fp32): implicit GEMM with M = pixels, N = output
// channels, K = 16-channel input chunks × 9 taps. A workgroup of eight
// 32-wide subgroups computes a 16×8 pixel block (one row of 16 pixels per
// subgroup) × NB·16 output channels. Per input chunk it stages the 18×10
// pixel × 16 channel patch in shared memory (fp16); each tap's A matrix is a
// strided view of it. Weights: wc[oc16][ic16][tap][16 k][16 n] fp16.
// Selected only on devices that expose the extension with 16×16×16 fp16
// shapes and 32-wide subgroups.
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0.0;
layout(constant_id = 2) const float ACT_B = 0.0;
const int NB = 4;
const int PW = 18;
const int ROWS = 8;
const int PH = ROWS + 2;
layout(binding = 0) readonly buffer In { f16vec4 inp[]; };
layout(binding = 1) writeonly buffer Out { f16vec4 outp[]; };
layout(binding = 2) readonly buffer Wt { float16_t wc[]; };
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, padL, padT, outC;
	float padV;
} p;

shared float16_t spatch[PH * PW * 16];
shared float outs[ROWS * 256];

void main() {
	int li = int(gl_LocalInvocationID.x);
	int sg = int(gl_SubgroupID);
	int x0 = int(gl_WorkGroupID.x) * 16;
	int y0 = int(gl_WorkGroupID.y) * ROWS;
	int nb0 = int(gl_WorkGroupID.z) * NB;
	int oc16 = (p.outC4 + 3) / 4;
	int ic16 = (p.inC4 + 3) / 4;
	fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> acc[NB];
	for (int n = 0; n < NB; n++) acc[n] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);
	for (int q = 0; q < ic16; q++) {
		barrier();
		for (int i = li; i < PH * PW * 4; i += 256) {
			int g = i % 4;
			int px = (i / 4) % PW;
			int py = i / (4 * PW);
			int iy = y0 - p.padT + py;
			int ix = x0 - p.padL + px;
			int ic = q * 4 + g;
			vec4 v = vec4(0.0);
			if (ic < p.inC4) {
				v = (iy >= 0 && iy < p.inH && ix >= 0 && ix < p.inW) ? vec4(inp[(ic * p.inH + iy) * p.inW + ix]) : vec4(p.padV);
			}
			int o = (py * PW + px) * 16 + g * 4;
			spatch[o] = float16_t(v.x);
			spatch[o + 1] = float16_t(v.y);
			spatch[o + 2] = float16_t(v.z);
			spatch[o + 3] = float16_t(v.w);
		}
		barrier();
		for (int t = 0; t < 9; t++) {
			fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a;
			coopMatLoadNV(a, spatch, uint(((sg + t / 3) * PW + t % 3) * 16), 16u, false);
			for (int n = 0; n < NB; n++) {
				int nb = nb0 + n;
				if (nb >= oc16) break;
				fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> b;
				coopMatLoadNV(b, wc, uint(((nb * ic16 + q) * 9 + t) * 256), 16u, false);
				acc[n] = coopMatMulAddNV(a, b, acc[n]);
			}
		}
	}
	for (int n = 0; n < NB; n++) {
		int nb = nb0 + n;
		if (nb >= oc16) break;
		barrier();
		coopMatStoreNV(acc[n], outs, uint(sg * 256), 16u, false);
		barrier();
		// ROWS rows × 16 pixels × 4 channel groups
		for (int i = li; i < ROWS * 64; i += 256) {
			int g = i % 4;
			int px = (i / 4) % 16;
			int r = i / 64;
			int x = x0 + px;
			int y = y0 + r;
			int oc = nb * 4 + g;
			if (x >= p.outW || y >= p.outH || oc >= p.outC4) continue;
			int o = r * 256 + px * 16 + g * 4;
			vec4 v = vec4(outs[o], outs[o + 1], outs[o + 2], outs[o + 3]) + bias[oc];
			if (ACT == ACT_PRELU) {
				vec4 s = bias[p.outC4 + oc];
				v = max(v, vec4(0.0)) + min(v, vec4(0.0)) * s;
			} else {
				v = activate(v, ACT, ACT_A, ACT_B);
			}
			outp[(oc * p.outH + y) * p.outW + x] = f16vec4(zero_tail(v, oc, p.outC));
		}
	}
}
#else
// Cooperative matrices need fp16 storage; fp32-storage devices never select
// this kernel.
layout(local_size_x = 1) in;
void main() {}
#endif
