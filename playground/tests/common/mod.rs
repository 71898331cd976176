pub mod cross;
