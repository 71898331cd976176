// Workers add to a total under a lock they hold across an `.await`; a
// semaphore lets two of three downloads run at once; a notify tells a
// waiter they are done.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Mutex, Notify, Semaphore};
use wakescope::{println, sleep, spawn, yield_now};

const WORKERS: u32 = 3;

async fn main() {
    let total = Rc::new(Mutex::new("total", 0u32));
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut workers = Vec::new();
    for i in 0..WORKERS {
        let total = Rc::clone(&total);
        let log = Rc::clone(&log);
        workers.push(spawn(&format!("worker {i}"), async move {
            let mut guard = total.lock().await;
            yield_now().await;
            *guard += i + 1;
            log.borrow_mut().push(i);
            drop(guard);
            sleep(Duration::from_millis(1)).await;
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let done = *total.lock().await;
    println!("total {done}, order {:?}", log.borrow());
    assert_eq!(done, 6);

    let seats = Rc::new(Semaphore::new("seats", 2));
    let bell = Rc::new(Notify::new("bell"));
    let mut downloads = Vec::new();
    for i in 0..3u64 {
        let seats = Rc::clone(&seats);
        downloads.push(spawn(&format!("download {i}"), async move {
            let _permit = seats.acquire().await.unwrap();
            sleep(Duration::from_millis(10 + i)).await;
        }));
    }
    let waiter = {
        let bell = Rc::clone(&bell);
        spawn("waiter", async move {
            bell.notified().await;
            println!("rang at {:?}", wakescope::now());
        })
    };
    for download in downloads {
        download.await.unwrap();
    }
    bell.notify_one();
    waiter.await.unwrap();
}
