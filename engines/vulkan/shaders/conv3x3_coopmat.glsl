// conv3x3_coopmat.glsl: the body of conv3x3_coopmat.comp (NV cooperative
// matrices) and conv3x3_coopmat_khr.comp (KHR), included after the
// extension and the macros that name its matrix types and operations.
// 3×3 stride-1 convolution on tensor cores (cooperative matrices,
// 16×16×16 fp16 × fp16 → fp32; the including shader picks the NV or KHR
// extension through ACC_T, A_T, B_T, CM_LOAD, CM_STORE and CM_MMA): implicit GEMM with M = pixels, N = output
// channels, K = 16-channel input chunks × 9 taps.
//
// Workgroup: TH/RPS subgroups of 32 (RPS = 2 or 4 rows per subgroup, spec
// constant; TH = 16 rows, 8 in modes 1 and 2), a 16×TH pixel tile × NB·16 output channels (NB = 1..4, spec
// constant). Subgroup s owns tile rows RPS·s .. RPS·s+RPS-1 × all NB channel
// blocks: RPS·NB accumulators, so every A fragment feeds NB MMAs and every B
// fragment RPS. For one tap column kx the RPS+2 patch rows are loaded once
// and serve all three ky (row r + ky): (RPS+2)·3 A and 9·NB B fragment
// loads per chunk for 9·RPS·NB MMAs.
//
// Per 16-channel input chunk the workgroup stages in shared memory:
//   ash: the 18×18 pixel × 16 channel input patch (4 pack-of-4 planes,
//        8-byte loads), pixel stride 24 halves (16 + 8 skew: rows of an A
//        fragment hit distinct banks);
//   bsh: the chunk's weights [tap][16 k][NB·16 n], row stride NB·16 + 8
//        halves (skewed likewise), copied with 16-byte loads from the layout
//        arrangeCoop makes.
// The next chunk is fetched from global memory into registers while the MMAs
// of this one run (two barriers per chunk: 48 KiB of shared memory does not
// hold two stages). The epilogue goes through a per-subgroup fp32 buffer:
// bias, activation, a fused residual (fuse.glsl), zeroed channel tail,
// 8-byte stores of pack-of-4 planes; a fused SE scale multiplies the input
// as it is fetched.
// MODE (spec constant) selects the layer:
//   0: the 3×3 stride-1 convolution above;
//   1: the 2×2 stride-2 deconvolution as a GEMM: M = input pixels (a 16×8
//      tile without halo), K = input channels, staged 4 chunks (64
//      channels) per barrier pair since each chunk gives only RPS·NB MMAs
//      per subgroup, N = 4 taps × 16 output channels
//      (NB = 4 blocks, block t = tap (t/2, t%2)); the epilogue scatters
//      block t to output pixel (2x + t%2 − cutL, 2y + t/2 − cutT). Weights
//      [oc16][ic16][16 k][4 taps × 16 n] (arrangeCoopDeconv), padL/padT
//      carry the cuts;
//   2: the 2×2 stride-2 convolution: a 16×8 output tile over a 32×16 input
//      patch, K = 16 channels × 4 taps, each tap's A fragment a stride-2
//      view of the patch (rows 2r+dy, columns 2i+dx). Weights as mode 0
//      with 4 taps (arrangeCoop);
//   3: the 4×4 stride-2 deconvolution to at most 4 channels (Real-CUGAN's
//      last layer) as mode 0 on a virtual 3×3 convolution (pad 1) with 16
//      output channels, group P = the output parity (Py·2 + Px): virtual
//      pixel (m, n) gives output pixel (2n + Px − cutL, 2m + Py − cutT)
//      (arrangeCoopDeconv4, which zeroes the taps that do not contribute).
// Selected only on devices that expose the extension with 16×16×16 fp16
// shapes and 32-wide subgroups. coop_emul_test.go emulates this index
// arithmetic on the CPU: keep the two in step.
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x_id = 5, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int ACT = 0;
layout(constant_id = 1) const float ACT_A = 0.0;
layout(constant_id = 2) const float ACT_B = 0.0;
layout(constant_id = 3) const int NB = 4;  // 16-channel output blocks per workgroup (1..4)
layout(constant_id = 4) const int RPS = 2; // tile rows per subgroup (2 or 4)
layout(constant_id = 5) const int NT = 256; // invocations: 32 · TH/RPS
layout(constant_id = 6) const int MODE = 0; // 0 conv 3×3, 1 deconv 2×2 s2, 2 conv 2×2 s2, 3 deconv 4×4 s2
layout(constant_id = 7) const int KC = 1;   // 16-channel chunks staged per barrier pair (coopKC)
const int TAPS = MODE == 1 ? 1 : (MODE == 2 ? 4 : 9); // weight taps per chunk

const int TW = 16;                 // tile width, output (input for mode 1) pixels
const int TH = (NT / 32) * RPS;    // tile height: a subgroup per RPS rows (coopTileH)
const int PW = MODE == 2 ? 2 * TW : (MODE == 1 ? TW : TW + 2); // input patch: 3×3 halo, stride 2, or the tile
const int PH = MODE == 2 ? 2 * TH : (MODE == 1 ? TH : TH + 2);
const int PS = 6;                 // patch pixel stride, uvec2 units (24 halves)
const int BS = 2 * NB + 1;        // weight row stride, uvec4 units (NB·16 + 8 halves)
const int CA = 4 * PH * PW;       // 8-byte items of one chunk's patch (4 planes)
const int AN = CA * KC;           // staged per stage
const int AIT = (AN + NT - 1) / NT; // per invocation
const int CB = TAPS * 16 * 2 * NB; // 16-byte weight items of one chunk
const int BN = CB * KC;           // staged per stage
const int BIT = (BN + NT - 1) / NT; // per invocation
const int OS = 20;                // epilogue row stride, floats (16 + 4 skew)

layout(binding = 0) readonly buffer In { uvec2 inp[]; };    // pack-of-4 fp16 planes
layout(binding = 1) writeonly buffer Out { f16vec4 outp[]; };
layout(binding = 2) readonly buffer Wt { uvec4 wv[]; };     // arrangeCoop, 8 halves each
layout(binding = 3) readonly buffer Bias { vec4 bias[]; };  // bias, then PReLU slopes
layout(push_constant) uniform P {
	int inW, inH, inC4, outW, outH, outC4, padL, padT, outC;
	float padV;
	int cutL, cutT; // mode 3
	int resW, resH, resX, resY;
} p;
#define FUSE_ID 8
#include "fuse.glsl"

shared uvec2 ash[KC * PH * PW * PS];
shared uvec4 bsh[KC * TAPS * 16 * BS];
shared float outs[(TH / RPS) * TW * OS];

uvec2 ra[AIT]; // the next chunk's patch, in flight
uvec4 rb[BIT]; // the next chunk's weights

// fetch loads stage q (chunks KC·q .. KC·q+KC-1, input channel groups
// 4 per chunk) into registers.
void fetch(int q, int li, int x0, int y0, int wz, int ic16, uvec2 padv) {
	[[unroll]] for (int j = 0; j < AIT; j++) {
		int i = li + NT * j;
		if (i < AN) {
			int c = i % CA;
			int px = c % PW;
			int py = (c / PW) % PH;
			int ic = (q * KC + i / CA) * 4 + c / (PW * PH);
			// the patch's first input pixel: the tile's, less the padding
			int iy = (MODE == 2 ? 2 * y0 : y0) - (MODE == 1 ? 0 : p.padT) + py;
			int ix = (MODE == 2 ? 2 * x0 : x0) - (MODE == 1 ? 0 : p.padL) + px;
			uvec2 v = uvec2(0);
			if (ic < p.inC4) {
				v = (iy >= 0 && iy < p.inH && ix >= 0 && ix < p.inW) ? inp[(ic * p.inH + iy) * p.inW + ix] : padv;
			}
			ra[j] = v;
		}
	}
	[[unroll]] for (int j = 0; j < BIT; j++) {
		int v = li + NT * j;
		int chunk = q * KC + v / CB;
		if (v < BN) rb[j] = chunk < ic16 ? wv[(wz * ic16 + chunk) * CB + v % CB] : uvec4(0);
	}
}

// stage writes the registers fetched last (stage q) into shared memory,
// applying a fused SE scale here rather than in fetch, so that fetch's
// loads stay in flight while the MMAs run.
void stage(int q, int li, int x0, int y0) {
	[[unroll]] for (int j = 0; j < AIT; j++) {
		int i = li + NT * j;
		if (i < AN) {
			int c = i % CA;
			int pix = c % (PW * PH);
			uvec2 v = ra[j];
			int ic = (q * KC + i / CA) * 4 + c / (PW * PH);
			if (IN_SCALE == 1 && ic < p.inC4) {
				int iy = (MODE == 2 ? 2 * y0 : y0) - (MODE == 1 ? 0 : p.padT) + pix / PW;
				int ix = (MODE == 2 ? 2 * x0 : x0) - (MODE == 1 ? 0 : p.padL) + pix % PW;
				if (iy >= 0 && iy < p.inH && ix >= 0 && ix < p.inW) { // padding is not scaled
					vec4 f = vec4(unpackHalf2x16(v.x), unpackHalf2x16(v.y)) * insc[ic];
					v = uvec2(packHalf2x16(f.xy), packHalf2x16(f.zw));
				}
			}
			ash[(i / CA) * PH * PW * PS + pix * PS + c / (PW * PH)] = v;
		}
	}
	[[unroll]] for (int j = 0; j < BIT; j++) {
		int v = li + NT * j;
		int w = v % CB;
		if (v < BN) bsh[(v / CB) * TAPS * 16 * BS + (w / (2 * NB)) * BS + w % (2 * NB)] = rb[j];
	}
}

// emit writes channel group g of pixel (x, y) from the four accumulator
// values at outs[k]: bias, activation, zeroed tail, fp16.
void emit(int k, int x, int y, int g) {
	if (x >= 0 && y >= 0 && x < p.outW && y < p.outH && g < p.outC4) {
		vec4 v = vec4(outs[k], outs[k + 1], outs[k + 2], outs[k + 3]) + bias[g];
		if (ACT == ACT_PRELU) {
			vec4 s = bias[p.outC4 + g];
			v = max(v, vec4(0.0)) + min(v, vec4(0.0)) * s;
		} else {
			v = activate(v, ACT, ACT_A, ACT_B);
		}
		outp[(g * p.outH + y) * p.outW + x] = f16vec4(zero_tail(fuse_res(v, g, x, y), g, p.outC));
	}
}

void main() {
	int li = int(gl_LocalInvocationID.x);
	int sg = int(gl_SubgroupID);
	int lane = int(gl_SubgroupInvocationID);
	int x0 = int(gl_WorkGroupID.x) * TW;
	int y0 = int(gl_WorkGroupID.y) * TH;
	int wz = int(gl_WorkGroupID.z);
	int ic16 = (p.inC4 + 3) / 4;
	uint ph = packHalf2x16(vec2(p.padV));
	uvec2 padv = uvec2(ph, ph);
	int r0 = sg * RPS; // this subgroup's first tile row

	// Accumulators accRN (tile row r0+R, channel block N) and A fragments aI
	// are separate variables, expanded by macros and guarded by the spec
	// constants, never arrays: an array indexed in a loop the driver leaves
	// rolled lands in local memory (seen for NB < 4 with acc[n]).
	ACC_T acc00, acc01, acc02, acc03, acc10, acc11, acc12, acc13,
		acc20, acc21, acc22, acc23, acc30, acc31, acc32, acc33;
	acc00 = acc01 = acc02 = acc03 = acc10 = acc11 = acc12 = acc13 = ACC_T(0.0);
	acc20 = acc21 = acc22 = acc23 = acc30 = acc31 = acc32 = acc33 = ACC_T(0.0);
	A_T a0, a1, a2, a3, a4, a5;
	B_T b;

// LOADA: patch row r0+I at tap column kx.
#define LOADA(I) CM_LOAD(a##I, ash, aoff + ((r0 + I) * PW + kx) * PS, PS)
// TAPN: block N's weights of tap T times the fragments A0..A3 of the rows
// r0 .. r0+RPS-1.
#define TAPN(T, N, A0, A1, A2, A3) \
	if (N < NB) { \
		CM_LOAD(b, bsh, boff + (T) * 16 * BS + N * 2, BS); \
		acc0##N = CM_MMA(A0, b, acc0##N); \
		acc1##N = CM_MMA(A1, b, acc1##N); \
		if (RPS > 2) { \
			acc2##N = CM_MMA(A2, b, acc2##N); \
			acc3##N = CM_MMA(A3, b, acc3##N); \
		} \
	}
#define TAP(T, A0, A1, A2, A3) \
	TAPN(T, 0, A0, A1, A2, A3) TAPN(T, 1, A0, A1, A2, A3) TAPN(T, 2, A0, A1, A2, A3) TAPN(T, 3, A0, A1, A2, A3)
// LOADS: mode 2's row r0+I at tap (dy, dx): patch row 2(r0+I)+dy, stride 2.
#define LOADS(I) CM_LOAD(a##I, ash, aoff + ((2 * (r0 + I) + dy) * PW + dx) * PS, 2 * PS)

	int nq = (ic16 + KC - 1) / KC; // stages
	int aoff = 0, boff = 0;        // the chunk's patch and weights in a stage (mode 1)
	fetch(0, li, x0, y0, wz, ic16, padv);
	for (int q = 0; q < nq; q++) {
		barrier(); // every subgroup is done with the previous stage
		stage(q, li, x0, y0);
		barrier();
		if (q + 1 < nq) fetch(q + 1, li, x0, y0, wz, ic16, padv);
		if (MODE == 0 || MODE == 3) {
			// rows r + ky of tap column kx: RPS + 2 fragments serve 3 taps
			[[unroll]] for (int kx = 0; kx < 3; kx++) {
				LOADA(0);
				LOADA(1);
				LOADA(2);
				LOADA(3);
				if (RPS > 2) {
					LOADA(4);
					LOADA(5);
				}
				TAP(kx, a0, a1, a2, a3)
				TAP(3 + kx, a1, a2, a3, a4)
				TAP(6 + kx, a2, a3, a4, a5)
			}
		} else if (MODE == 1) {
			int kx = 0;
			[[unroll]] for (int kc = 0; kc < KC; kc++) {
				aoff = kc * PH * PW * PS;
				boff = kc * TAPS * 16 * BS;
				LOADA(0);
				LOADA(1);
				if (RPS > 2) {
					LOADA(2);
					LOADA(3);
				}
				TAP(0, a0, a1, a2, a3)
			}
		} else {
			[[unroll]] for (int kc = 0; kc < KC; kc++) {
				aoff = kc * PH * PW * PS;
				boff = kc * TAPS * 16 * BS;
				[[unroll]] for (int t = 0; t < 4; t++) {
					int dy = t / 2, dx = t % 2;
					LOADS(0);
					LOADS(1);
					if (RPS > 2) {
						LOADS(2);
						LOADS(3);
					}
					TAP(t, a0, a1, a2, a3)
				}
			}
		}
	}

	// Epilogue: one 16 pixel × 16 channel accumulator at a time through this
	// subgroup's slice of outs; lane l writes pixel l%16 of the block's
	// channel groups (columns) l/16 and l/16 + 2.
	int ob = sg * TW * OS;
	int px = lane % 16;
	int x = x0 + px;
#define EMIT(R, N) \
	if (R < RPS && N < NB) { \
		CM_STORE(acc##R##N, outs, ob, OS); \
		subgroupMemoryBarrierShared(); \
		subgroupBarrier(); \
		[[unroll]] for (int e = 0; e < 2; e++) { \
			int col = lane / 16 + 2 * e, y = y0 + r0 + R, k = ob + px * OS + col * 4; \
			if (MODE == 1) \
				emit(k, 2 * x + N % 2 - p.padL, 2 * y + N / 2 - p.padT, wz * 4 + col); \
			else if (MODE == 3) \
				emit(k, 2 * x + col % 2 - p.cutL, 2 * y + col / 2 - p.cutT, 0); \
			else \
				emit(k, x, y, (wz * NB + N) * 4 + col); \
		} \
		subgroupMemoryBarrierShared(); \
		subgroupBarrier(); \
	}
	EMIT(0, 0) EMIT(0, 1) EMIT(0, 2) EMIT(0, 3)
	EMIT(1, 0) EMIT(1, 1) EMIT(1, 2) EMIT(1, 3)
	EMIT(2, 0) EMIT(2, 1) EMIT(2, 2) EMIT(2, 3)
	EMIT(3, 0) EMIT(3, 1) EMIT(3, 2) EMIT(3, 3)
}
