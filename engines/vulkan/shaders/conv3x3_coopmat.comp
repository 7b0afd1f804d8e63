#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#ifdef FP16
// The 3×3 tensor-core convolution (conv3x3_coopmat.glsl) on
// GL_NV_cooperative_matrix.
#extension GL_NV_cooperative_matrix : require
#define ACC_T fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>
#define A_T fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define B_T fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define CM_LOAD(m, buf, off, stride) coopMatLoadNV(m, buf, uint(off), uint(stride), false)
#define CM_STORE(m, buf, off, stride) coopMatStoreNV(m, buf, uint(off), uint(stride), false)
#define CM_MMA(a, b, c) coopMatMulAddNV(a, b, c)
#include "conv3x3_coopmat.glsl"
#else
// Cooperative matrices need fp16 storage; fp32-storage devices never select
// this kernel.
layout(local_size_x = 1) in;
void main() {}
#endif

