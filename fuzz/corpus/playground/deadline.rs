// A request with a deadline: a slow server answers through a oneshot
// channel, a `timeout` gives up on it, and a `select` races two sleeps.

use std::time::Duration;

use wakescope::sync::oneshot;
use wakescope::{Either, select, sleep, spawn, timeout};

const SERVER_MS: u64 = 30;
const DEADLINE_MS: u64 = 20;

async fn main() {
    let (reply, answer) = oneshot::channel::<u32>("answer");
    let server = spawn("server", async move {
        sleep(Duration::from_millis(SERVER_MS)).await;
        let _ = reply.send(42);
    });
    let outcome = timeout(Duration::from_millis(DEADLINE_MS), answer).await;
    assert!(outcome.is_err());
    server.await.unwrap();
    let first = select(sleep(Duration::from_millis(5)), sleep(Duration::from_millis(7))).await;
    match first {
        Either::Left(()) => {}
        Either::Right(()) => panic!("7 ms came before 5 ms"),
    }
    let mut rounds = 0;
    loop {
        rounds += 1;
        if rounds == 3 {
            break;
        }
    }
    assert_eq!(rounds, 3);
}
