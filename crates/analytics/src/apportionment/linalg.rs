//! Small dense linear algebra for the nucleolus LPs (matrices of at most 26 × 26).

/// An LU factorisation with partial pivoting of a square matrix stored row by row.
#[derive(Debug, Clone)]
pub(crate) struct Lu {
    n: usize,
    lu: Vec<f64>,
    perm: Vec<usize>,
}

impl Lu {
    /// Factorises `a` (n × n, row-major). `None` when the matrix is singular to working
    /// precision.
    pub(crate) fn new(n: usize, mut a: Vec<f64>) -> Option<Self> {
        let mut perm: Vec<usize> = (0..n).collect();
        let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs())).max(1e-300);
        for k in 0..n {
            let (p, best) = (k..n)
                .map(|r| (r, a[r * n + k].abs()))
                .fold((k, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
            if best <= 1e-13 * scale {
                return None;
            }
            if p != k {
                for c in 0..n {
                    a.swap(k * n + c, p * n + c);
                }
                perm.swap(k, p);
            }
            let pivot = a[k * n + k];
            for r in k + 1..n {
                let f = a[r * n + k] / pivot;
                a[r * n + k] = f;
                if f != 0.0 {
                    for c in k + 1..n {
                        a[r * n + c] -= f * a[k * n + c];
                    }
                }
            }
        }
        Some(Lu { n, lu: a, perm })
    }

    /// Solves `A x = b`.
    #[allow(clippy::needless_range_loop)] // triangular solves read best as index loops
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for r in 0..n {
            let mut s = x[r];
            for c in 0..r {
                s -= self.lu[r * n + c] * x[c];
            }
            x[r] = s;
        }
        for r in (0..n).rev() {
            let mut s = x[r];
            for c in r + 1..n {
                s -= self.lu[r * n + c] * x[c];
            }
            x[r] = s / self.lu[r * n + r];
        }
        x
    }

    /// Solves `Aᵀ y = b`.
    #[allow(clippy::needless_range_loop)] // triangular solves read best as index loops
    pub(crate) fn solve_transposed(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        // Aᵀ = Uᵀ Lᵀ Pᵀ... with P A = L U, Aᵀ Pᵀ = Uᵀ Lᵀ, so solve Uᵀ z = b, Lᵀ w = z, y = Pᵀ w.
        let mut z = b.to_vec();
        for r in 0..n {
            let mut s = z[r];
            for c in 0..r {
                s -= self.lu[c * n + r] * z[c];
            }
            z[r] = s / self.lu[r * n + r];
        }
        for r in (0..n).rev() {
            let mut s = z[r];
            for c in r + 1..n {
                s -= self.lu[c * n + r] * z[c];
            }
            z[r] = s;
        }
        let mut y = vec![0.0; n];
        for (k, &p) in self.perm.iter().enumerate() {
            y[p] = z[k];
        }
        y
    }
}

/// An orthonormal basis of a growing set of vectors, for independence checks.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    n: usize,
    basis: Vec<Vec<f64>>,
}

impl Span {
    pub(crate) fn new(n: usize) -> Self {
        Span {
            n,
            basis: Vec::new(),
        }
    }

    pub(crate) fn rank(&self) -> usize {
        self.basis.len()
    }

    /// The part of `v` outside the span.
    fn residual(&self, v: &[f64]) -> Vec<f64> {
        let mut r = v.to_vec();
        // Two passes of Gram–Schmidt keep the basis orthogonal to working precision.
        for _ in 0..2 {
            for q in &self.basis {
                let d: f64 = r.iter().zip(q).map(|(a, b)| a * b).sum();
                for (x, y) in r.iter_mut().zip(q) {
                    *x -= d * y;
                }
            }
        }
        r
    }

    /// Adds `v` when it is independent of the span; says whether it was.
    pub(crate) fn add(&mut self, v: &[f64]) -> bool {
        let norm_v = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let r = self.residual(v);
        let norm = r.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm <= 1e-9 * norm_v.max(1.0) {
            return false;
        }
        self.basis.push(r.iter().map(|x| x / norm).collect());
        true
    }

    /// An orthonormal basis of the complement of the span.
    pub(crate) fn complement(&self) -> Vec<Vec<f64>> {
        let mut all = self.clone();
        let mut out = Vec::new();
        for j in 0..self.n {
            let mut e = vec![0.0; self.n];
            e[j] = 1.0;
            if all.add(&e) {
                out.push(all.basis[all.basis.len() - 1].clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lu_solves_both_ways() {
        let a = vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
        let lu = Lu::new(3, a.clone()).unwrap();
        let x = lu.solve(&[3.0, 2.0, 4.0]);
        for r in 0..3 {
            let s: f64 = (0..3).map(|c| a[r * 3 + c] * x[c]).sum();
            assert!((s - [3.0, 2.0, 4.0][r]).abs() < 1e-12);
        }
        let y = lu.solve_transposed(&[1.0, -1.0, 2.0]);
        for c in 0..3 {
            let s: f64 = (0..3).map(|r| a[r * 3 + c] * y[r]).sum();
            assert!((s - [1.0, -1.0, 2.0][c]).abs() < 1e-12);
        }
        assert!(Lu::new(2, vec![1.0, 2.0, 2.0, 4.0]).is_none());
    }

    #[test]
    fn span_tracks_independence() {
        let mut s = Span::new(3);
        assert!(s.add(&[1.0, 1.0, 0.0]));
        assert!(s.add(&[1.0, 0.0, 0.0]));
        assert!(!s.add(&[0.0, 1.0, 0.0]));
        assert_eq!(s.rank(), 2);
        let c = s.complement();
        assert_eq!(c.len(), 1);
        assert!((c[0][2].abs() - 1.0).abs() < 1e-12);
    }
}
