// Iterator chains and closures, as idiomatic code writes them: the timers
// spawned by a `map`, their results gathered by `collect`, a `filter`, a
// `sum`, `enumerate`, and `Option`'s closure methods.

use std::time::Duration;

use wakescope::{println, sleep, spawn};

const SECONDS: [u64; 4] = [3, 5, 10, 1];

async fn main() {
    let timers: Vec<_> = SECONDS
        .iter()
        .enumerate()
        .map(|(i, secs)| spawn(&format!("timer {i}"), sleep(Duration::from_secs(*secs))))
        .collect();
    let mut finished = 0;
    for timer in timers {
        timer.await.unwrap();
        finished += 1;
    }
    let long: Vec<u64> = SECONDS.iter().filter(|s| **s > 2).map(|s| s * 2).collect();
    let total: u64 = long.iter().sum();
    println!("{finished} timers; doubled long ones: {:?}, total {total}", long);
    let first = long.first().map(|s| s + 1).unwrap_or_else(|| 0);
    assert_eq!(first, 7);
    assert!(SECONDS.iter().any(|s| *s == 10));
    let slowest = SECONDS.iter().max();
    assert_eq!(slowest, Some(&10));
}
