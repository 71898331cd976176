// A producer and a consumer with a bounded channel between them: the
// producer waits whenever the buffer is full (backpressure).

use std::time::Duration;

use wakescope::sync::{Receiver, Sender, channel};
use wakescope::{sleep, spawn};

const ITEMS: u32 = 5;
const CAPACITY: usize = 2;

async fn produce(tx: Sender<u32>) {
    for item in 0..ITEMS {
        tx.send(item).await.unwrap();
    }
}

async fn consume(mut rx: Receiver<u32>) -> u32 {
    let mut total = 0;
    while let Some(item) = rx.recv().await {
        sleep(Duration::from_millis(10)).await;
        total += item;
    }
    total
}

async fn main() {
    let (tx, rx) = channel("jobs", CAPACITY);
    let producer = spawn("producer", produce(tx));
    let consumer = spawn("consumer", consume(rx));
    producer.await.unwrap();
    let total = consumer.await.unwrap();
    assert_eq!(total, 10);
}
