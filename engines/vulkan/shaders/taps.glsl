// taps.glsl: the interpolation weights of Interp (interp.comp) and of the
// output quantization's fused final Interp (postproc.comp): taps2 bilinear,
// taps4 bicubic (Keys, A = −0.75); i0 is the first tap's index.
void taps2(float f, out int i0, out vec4 w) {
	float s = floor(f);
	float t = f - s;
	i0 = int(s);
	w = vec4(1.0 - t, t, 0.0, 0.0);
}

void taps4(float f, out int i0, out vec4 w) {
	const float A = -0.75;
	float s = floor(f);
	float t = f - s;
	i0 = int(s) - 1;
	float x0 = t + 1.0;
	float w0 = ((A * x0 - 5.0 * A) * x0 + 8.0 * A) * x0 - 4.0 * A;
	float w1 = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
	float u = 1.0 - t;
	float w2 = ((A + 2.0) * u - (A + 3.0)) * u * u + 1.0;
	w = vec4(w0, w1, w2, 1.0 - w0 - w1 - w2);
}
