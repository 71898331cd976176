// Two tasks add one to `x` each in two locked sections: read under the
// lock, unlock, lock again, write. No `.await` between them waits, so under
// cooperative scheduling nothing runs in between — on a multi-threaded
// runtime, another thread may (`--preemption-points` shows it).

use std::rc::Rc;

use wakescope::spawn;
use wakescope::sync::Mutex;

async fn main() {
    let x = Rc::new(Mutex::new("x", 0u32));
    let mut tasks = Vec::new();
    for name in ["a", "b"] {
        let x = Rc::clone(&x);
        tasks.push(spawn(name, async move {
            let read = *x.lock().await;
            let mut guard = x.lock().await;
            *guard = read + 1;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let value = *x.lock().await;
    assert_eq!(value, 2, "an increment was lost");
}
