#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
// Deconvolution as a gather: output pixel (x, y) of the cut output sums the
// input pixels whose scatter reaches it, for OCB channel groups of four per
// invocation (fewer when the layer has fewer). The workgroup stages the
// weights of CH input channel groups at a time in shared memory, as
// conv.comp does. Weights as in conv.comp (from NCNN's [out][in][kh][kw],
// not flipped); bias[oc4].
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int KW = 2;
layout(constant_id = 1) const int KH = 2;
layout(constant_id = 2) const int DW = 1;
layout(constant_id = 3) const int DH = 1;
layout(constant_id = 4) const int SW = 2;
layout(constant_id = 5) const int SH = 2;
layout(constant_id = 6) const int ACT = 0;
layout(constant_id = 7) const float ACT_A = 0.0;
layout(constant_id = 8) const float ACT_B = 0.0;
layout(constant_id = 9) const int OCB = 4;
layout(binding = 0) readonly buffer In { sfp4 inp[]; };
layout(binding = 1) writeonly buffer Out { sfp4 outp[]; };
layout(binding = 2) readonly buffer Wt { sfp4 w[]; };
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, cutL, cutT, outC;
	int resW, resH, resX, resY;
} p;
#define FUSE_ID 10
#include "fuse.glsl"

// input channel groups per staged chunk: about 32 taps' worth
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
	int fx = x + p.cutL;
	int fy = y + p.cutT;
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
		for (int ky = 0; ky < KH; ky++) {
			int ty = fy - ky * DH;
			if (ty < 0 || ty % SH != 0) continue;
			int iy = ty / SH;
			if (iy >= p.inH) continue;
			for (int kx = 0; kx < KW; kx++) {
				int tx = fx - kx * DW;
				if (tx < 0 || tx % SW != 0) continue;
				int ix = tx / SW;
				if (ix >= p.inW) continue;
				for (int c = 0; c < ch; c++) {
					vec4 v = fuse_in(LD4(inp[((c0 + c) * p.inH + iy) * p.inW + ix]), c0 + c);
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
		vec4 r = activate(sum[j], ACT, ACT_A, ACT_B);
		outp[(oc * p.outH + y) * p.outW + x] = ST4(zero_tail(fuse_res(r, oc, x, y), oc, p.outC));
	}
}
