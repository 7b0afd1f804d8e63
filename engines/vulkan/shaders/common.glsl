// common.glsl: storage types and helpers shared by every shader.
// FP16 selects fp16 storage (16-bit storage buffers); arithmetic is fp32.
#ifdef FP16
#extension GL_EXT_shader_16bit_storage : require
#define sfp4 f16vec4
#define LD4(v) vec4(v)
#define ST4(v) f16vec4(v)
#else
#define sfp4 vec4
#define LD4(v) (v)
#define ST4(v) (v)
#endif

// Activation kinds (NCNN param 9), plus 7 = PReLU with per-channel slopes.
const int ACT_NONE = 0;
const int ACT_RELU = 1;
const int ACT_LEAKY = 2;
const int ACT_CLIP = 3;
const int ACT_SIGMOID = 4;
const int ACT_MISH = 5;
const int ACT_HARDSWISH = 6;
const int ACT_PRELU = 7;

vec4 activate(vec4 v, int act, float a, float b) {
	if (act == ACT_RELU) return max(v, vec4(0.0));
	if (act == ACT_LEAKY) return max(v, vec4(0.0)) + min(v, vec4(0.0)) * a;
	if (act == ACT_CLIP) return clamp(v, vec4(a), vec4(b));
	if (act == ACT_SIGMOID) return 1.0 / (1.0 + exp(-v));
	if (act == ACT_MISH) {
		vec4 sp = mix(log(1.0 + exp(min(v, vec4(20.0)))), v, greaterThan(v, vec4(20.0)));
		return v * tanh(min(sp, vec4(20.0)));
	}
	if (act == ACT_HARDSWISH) return v * clamp(v * a + b, vec4(0.0), vec4(1.0));
	return v;
}

// zero_tail clears the lanes of channel group g that lie beyond C channels,
// so padded lanes always hold 0 (never NaN) for the next layer.
vec4 zero_tail(vec4 v, int g, int C) {
	int n = C - g * 4;
	if (n >= 4) return v;
	if (n <= 0) return vec4(0.0);
	if (n < 4) v.w = 0.0;
	if (n < 3) v.z = 0.0;
	if (n < 2) v.y = 0.0;
	return v;
}
