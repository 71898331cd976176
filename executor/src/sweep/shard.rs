//! Shards: one sweep's seeds split across machines.
//!
//! Shard `K/N` (K from 1 to N, as `cargo nextest --partition count:K/N`
//! counts) takes the K-th of N contiguous blocks of the seed range, the
//! blocks as equal as whole seeds allow (they differ by at most one seed).
//! Every seed belongs to exactly one shard, so the shards' failure counts
//! add up to the unsharded sweep's, and the smallest of their smallest
//! failing seeds is the unsharded sweep's smallest failing seed.
//!
//! A library sweep reads its shard from [`SHARD_ENV`] (`WAKESCOPE_SHARD=2/4`)
//! when [`super::Sweep::env`] is on, or takes one from [`super::Sweep::shard`];
//! the command line takes `--shard K/N`.

use std::fmt;
use std::ops::Range;

/// Environment variable that runs one shard of a sweep, as `K/N` (see [`Shard`]).
pub const SHARD_ENV: &str = "WAKESCOPE_SHARD";
/// Most shards a sweep may be split into.
pub const SHARDS_MAX: u64 = 65_536;

/// Shard `index` of `count` (1 ≤ `index` ≤ `count` ≤ [`SHARDS_MAX`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which shard, from 1.
    index: u64,
    /// How many shards.
    count: u64,
}

impl Shard {
    /// The whole range: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` of `count`, or why not.
    ///
    /// ```
    /// use wakescope::sweep::Shard;
    /// assert!(Shard::new(2, 4).is_ok());
    /// assert!(Shard::new(3, 2).unwrap_err().contains("from 1 to 2"));
    /// assert!(Shard::new(1, 0).unwrap_err().contains("at least one shard"));
    /// ```
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("a sweep has at least one shard: N in K/N must be 1 or more".into());
        }
        if count > SHARDS_MAX {
            return Err(format!(
                "{count} shards is more than the limit of {SHARDS_MAX} (SHARDS_MAX)"
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count} does not exist: K in K/N counts from 1 to {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Which shard, from 1.
    pub fn index(self) -> u64 {
        self.index
    }

    /// How many shards.
    pub fn count(self) -> u64 {
        self.count
    }

    /// This shard's block of `seeds`: empty when there are fewer seeds than shards.
    ///
    /// ```
    /// use wakescope::sweep::Shard;
    /// let blocks: Vec<_> = (1..=3).map(|k| Shard::new(k, 3).unwrap().seeds(0..10)).collect();
    /// assert_eq!(blocks, [0..3, 3..6, 6..10]);
    /// ```
    pub fn seeds(self, seeds: Range<u64>) -> Range<u64> {
        let len = u128::from(seeds.end.saturating_sub(seeds.start));
        let at = |k: u64| seeds.start + (len * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N`, e.g. `2/4`.
    ///
    /// ```
    /// use wakescope::sweep::Shard;
    /// assert_eq!("2/4".parse::<Shard>().unwrap().to_string(), "2/4");
    /// assert!("3/2".parse::<Shard>().unwrap_err().contains("does not exist"));
    /// assert!("2".parse::<Shard>().unwrap_err().contains("K/N"));
    /// ```
    fn from_str(text: &str) -> Result<Shard, String> {
        let text = text.trim();
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: write K/N, e.g. `2/4` for the second of four"))?;
        let number = |s: &str, what: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("`{s}` in `{text}` is not a whole number ({what} in K/N)"))
        };
        Shard::new(number(k, "K")?, number(n, "N")?)
    }
}

/// The shard a sweep should run given the environment: `default`, unless
/// [`SHARD_ENV`] is set (a set but wrong value is an error).
pub fn shard_from_env(default: Shard) -> Result<Shard, String> {
    match std::env::var(SHARD_ENV) {
        Ok(text) => text.parse().map_err(|e| format!("{SHARD_ENV}={text}: {e}")),
        Err(_) => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blocks_cover_the_range_once_and_differ_by_at_most_one_seed() {
        for (range, count) in [(0..10, 3), (5..6, 4), (0..u64::MAX, 7), (100..1_100, 16), (3..3, 2)] {
            let blocks: Vec<Range<u64>> = (1..=count)
                .map(|k| Shard::new(k, count).unwrap().seeds(range.clone()))
                .collect();
            assert_eq!(blocks[0].start, range.start);
            assert_eq!(blocks.last().unwrap().end, range.end);
            for pair in blocks.windows(2) {
                assert_eq!(pair[0].end, pair[1].start, "{range:?} in {count}");
            }
            let sizes: Vec<u64> = blocks.iter().map(|b| b.end - b.start).collect();
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{range:?} in {count}: {sizes:?}");
        }
    }

    #[test]
    fn bad_shards_say_what_is_wrong() {
        assert!("0/2".parse::<Shard>().unwrap_err().contains("counts from 1 to 2"));
        assert!("1/0".parse::<Shard>().unwrap_err().contains("at least one shard"));
        assert!("1/70000".parse::<Shard>().unwrap_err().contains("SHARDS_MAX"));
        assert!("a/2".parse::<Shard>().unwrap_err().contains("`a`"));
        assert!("-1/2".parse::<Shard>().unwrap_err().contains("not a whole number"));
    }
}
