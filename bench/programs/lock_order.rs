// A lock-order deadlock: task `a` takes `first` then `second`, task `b`
// takes `second` then `first`, each yielding between its two locks. `b`
// does a little work first (one yield), so in FIFO order `a` holds both
// locks before `b` takes any and the run completes; the deadlock needs `b`
// to take `second` while `a` holds `first`.

use std::rc::Rc;

use wakescope::sync::Mutex;
use wakescope::{spawn, yield_now};

async fn main() {
    let first = Rc::new(Mutex::new("first", 0u32));
    let second = Rc::new(Mutex::new("second", 0u32));
    let (f, s) = (Rc::clone(&first), Rc::clone(&second));
    let a = spawn("a", async move {
        let mut one = f.lock().await;
        yield_now().await;
        let mut two = s.lock().await;
        *one += 1;
        *two += 1;
    });
    let (f, s) = (Rc::clone(&first), Rc::clone(&second));
    let b = spawn("b", async move {
        yield_now().await;
        let mut two = s.lock().await;
        yield_now().await;
        let mut one = f.lock().await;
        *one += 1;
        *two += 1;
    });
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(*first.lock().await, 2);
}
