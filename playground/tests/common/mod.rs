pub mod cross;
pub mod deep;
