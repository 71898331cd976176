//! `select!`: wait on several branches, run the handler of the first that
//! completes with a value matching its pattern.
//!
//! Expansion. Preconditions are evaluated first, then every future (also
//! a disabled branch's, as tokio does). One `poll_fn` polls the enabled
//! branches starting from the one `wakescope::select_first` draws from the
//! simulation's seeded select stream (branch 0 under `biased;`); a branch
//! whose output does not match its pattern is disabled. The poll returns
//! the output in a variant of a local enum, the futures are dropped, and
//! only then does the handler run — so handlers may use what the futures
//! borrowed, and `break`, `continue`, `return` and `.await` act on the code
//! around the `select!`.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Expr, Pat, Token};

/// Most branches of one `select!` (the draw takes a `u32`; this keeps
/// expansions reasonable).
const BRANCHES_MAX: usize = 64;

/// One `pattern = future [, if precondition] => handler` branch.
struct Branch {
    pat: Pat,
    future: Expr,
    condition: Option<Expr>,
    handler: Expr,
}

/// The macro's input after the facade path.
struct Input {
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Input> {
        let mut biased = false;
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            let ident: syn::Ident = input.parse()?;
            if ident != "biased" {
                return Err(syn::Error::new(ident.span(), "expected `biased;` or a branch"));
            }
            input.parse::<Token![;]>()?;
            biased = true;
        }
        let mut branches = Vec::new();
        let mut otherwise = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
                input.parse::<Token![=>]>()?;
                let handler = parse_handler(input)?;
                if otherwise.replace(handler).is_some() {
                    return Err(input.error("select! has two `else` branches"));
                }
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future = Expr::parse_without_eager_brace(input)?;
            let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                future,
                condition,
                handler,
            });
        }
        if branches.is_empty() {
            return Err(syn::Error::new(Span::call_site(), "select! needs at least one branch"));
        }
        if branches.len() > BRANCHES_MAX {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("select! takes at most {BRANCHES_MAX} branches"),
            ));
        }
        Ok(Input {
            biased,
            branches,
            otherwise,
        })
    }
}

/// A handler: a block (comma optional) or an expression (comma required
/// unless last).
fn parse_handler(input: ParseStream) -> syn::Result<Expr> {
    let is_block = input.peek(syn::token::Brace);
    let handler: Expr = input.parse()?;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !is_block && !input.is_empty() {
        return Err(input.error("expected `,` after a select! branch"));
    }
    Ok(handler)
}

/// Splits `(path) rest` into the facade path and the rest.
pub(crate) fn split_root(input: TokenStream) -> syn::Result<(TokenStream, TokenStream)> {
    let mut tokens = input.into_iter();
    match tokens.next() {
        Some(TokenTree::Group(group)) => Ok((group.stream(), tokens.collect())),
        _ => Err(syn::Error::new(
            Span::call_site(),
            "internal: call select!, join! and try_join! through the facade",
        )),
    }
}

/// `pat` with every binding replaced by `_`: it tests the shape of a value
/// without moving or borrowing it. A lone identifier starting with an
/// upper-case letter is taken as a constant or unit variant, as rustc does
/// by convention.
fn shape(pat: &Pat) -> Pat {
    let mut pat = pat.clone();
    strip(&mut pat);
    pat
}

fn strip(pat: &mut Pat) {
    let wild = || {
        Pat::Wild(syn::PatWild {
            attrs: Vec::new(),
            underscore_token: Default::default(),
        })
    };
    match pat {
        Pat::Ident(ident) => {
            let binding = ident
                .ident
                .to_string()
                .chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || c == '_');
            match ident.subpat.take() {
                Some((_, sub)) => {
                    let mut sub = *sub;
                    strip(&mut sub);
                    *pat = sub;
                }
                None if binding || ident.by_ref.is_some() || ident.mutability.is_some() => *pat = wild(),
                None => {}
            }
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(strip),
        Pat::Paren(p) => strip(&mut p.pat),
        Pat::Reference(r) => strip(&mut r.pat),
        Pat::Slice(s) => s.elems.iter_mut().for_each(strip),
        Pat::Struct(s) => s.fields.iter_mut().for_each(|f| {
            if f.colon_token.is_none() {
                // `Point { x }` binds `x`: make it `x: _`.
                f.colon_token = Some(Default::default());
                *f.pat = wild();
            } else {
                strip(&mut f.pat);
            }
        }),
        Pat::Tuple(t) => t.elems.iter_mut().for_each(strip),
        Pat::TupleStruct(t) => t.elems.iter_mut().for_each(strip),
        Pat::Type(t) => strip(&mut t.pat),
        _ => {}
    }
}

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let (root, rest) = split_root(input)?;
    let input = Input::parse.parse2(rest)?;
    let private = quote!(#root::__private);
    let n = input.branches.len();
    let n_u32 = n as u32;
    let variants: Vec<_> = (0..n).map(|i| format_ident!("_{}", i)).collect();
    let generics: Vec<_> = (0..n).map(|i| format_ident!("__T{}", i)).collect();
    let futures: Vec<_> = (0..n).map(|i| format_ident!("__select_future_{}", i)).collect();
    let conditions = input.branches.iter().map(|b| match &b.condition {
        Some(c) => quote!(!(#c)),
        None => quote!(false),
    });
    let inits = input.branches.iter().zip(&futures).map(|(b, f)| {
        let future = &b.future;
        quote! {
            let mut #f = ::core::pin::pin!(#private::IntoFuture::into_future(#future));
        }
    });
    let start = if input.biased || n == 1 {
        quote!(0usize)
    } else {
        quote!(#private::select_first(#n_u32) as usize)
    };
    let index = if n == 1 {
        quote!(__select_start + __select_turn)
    } else {
        quote!((__select_start + __select_turn) % #n)
    };
    let polls = input.branches.iter().enumerate().map(|(i, b)| {
        let f = &futures[i];
        let v = &variants[i];
        let shape = shape(&b.pat);
        quote! {
            #i => {
                if !__select_disabled[#i] {
                    if let #private::Poll::Ready(__select_value) = #private::Future::poll(#f.as_mut(), __select_cx) {
                        __select_disabled[#i] = true;
                        #[allow(unreachable_patterns, unused_variables)]
                        let __select_matches = match __select_value { #shape => true, _ => false };
                        if __select_matches {
                            return #private::Poll::Ready(__SelectOut::#v(__select_value));
                        }
                    }
                }
            }
        }
    });
    let all_disabled = match &input.otherwise {
        Some(_) => quote!(return #private::Poll::Ready(__SelectOut::Else);),
        None => quote!(::core::panic!("all branches are disabled and there is no else branch");),
    };
    let handlers = input.branches.iter().zip(&variants).map(|(b, v)| {
        let pat = &b.pat;
        let handler = &b.handler;
        quote!(__SelectOut::#v(#pat) => { #handler })
    });
    let otherwise = match &input.otherwise {
        Some(e) => quote!(__SelectOut::Else => { #e }),
        None => quote!(__SelectOut::Else => ::core::unreachable!()),
    };
    Ok(quote! {{
        #[allow(non_camel_case_types)]
        enum __SelectOut<#(#generics),*> { #(#variants(#generics),)* Else }
        let __select_out = {
            let mut __select_disabled: [bool; #n] = [#(#conditions),*];
            #(#inits)*
            #private::poll_fn(|__select_cx| {
                let __select_start: usize = #start;
                for __select_turn in 0..#n {
                    match #index {
                        #(#polls)*
                        _ => ::core::unreachable!(),
                    }
                }
                if __select_disabled.iter().all(|d| *d) {
                    #all_disabled
                }
                #private::Poll::Pending
            })
            .await
        };
        #[allow(unreachable_patterns, unreachable_code)]
        match __select_out {
            #(#handlers,)*
            #otherwise,
            _ => ::core::unreachable!("select!: a branch's value stopped matching its pattern"),
        }
    }})
}
