//! A fast, seeded random number generator for the Monte Carlo engine.
//!
//! xoshiro256++ (Blackman and Vigna), seeded through SplitMix64 as its authors recommend.
//! Each chunk of iterations gets its own stream derived from the run's seed and the chunk's
//! index, so a run's results do not depend on how many threads share the chunks. Four
//! independent lanes are stepped together so that the compiler can keep them in vector
//! registers.

/// SplitMix64: expands one 64-bit seed into well-mixed words.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

const LANES: usize = 4;

/// Four xoshiro256++ generators stepped in lock-step.
#[derive(Debug, Clone)]
pub(crate) struct Streams {
    s: [[u64; LANES]; 4],
}

impl Streams {
    /// The streams of chunk `chunk` of a run seeded with `seed`.
    pub(crate) fn for_chunk(seed: u64, chunk: u64) -> Self {
        let mut mix = SplitMix64::new(seed ^ chunk.wrapping_mul(0xD1B5_4A32_D192_ED03));
        // Discard one word so that nearby (seed, chunk) pairs do not share a first word.
        mix.next_u64();
        let mut s = [[0; LANES]; 4];
        for lane in 0..LANES {
            for word in &mut s {
                word[lane] = mix.next_u64();
            }
        }
        Streams { s }
    }

    /// One step of every lane.
    #[inline(always)]
    fn step(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; LANES];
        for l in 0..LANES {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }

    /// Fills `out` with uniform numbers in `[0, 1)` at 32-bit resolution (steps of
    /// 2.3×10⁻¹⁰, far finer than any quantile table), two from each 64-bit word: the
    /// generator is the engine's hottest loop.
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn fill_uniform(&mut self, out: &mut [f64]) {
        const SCALE: f64 = 1.0 / (1u64 << 32) as f64;
        #[allow(clippy::cast_possible_truncation)]
        let halves = |w: u64| {
            [
                f64::from((w >> 32) as u32) * SCALE,
                f64::from(w as u32) * SCALE,
            ]
        };
        let mut chunks = out.chunks_exact_mut(2 * LANES);
        for chunk in &mut chunks {
            let words = self.step();
            for (pair, w) in chunk.chunks_exact_mut(2).zip(words) {
                pair.copy_from_slice(&halves(w));
            }
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let words = self.step();
            let all: Vec<f64> = words.iter().flat_map(|&w| halves(w)).collect();
            rest.copy_from_slice(&all[..rest.len()]);
        }
    }

    /// A uniform integer in `0..n` (n > 0), for shuffles.
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        // Multiply-shift (Lemire) without the rejection step: the bias is below 2⁻³² for the
        // chunk sizes used here, far under Monte Carlo noise.
        let w = self.step()[0];
        ((u128::from(w) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use rand_xoshiro::rand_core::{RngCore, SeedableRng};

    #[test]
    fn lanes_match_the_reference_xoshiro256plusplus() {
        let mut streams = Streams::for_chunk(42, 7);
        let mut reference: Vec<Xoshiro256PlusPlus> = (0..LANES)
            .map(|lane| {
                let mut seed = [0u8; 32];
                for (w, word) in streams.s.iter().enumerate() {
                    seed[w * 8..w * 8 + 8].copy_from_slice(&word[lane].to_le_bytes());
                }
                Xoshiro256PlusPlus::from_seed(seed)
            })
            .collect();
        for _ in 0..100 {
            let words = streams.step();
            for (lane, r) in reference.iter_mut().enumerate() {
                assert_eq!(words[lane], r.next_u64());
            }
        }
    }

    #[test]
    fn uniforms_are_in_range_and_roughly_uniform() {
        let mut streams = Streams::for_chunk(1, 0);
        let mut u = vec![0.0; 100_003];
        streams.fill_uniform(&mut u);
        assert!(u.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = u.iter().sum::<f64>() / u.len() as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        let below = (0..1000)
            .map(|_| streams.below(10))
            .filter(|&k| k < 5)
            .count();
        assert!((400..600).contains(&below));
    }

    #[test]
    fn chunk_streams_differ() {
        let mut a = Streams::for_chunk(1, 0);
        let mut b = Streams::for_chunk(1, 1);
        assert_ne!(a.step(), b.step());
    }
}
