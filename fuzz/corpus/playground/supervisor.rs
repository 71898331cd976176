// A supervisor traps the exit of a linked worker that fails, and starts
// another; a task that ends normally sends a normal exit.

use wakescope::supervision::{recv_exit, spawn_link, trap_exit};
use wakescope::{ExitReason, spawn, yield_now};

async fn main() {
    let supervisor = spawn("supervisor", async {
        trap_exit(true);
        let worker = spawn_link("worker", async {
            yield_now().await;
            panic!("the disk is full");
        });
        let message = recv_exit().await;
        assert_eq!(message.reason, ExitReason::Error);
        assert_eq!(Some(message.from), worker.id());
        let again = spawn_link("worker again", async { 2 + 2 });
        let message = recv_exit().await;
        assert_eq!(message.reason, ExitReason::Normal);
        again.await.unwrap()
    });
    assert_eq!(supervisor.await.unwrap(), 4);
}
