package cpu

// gemm4 sets c[j·sj + p·sp] = Σ_k u[k·ocBlock + j]·v[p·kn + k] for the
// ocBlock rows j and the n columns p: one block of output channels times n
// pixels whose kn inputs are contiguous. Two pixels are computed at a time so
// each weight and input loaded feeds several sums held in registers.
func gemm4(c []float32, sj, sp int, u, v []float32, n, kn int) {
	u = u[:kn*ocBlock]
	p := 0
	for ; p+1 < n; p += 2 {
		v0 := v[p*kn:][:kn]
		v1 := v[(p+1)*kn:][:kn]
		var a0, a1, a2, a3, b0, b1, b2, b3 float32
		for k := range kn {
			w := u[k*ocBlock : k*ocBlock+ocBlock : k*ocBlock+ocBlock]
			x, y := v0[k], v1[k]
			w0 := w[0]
			a0 += w0 * x
			b0 += w0 * y
			w1 := w[1]
			a1 += w1 * x
			b1 += w1 * y
			w2 := w[2]
			a2 += w2 * x
			b2 += w2 * y
			w3 := w[3]
			a3 += w3 * x
			b3 += w3 * y
		}
		i := p * sp
		c[i], c[sj+i], c[2*sj+i], c[3*sj+i] = a0, a1, a2, a3
		i += sp
		c[i], c[sj+i], c[2*sj+i], c[3*sj+i] = b0, b1, b2, b3
	}
	if p < n {
		v0 := v[p*kn:][:kn]
		var a0, a1, a2, a3 float32
		for k := range kn {
			w := u[k*ocBlock : k*ocBlock+ocBlock : k*ocBlock+ocBlock]
			x := v0[k]
			a0 += w[0] * x
			a1 += w[1] * x
			a2 += w[2] * x
			a3 += w[3] * x
		}
		i := p * sp
		c[i], c[sj+i], c[2*sj+i], c[3*sj+i] = a0, a1, a2, a3
	}
}
