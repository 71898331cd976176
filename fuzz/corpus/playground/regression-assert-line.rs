// Tasks that fail the ways Rust fails: an arithmetic overflow, an `unwrap`
// of `None`, a failed `assert_eq!`. Each panics alone; main sees the
// `JoinError`s and goes on.

use wakescope::{spawn, yield_now};

const LIMIT: u8 = 250;

async fn add_up(start: u8, steps: u8) -> u8 {
    let mut total = start;
    for _ in 0..steps {
        yield_now().await;
        total += 1;
    }
    total
}

async fn main() {
    let overflow = spawn("overflow", add_up(LIMIT, 10));
    let empty = spawn("empty", async {
        let nothing: Option<u32> = None;
        nothing.unwrap()
    });
    let unequal = spawn("unequal", async {
        let got = 2 + 2;
        assert_eq!(got, 4, "arithmetic is {}", "hard");
    });
    let fine = spawn("fine", add_up(2, 0));
    assert!(overflow.await.is_err());
    assert!(empty.await.is_err());
    let failed = unequal.await;
    assert!(failed.is_err());
    assert_eq!(fine.await.unwrap(), 3);
    let mut countdown = 3;
    while countdown > 0 {
        countdown -= 1;
    }
    match countdown {
        0 => {}
        n => panic!("countdogn stopped at {n}"),
    }
}
