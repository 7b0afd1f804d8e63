// fuse.glsl: the neighbouring layers a convolution or deconvolution kernel
// takes over (planner: fuse.go), included after the kernel's push constants
// with FUSE_ID, the first free specialization constant id, defined.
//   IN_SCALE 1: the input is an SE-scaled blob whose multiply ran as no
//     dispatch: channel group g's values are multiplied by insc[g] as they
//     are loaded (padding is not scaled).
//   RES 1: a BinaryOp add of a Crop runs in the epilogue: the window at
//     (resX, resY) of a resW×resH image res is added after bias and
//     activation; RES 2: that window's channels times rsc[g] (an SE-scaled
//     crop source).
// Unused bindings are bound to a dummy range; 1-D scale vectors hold 0 in
// their lanes beyond the channel count (innerproduct.comp).
layout(constant_id = FUSE_ID) const int IN_SCALE = 0;
layout(constant_id = FUSE_ID + 1) const int RES = 0;
layout(binding = 4) readonly buffer InScale { vec4 insc[]; };
layout(binding = 5) readonly buffer Res { sfp4 res[]; };
layout(binding = 6) readonly buffer ResScale { vec4 rsc[]; };

vec4 fuse_in(vec4 v, int g) { return IN_SCALE == 1 ? v * insc[g] : v; }

vec4 fuse_res(vec4 v, int g, int x, int y) {
	if (RES == 0) return v;
	vec4 r = LD4(res[(g * p.resH + y + p.resY) * p.resW + x + p.resX]);
	return v + (RES == 2 ? r * rsc[g] : r);
}
