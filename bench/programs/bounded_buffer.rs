// The bounded buffer of `playground/tests/programs/condvar.rs` with its
// bug: each task waits with `if` instead of `while`, so a woken task does
// not check again. When a producer's wake reaches a waiting consumer but
// the other consumer locks the mutex first and takes the item, the woken
// consumer finds the buffer empty (and a woken producer may find it full).

use std::rc::Rc;

use wakescope::sync::{Condvar, Mutex};
use wakescope::spawn;

const CAPACITY: usize = 1;
const ITEMS: u32 = 2;

async fn main() {
    let items = Rc::new(Mutex::new("items", Vec::new()));
    let not_full = Rc::new(Condvar::new("not full"));
    let not_empty = Rc::new(Condvar::new("not empty"));
    let mut tasks = Vec::new();
    for p in 0..2u32 {
        let items = Rc::clone(&items);
        let not_full = Rc::clone(&not_full);
        let not_empty = Rc::clone(&not_empty);
        tasks.push(spawn(&format!("producer {p}"), async move {
            for i in 0..ITEMS {
                let mut guard = items.lock().await;
                if guard.len() == CAPACITY {
                    guard = not_full.wait(guard).await;
                }
                assert!(guard.len() < CAPACITY, "a woken producer found the buffer full");
                guard.push(p * 10 + i);
                not_empty.notify_one();
            }
        }));
    }
    for c in 0..2u32 {
        let items = Rc::clone(&items);
        let not_full = Rc::clone(&not_full);
        let not_empty = Rc::clone(&not_empty);
        tasks.push(spawn(&format!("consumer {c}"), async move {
            for _ in 0..ITEMS {
                let mut guard = items.lock().await;
                if guard.is_empty() {
                    guard = not_empty.wait(guard).await;
                }
                assert!(!guard.is_empty(), "a woken consumer found the buffer empty");
                guard.pop();
                not_full.notify_one();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}
