// The lost update: two workers read a shared counter, yield, and write
// back what they read plus one. Some interleavings lose an increment.

use std::cell::Cell;
use std::rc::Rc;

use wakescope::{check, spawn, yield_now};

const WORKERS: u32 = 2;

async fn main() {
    let counter = Rc::new(Cell::new(0u32));
    let mut workers = Vec::new();
    for i in 0..WORKERS {
        let counter = Rc::clone(&counter);
        workers.push(spawn(&format!("worker {i}"), async move {
            let seen = counter.get();
            yield_now().await;
            counter.set(seen + 1);
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    check(counter.get() == WORKERS, "an increment was lost");
}
