// Where values are dropped, since a lock is released when its guard is:
// at the end of its block, at once for `let _ =`, at the end of the
// statement for a temporary, when moved into a task at that task's end.

use std::rc::Rc;

use wakescope::sync::Mutex;
use wakescope::{spawn, yield_now};

async fn main() {
    let lock = Rc::new(Mutex::new("lock", Vec::new()));
    {
        let mut guard = lock.lock().await;
        guard.push(1);
        yield_now().await;
    }
    let _ = lock.lock().await;
    let first = lock.lock().await.len();
    let _kept = lock.try_lock().is_some();
    let owned = lock.lock_owned().await;
    let holder = spawn("holder", async move {
        let mut owned = owned;
        owned.push(2);
        yield_now().await;
    });
    let waiter = {
        let lock = Rc::clone(&lock);
        spawn("waiter", async move {
            let guard = lock.lock().await;
            guard.len()
        })
    };
    holder.await.unwrap();
    assert_eq!(waiter.await.unwrap(), 2);
    assert_eq!(first, 1);
}
