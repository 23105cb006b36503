//! A fast, seeded random number generator for the Monte Carlo engine.
//!
//! xoshiro256++ (Blackman and Vigna), seeded through SplitMix64 as its authors recommend.
//! Each chunk of iterations gets its own stream derived from the run's seed and the chunk's
//! index, so a run's results do not depend on how many threads share the chunks. Four
//! independent lanes are stepped together in vector registers (portable SIMD through
//! `wide`, SSE2 on any x86-64): one step yields four 64-bit words, which the engine reads as
//! eight 32-bit words.

use wide::{u32x8, u64x4};

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
    s: [u64x4; 4],
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
        Streams {
            s: s.map(u64x4::from),
        }
    }

    /// One step of every lane: four 64-bit words.
    #[inline(always)]
    fn step_wide(&mut self) -> u64x4 {
        let [s0, s1, s2, s3] = &mut self.s;
        let sum: u64x4 = *s0 + *s3;
        let out: u64x4 = ((sum << 23_u32) | (sum >> 41_u32)) + *s0;
        let t: u64x4 = *s1 << 17_u32;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = (*s3 << 45_u32) | (*s3 >> 19_u32);
        out
    }

    /// One step of every lane, as an array.
    #[inline]
    pub(crate) fn step(&mut self) -> [u64; LANES] {
        self.step_wide().to_array()
    }

    /// Eight 32-bit words (both halves of one step of the four lanes), the engine's unit of
    /// random input.
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn next_block(&mut self) -> u32x8 {
        let w = self.step_wide().to_array();
        // Split each word into its halves; the compiler reads this as a reinterpretation.
        u32x8::from([
            w[0] as u32,
            (w[0] >> 32) as u32,
            w[1] as u32,
            (w[1] >> 32) as u32,
            w[2] as u32,
            (w[2] >> 32) as u32,
            w[3] as u32,
            (w[3] >> 32) as u32,
        ])
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
        let state: Vec<[u64; LANES]> = streams.s.iter().map(|w| w.to_array()).collect();
        let mut reference: Vec<Xoshiro256PlusPlus> = (0..LANES)
            .map(|lane| {
                let mut seed = [0u8; 32];
                for (w, word) in state.iter().enumerate() {
                    seed[w * 8..w * 8 + 8].copy_from_slice(&word[lane].to_le_bytes());
                }
                Xoshiro256PlusPlus::from_seed(seed)
            })
            .collect();
        for step in 0..100 {
            let words = if step % 2 == 0 {
                streams.step()
            } else {
                let b = streams.next_block().to_array();
                std::array::from_fn(|l| u64::from(b[2 * l]) | (u64::from(b[2 * l + 1]) << 32))
            };
            for (lane, r) in reference.iter_mut().enumerate() {
                assert_eq!(words[lane], r.next_u64());
            }
        }
    }

    #[test]
    fn blocks_are_roughly_uniform() {
        let mut streams = Streams::for_chunk(1, 0);
        let n = 100_000;
        let mean = (0..n / 8)
            .flat_map(|_| streams.next_block().to_array())
            .map(|w| f64::from(w) / 4_294_967_296.0)
            .sum::<f64>()
            / f64::from(n);
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
