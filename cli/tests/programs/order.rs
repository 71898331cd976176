// An order violation: task `a` reads a value, awaits, and writes back what
// it read plus one; task `b` awaits once and then sets the value to 10,
// which must be the last write. FIFO order lets `a` write first; the bug
// needs `b` to run before `a`'s write.

use std::cell::Cell;
use std::rc::Rc;

use wakescope::{spawn, yield_now};

async fn main() {
    let value = Rc::new(Cell::new(0));
    let v = Rc::clone(&value);
    let a = spawn("a", async move {
        let read = v.get();
        yield_now().await;
        v.set(read + 1);
    });
    let v = Rc::clone(&value);
    let b = spawn("b", async move {
        yield_now().await;
        v.set(10);
    });
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(value.get(), 10, "b's write was lost");
}
