// A task that awaits `pending()` never finishes by itself: the task that
// started it gives up after a second and aborts it.

use std::future::pending;
use std::time::Duration;

use wakescope::{sleep, spawn};

async fn main() {
    let hung = spawn("hung", async {
        pending::<()>().await;
    });
    sleep(Duration::from_secs(1)).await;
    hung.abort();
    assert!(hung.await.is_err());
}
