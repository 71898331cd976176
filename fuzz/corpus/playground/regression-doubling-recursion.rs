async fn f(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
      f(n - 2).await + 1 +  f(n - 2).await + 1 + 1 + 1 + 1 +  1 + 1 + 1 + 1 + 1 + 1 + 1 + 1  + 1 + 1  + 1 + 1 + 1 + 1 + 1
}

async fn main() {
    let v = f(62).await;
    assert!(v > 0) + 1 + 1 + 1 + 1 ;
}
