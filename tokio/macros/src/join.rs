//! `join!` and `try_join!`: run futures concurrently in the calling task.
//!
//! Each future goes in a `MaybeDone` (the facade's, boxed so nothing needs
//! unsafe pinning); one `poll_fn` polls the unfinished ones in order until
//! all are done — or, for `try_join!`, until one gives an `Err`, which is
//! returned at once (the others are dropped).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Token;
use syn::parse::Parser;
use syn::punctuated::Punctuated;

use crate::select::split_root;

pub(crate) fn expand(input: TokenStream, try_join: bool) -> syn::Result<TokenStream> {
    let (root, rest) = split_root(input)?;
    let futures = Punctuated::<syn::Expr, Token![,]>::parse_terminated.parse2(rest)?;
    let private = quote!(#root::__private);
    let names: Vec<_> = (0..futures.len()).map(|i| format_ident!("__join_{}", i)).collect();
    let inits = futures
        .iter()
        .zip(&names)
        .map(|(f, name)| quote!(let mut #name = #private::MaybeDone::new(#private::IntoFuture::into_future(#f));));
    let polls = names.iter().map(|name| {
        if try_join {
            quote! {
                __join_done &= #name.poll_done(__join_cx);
                if let ::core::option::Option::Some(e) = #name.take_err() {
                    return #private::Poll::Ready(::core::result::Result::Err(e));
                }
            }
        } else {
            quote!(__join_done &= #name.poll_done(__join_cx);)
        }
    });
    if try_join {
        Ok(quote! {{
            #(#inits)*
            match #private::poll_fn(|__join_cx| {
                let mut __join_done = true;
                #(#polls)*
                if __join_done {
                    #private::Poll::Ready(::core::result::Result::Ok(()))
                } else {
                    #private::Poll::Pending
                }
            })
            .await
            {
                ::core::result::Result::Ok(()) => ::core::result::Result::Ok((#(#names.take_ok(),)*)),
                ::core::result::Result::Err(e) => ::core::result::Result::Err(e),
            }
        }})
    } else {
        Ok(quote! {{
            #(#inits)*
            #private::poll_fn(|__join_cx| {
                let mut __join_done = true;
                #(#polls)*
                if __join_done { #private::Poll::Ready(()) } else { #private::Poll::Pending }
            })
            .await;
            (#(#names.take_output(),)*)
        }})
    }
}
