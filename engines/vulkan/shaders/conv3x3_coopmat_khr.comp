#version 450
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#ifdef FP16
// The 3×3 tensor-core convolution (conv3x3_coopmat.glsl) on
// GL_KHR_cooperative_matrix (any vendor's VK_KHR_cooperative_matrix with a
// 16×16×16 fp16 → fp32 subgroup shape); needs glslang 15 (scripts/glslang.sh).
#extension GL_KHR_cooperative_matrix : require
#define ACC_T coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>
#define A_T coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA>
#define B_T coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB>
#define CM_LOAD(m, buf, off, stride) coopMatLoad(m, buf, uint(off), uint(stride), gl_CooperativeMatrixLayoutRowMajor)
#define CM_STORE(m, buf, off, stride) coopMatStore(m, buf, uint(off), uint(stride), gl_CooperativeMatrixLayoutRowMajor)
#define CM_MMA(a, b, c) coopMatMulAdd(a, b, c)
#include "conv3x3_coopmat.glsl"
#else
// Cooperative matrices need fp16 storage; fp32-storage devices never select
// this kernel.
layout(local_size_x = 1) in;
void main() {}
#endif

