// Three kitchen timers: popcorn takes 3 s, the water boiler 5 s, the
// cookies 10 s. Started together, they are all done at 10 s, not 18.

use std::time::Duration;

use wakescope::{check, now, sleep, spawn};

const POPCORN_S: u64 = 3;
const BOILER_S: u64 = 5;
const COOKIES_S: u64 = 10;

async fn main() {
    let mut timers = Vec::new();
    for (name, secs) in [("popcorn", POPCORN_S), ("boiler", BOILER_S), ("cookies", COOKIES_S)] {
        timers.push(spawn(name, sleep(Duration::from_secs(secs))));
    }
    for timer in timers {
        timer.await.unwrap();
    }
    check(now() == Duration::from_secs(COOKIES_S), "they wait together");
}
