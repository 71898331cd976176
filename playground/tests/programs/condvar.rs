// A bounded buffer of one slot between two producers and two consumers:
// a mutex over the items, a condition variable for "not full" and one for
// "not empty". Each waits in a `while` loop: a woken task must check again,
// since another may have locked the mutex first.

use std::rc::Rc;

use wakescope::sync::{Condvar, Mutex};
use wakescope::{println, spawn};

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
                while guard.len() == CAPACITY {
                    guard = not_full.wait(guard).await;
                }
                guard.push(p * 10 + i);
                not_empty.notify_one();
            }
        }));
    }
    let total = Rc::new(Mutex::new("total", 0u32));
    for c in 0..2u32 {
        let items = Rc::clone(&items);
        let not_full = Rc::clone(&not_full);
        let not_empty = Rc::clone(&not_empty);
        let total = Rc::clone(&total);
        tasks.push(spawn(&format!("consumer {c}"), async move {
            for _ in 0..ITEMS {
                let mut guard = items.lock().await;
                while guard.is_empty() {
                    guard = not_empty.wait(guard).await;
                }
                let item = guard.pop().unwrap();
                not_full.notify_one();
                drop(guard);
                let mut sum = total.lock().await;
                *sum += item;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let sum = *total.lock().await;
    println!("the consumers took items adding up to {sum}");
    assert_eq!(sum, 0 + 1 + 10 + 11);
}
