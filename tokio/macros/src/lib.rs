//! The macros of `wakescope` and `wakescope-tokio`.
//!
//! - `select!`, `join!`, `try_join!` (called through the facade's
//!   `macro_rules!` wrappers, which pass the facade's `$crate` path first,
//!   in parentheses, so the expansion names the facade however it is
//!   renamed): see [`select`] and [`join`].
//! - `#[tokio::main]`, `#[tokio::test]` and `#[wakescope::test]`: see
//!   [`entry`]. Each runs the function's body as the main task of a
//!   simulation; the tests run it through the library's `Sweep`, once per
//!   seed, and fail with its report.
//!
//! The crate depends on nothing but syn, quote and proc-macro2; the code it
//! writes calls the library's public API.

mod entry;
mod join;
mod select;

use proc_macro::TokenStream;

/// `select!`'s implementation: `(facade path) [biased;] branches`.
#[doc(hidden)]
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    select::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `join!`'s implementation: `(facade path) futures`.
#[doc(hidden)]
#[proc_macro]
pub fn join_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), false)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `try_join!`'s implementation: `(facade path) futures`.
#[doc(hidden)]
#[proc_macro]
pub fn try_join_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), true)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[tokio::main]`: runs `async fn main` as a simulation seeded from
/// `WAKESCOPE_SEED` (default 0). Accepts tokio's `flavor`,
/// `worker_threads`, `start_paused` and `crate` arguments.
#[proc_macro_attribute]
pub fn tokio_main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::tokio_main(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[tokio::test]`: runs an `async fn` test as a simulation, once per seed
/// of `WAKESCOPE_SEEDS=A..B` (or the one seed `WAKESCOPE_SEED`, default 0).
/// Accepts tokio's `flavor`, `worker_threads`, `start_paused` and `crate`.
#[proc_macro_attribute]
pub fn tokio_test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::tokio_test(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[wakescope::test(seeds = 0..1000)]`: runs an `async fn` test as a
/// simulation once per seed (`WAKESCOPE_SEED`/`WAKESCOPE_SEEDS` override the
/// range) and fails with the smallest failing seed, its message and the
/// replay command.
#[proc_macro_attribute]
pub fn wakescope_test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::wakescope_test(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
