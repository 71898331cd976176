// Odds and ends: `matches!`, `Option::take`, a string built with
// `push_str`, an `unreachable!` never reached, matching through `&`.

use wakescope::{println, spawn, yield_now};

async fn main() {
    let mut pending = Some(spawn("helper", async {
        yield_now().await;
        7u32
    }));
    let mut log = String::new();
    while let Some(handle) = pending.take() {
        let got = handle.await.unwrap();
        log.push_str(&format!("got {got}; "));
    }
    assert!(pending.is_none());
    assert!(matches!(Some(3), Some(n) if n > 2));
    assert!(!matches!(log.len(), 0));
    println!("{log}");
    let state = 2;
    match state {
        0 | 1 => unreachable!("state {state}"),
        _ => {}
    }
    let best = Some(5u32);
    if let Some(n) = &best {
        assert_eq!(*n, 5);
    }
    let pair = (1, "one");
    match &pair {
        (1, name) => println!("{name}"),
        _ => unreachable!(),
    }
}
