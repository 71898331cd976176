//! `#[tokio::main]`, `#[tokio::test]` and `#[wakescope::test]`.
//!
//! The `async fn` stays as written, renamed and nested inside a plain `fn`
//! of the original name, so `?`, `return` and its return type mean what
//! they meant. The plain `fn` runs it as the `main` task of a simulation:
//! `main` once, with the seed from `WAKESCOPE_SEED` (default 0); a test
//! through the library's `Sweep` — `#[tokio::test]` over the seed 0 unless
//! `WAKESCOPE_SEED`/`WAKESCOPE_SEEDS` say otherwise, `#[wakescope::test]`
//! over its `seeds` — whose report names the smallest failing seed, its
//! message and the replay command.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, ItemFn, LitStr, Token};

/// tokio's runtime flavours, accepted and ignored: a simulation has one thread.
const FLAVORS: [&str; 3] = ["current_thread", "multi_thread", "local"];

/// The attribute's `name = value` arguments.
struct Args(Vec<(Ident, Expr)>);

fn parse_args(args: TokenStream) -> syn::Result<Args> {
    let parser = |input: ParseStream| {
        let mut out = Vec::new();
        while !input.is_empty() {
            let name = Ident::parse_any(input)?;
            input.parse::<Token![=]>()?;
            let value: Expr = input.parse()?;
            out.push((name, value));
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Args(out))
    };
    parser.parse2(args)
}

/// What a tokio attribute's arguments leave to the expansion: the path of
/// the facade (`::tokio` unless `crate = "…"`).
fn tokio_root(args: TokenStream) -> syn::Result<TokenStream> {
    let mut root = quote!(::tokio);
    for (name, value) in parse_args(args)?.0 {
        match name.to_string().as_str() {
            "flavor" => {
                let flavor = string(&value)?;
                if !FLAVORS.contains(&flavor.value().as_str()) {
                    return Err(syn::Error::new_spanned(
                        &value,
                        "flavor must be \"current_thread\", \"multi_thread\" or \"local\"",
                    ));
                }
            }
            // A simulation has one thread and a virtual clock: accepted so
            // tokio code compiles, with nothing to change.
            "worker_threads" | "start_paused" => {}
            "crate" => {
                let path: syn::Path = string(&value)?.parse()?;
                root = quote!(::#path);
                if path.leading_colon.is_some() {
                    root = quote!(#path);
                }
            }
            other => {
                return Err(syn::Error::new(
                    name.span(),
                    format!("unknown argument `{other}`: expected flavor, worker_threads, start_paused or crate"),
                ));
            }
        }
    }
    Ok(root)
}

fn string(value: &Expr) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) => Ok(s.clone()),
        _ => Err(syn::Error::new_spanned(value, "expected a string literal")),
    }
}

/// The `async fn`, checked, and renamed to `__wakescope_body`.
fn body_fn(item: TokenStream, what: &str) -> syn::Result<(ItemFn, ItemFn)> {
    let original: ItemFn = syn::parse2(item)?;
    if original.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            original.sig.fn_token,
            format!("{what} needs an `async fn`"),
        ));
    }
    if !original.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &original.sig.inputs,
            format!("{what} takes a function without arguments"),
        ));
    }
    let mut body = original.clone();
    body.attrs.clear();
    body.vis = syn::Visibility::Inherited;
    body.sig.ident = Ident::new("__wakescope_body", Span::call_site());
    Ok((original, body))
}

pub(crate) fn tokio_main(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let root = tokio_root(args)?;
    let (original, body) = body_fn(item, "#[tokio::main]")?;
    let attrs = &original.attrs;
    let vis = &original.vis;
    let name = &original.sig.ident;
    let output = &original.sig.output;
    Ok(quote! {
        #(#attrs)*
        #vis fn #name() #output {
            #body
            #root::__private::run_main(__wakescope_body())
        }
    })
}

pub(crate) fn tokio_test(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let root = tokio_root(args)?;
    let (original, body) = body_fn(item, "#[tokio::test]")?;
    let wakescope = quote!(#root::__private::wakescope);
    Ok(test_fn(&original, &body, &wakescope, quote!(0..1)))
}

pub(crate) fn wakescope_test(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut seeds = quote!(0..1);
    let mut wakescope = quote!(::wakescope);
    for (name, value) in parse_args(args)?.0 {
        match name.to_string().as_str() {
            "seeds" => seeds = quote!(#value),
            "crate" => {
                let path: syn::Path = string(&value)?.parse()?;
                wakescope = quote!(::#path);
            }
            other => {
                return Err(syn::Error::new(
                    name.span(),
                    format!("unknown argument `{other}`: expected seeds (e.g. `seeds = 0..1000`) or crate"),
                ));
            }
        }
    }
    let (original, body) = body_fn(item, "#[wakescope::test]")?;
    Ok(test_fn(&original, &body, &wakescope, seeds))
}

/// The `#[test]` that sweeps `seeds`, each a run of `body` as `main`.
fn test_fn(original: &ItemFn, body: &ItemFn, wakescope: &TokenStream, seeds: TokenStream) -> TokenStream {
    let attrs = &original.attrs;
    let vis = &original.vis;
    let name = &original.sig.ident;
    // A test returning a value passes when it is `Ok`-like (`Result`).
    let judge = match &original.sig.output {
        syn::ReturnType::Default => quote!(|()| ::core::result::Result::Ok(())),
        syn::ReturnType::Type(_, ty) => {
            quote!(|out: #ty| out.map(|_| ()).map_err(|e| ::std::format!("the test returned Err({e:?})")))
        }
    };
    let sweep = format_ident!("__wakescope_sweep");
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #body
            let #sweep = #wakescope::sweep::Sweep::new(#seeds);
            #sweep
                .run(|sim| match sim.block_on(__wakescope_body()) {
                    ::core::result::Result::Ok(out) => {
                        #wakescope::sweep::check_no_panics(sim)?;
                        (#judge)(out)
                    }
                    ::core::result::Result::Err(e) => ::core::result::Result::Err(::std::string::ToString::to_string(&e)),
                })
                .assert_ok();
        }
    }
}
