package tiling

// Rect is a half-open pixel rectangle [X0,X1)×[Y0,Y1).
type Rect struct{ X0, Y0, X1, Y1 int }

// Dx is the width.
func (r Rect) Dx() int { return r.X1 - r.X0 }

// Dy is the height.
func (r Rect) Dy() int { return r.Y1 - r.Y0 }

// Empty reports whether r holds no pixel.
func (r Rect) Empty() bool { return r.X0 >= r.X1 || r.Y0 >= r.Y1 }

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

func lcm(a, b int) int {
	if a == 0 || b == 0 {
		return max(a, b)
	}
	return a / gcd(a, b) * b
}

// roundUp rounds n up to a multiple of q (q ≥ 1).
func roundUp(n, q int) int { return (n + q - 1) / q * q }
