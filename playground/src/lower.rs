//! From syn's syntax tree to the interpreter's ([`crate::ir`]): the subset is
//! decided here. Anything outside it is refused with its name, its line and
//! column, and the list of what the playground runs ([`SUPPORTED`]).

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use syn::spanned::Spanned;

use crate::Diagnostic;
use crate::ir::*;

/// What the playground runs, for the message that refuses anything else.
pub const SUPPORTED: &str = "items: `use`, `const`, `fn`, `async fn`; statements: `let` (with `mut` and \
patterns), expressions; expressions: literals, paths, calls, method calls, operators, assignment \
(`=`, `+=`, …), `if`/`else`, `if let`, `while`, `while let`, `loop`, `for` over ranges and \
vectors, `break`, `continue`, `return`, `match` (integers, ranges, `Option`, `Result`, \
`Either`, tuples, `|`, guards), blocks, `async`/`async move` blocks, `.await`, tuples and \
`.0`, the fields of an `ExitMessage`, arrays, indexing, `as` casts between integers, `a..b`, `a..=b`, `&`, `&mut`, `*`, `?`, \
closures; macros: `format!`, `println!`, `panic!`, `assert!`, `assert_eq!`, `assert_ne!`, `vec!`, \
`matches!`, `unreachable!`, `todo!`, `unimplemented!`";

/// The lowered program: its functions and constants, by name.
pub struct Lowered {
    pub funcs: BTreeMap<String, Rc<Func>>,
    pub consts: BTreeMap<String, (Ty, Expr)>,
    /// Things rustc would warn about (a future never awaited).
    pub warnings: Vec<Diagnostic>,
}

/// Where a token starts.
fn start_of(token: proc_macro2::Span) -> Span {
    let start = token.start();
    Span {
        line: start.line as u32,
        column: start.column as u32 + 1,
    }
}

/// Where a syntax node starts. `Spanned::span` prints the node to find it:
/// for an expression use [`expr_span`], which reads its first token.
fn span_of(s: &impl Spanned) -> Span {
    let start = s.span().start();
    Span {
        line: start.line as u32,
        column: start.column as u32 + 1,
    }
}

/// Where an expression starts, from its first token: `Spanned::span` would
/// print the whole expression to find it, which costs as much as the
/// expression is big, at every level of a deep one.
fn expr_span(e: &syn::Expr) -> Span {
    use syn::Expr as E;
    let token = |s: proc_macro2::Span| {
        let start = s.start();
        Span {
            line: start.line as u32,
            column: start.column as u32 + 1,
        }
    };
    match e {
        E::Lit(l) => token(l.lit.span()),
        E::Path(p) => p
            .path
            .segments
            .first()
            .map_or_else(|| span_of(e), |s| token(s.ident.span())),
        E::Call(c) => expr_span(&c.func),
        E::MethodCall(m) => expr_span(&m.receiver),
        E::Binary(b) => expr_span(&b.left),
        E::Field(f) => expr_span(&f.base),
        E::Index(i) => expr_span(&i.expr),
        E::Cast(c) => expr_span(&c.expr),
        E::Try(t) => expr_span(&t.expr),
        E::Await(a) => expr_span(&a.base),
        E::Assign(a) => expr_span(&a.left),
        E::Range(r) => match &r.start {
            Some(start) => expr_span(start),
            None => span_of(&r.limits),
        },
        E::Unary(u) => span_of(&u.op),
        E::Reference(r) => token(r.and_token.span),
        E::Paren(p) => token(p.paren_token.span.open()),
        E::Tuple(t) => token(t.paren_token.span.open()),
        E::Array(a) => token(a.bracket_token.span.open()),
        E::Block(b) => token(b.block.brace_token.span.open()),
        E::If(i) => token(i.if_token.span),
        E::While(w) => token(w.while_token.span),
        E::Loop(l) => token(l.loop_token.span),
        E::ForLoop(f) => token(f.for_token.span),
        E::Match(m) => token(m.match_token.span),
        E::Let(l) => token(l.let_token.span),
        E::Return(r) => token(r.return_token.span),
        E::Break(b) => token(b.break_token.span),
        E::Continue(c) => token(c.continue_token.span),
        E::Async(a) => token(a.async_token.span),
        E::Macro(m) => m
            .mac
            .path
            .segments
            .first()
            .map_or_else(|| span_of(e), |s| token(s.ident.span())),
        E::Closure(c) => match &c.asyncness {
            Some(a) => token(a.span),
            None => token(c.or1_token.span),
        },
        E::Yield(y) => token(y.yield_token.span),
        E::Const(c) => token(c.const_token.span),
        E::Unsafe(u) => token(u.unsafe_token.span),
        E::TryBlock(t) => token(t.try_token.span),
        E::Infer(i) => token(i.underscore_token.span),
        E::Repeat(r) => token(r.bracket_token.span.open()),
        E::RawAddr(r) => token(r.and_token.span),
        E::Group(g) => expr_span(&g.expr),
        E::Struct(s) => match s.path.segments.first() {
            Some(first) => token(first.ident.span()),
            None => span_of(&s.path),
        },
        E::Verbatim(tokens) => match tokens.clone().into_iter().next() {
            Some(first) => token(first.span()),
            None => span_of(e),
        },
        _ => span_of(e),
    }
}

fn refuse(s: &impl Spanned, what: &str) -> Diagnostic {
    refuse_at(span_of(s), what)
}

/// Where an item starts (its visibility, or the keyword after it), from
/// its first tokens: the item may hold expressions of any depth.
fn item_span(item: &syn::Item) -> Span {
    use syn::Item as I;
    let vis = match item {
        I::Const(i) => Some(&i.vis),
        I::Enum(i) => Some(&i.vis),
        I::ExternCrate(i) => Some(&i.vis),
        I::Fn(i) => Some(&i.vis),
        I::Mod(i) => Some(&i.vis),
        I::Static(i) => Some(&i.vis),
        I::Struct(i) => Some(&i.vis),
        I::Trait(i) => Some(&i.vis),
        I::TraitAlias(i) => Some(&i.vis),
        I::Type(i) => Some(&i.vis),
        I::Union(i) => Some(&i.vis),
        I::Use(i) => Some(&i.vis),
        _ => None,
    };
    match vis {
        Some(syn::Visibility::Public(p)) => return start_of(p.span),
        Some(syn::Visibility::Restricted(r)) => return start_of(r.pub_token.span),
        _ => {}
    }
    match item {
        I::Const(i) => start_of(i.const_token.span),
        I::Enum(i) => start_of(i.enum_token.span),
        I::ExternCrate(i) => start_of(i.extern_token.span),
        I::Fn(i) => match (&i.sig.constness, &i.sig.asyncness, &i.sig.unsafety) {
            (Some(c), _, _) => start_of(c.span),
            (None, Some(a), _) => start_of(a.span),
            (None, None, Some(u)) => start_of(u.span),
            (None, None, None) => start_of(i.sig.fn_token.span),
        },
        I::ForeignMod(i) => start_of(i.abi.extern_token.span),
        I::Impl(i) => start_of(i.impl_token.span),
        I::Macro(i) => match i.mac.path.segments.first() {
            Some(first) => start_of(first.ident.span()),
            None => start_of(i.mac.bang_token.span),
        },
        I::Mod(i) => start_of(i.mod_token.span),
        I::Static(i) => start_of(i.static_token.span),
        I::Struct(i) => start_of(i.struct_token.span),
        I::Trait(i) => start_of(i.trait_token.span),
        I::TraitAlias(i) => start_of(i.trait_token.span),
        I::Type(i) => start_of(i.type_token.span),
        I::Union(i) => start_of(i.union_token.span),
        I::Use(i) => start_of(i.use_token.span),
        other => span_of(other),
    }
}

/// Where a pattern starts, from its first token (a pattern may hold
/// expressions: range bounds, `const` blocks).
fn pat_span(p: &syn::Pat) -> Span {
    use syn::Pat as P;
    let path = |path: &syn::Path| match path.segments.first() {
        Some(first) => start_of(first.ident.span()),
        None => span_of(path),
    };
    match p {
        P::Ident(i) => match (&i.by_ref, &i.mutability) {
            (Some(r), _) => start_of(r.span),
            (None, Some(m)) => start_of(m.span),
            (None, None) => start_of(i.ident.span()),
        },
        P::Lit(l) => start_of(l.lit.span()),
        P::Range(r) => match &r.start {
            Some(start) => expr_span(start),
            None => span_of(&r.limits),
        },
        P::Tuple(t) => start_of(t.paren_token.span.open()),
        P::Paren(t) => start_of(t.paren_token.span.open()),
        P::Slice(t) => start_of(t.bracket_token.span.open()),
        P::Or(o) => match (&o.leading_vert, o.cases.first()) {
            (Some(v), _) => start_of(v.span),
            (None, Some(first)) => pat_span(first),
            (None, None) => span_of(o),
        },
        P::TupleStruct(t) => path(&t.path),
        P::Struct(t) => path(&t.path),
        P::Path(t) => path(&t.path),
        P::Reference(r) => start_of(r.and_token.span),
        P::Rest(r) => span_of(&r.dot2_token),
        P::Type(t) => pat_span(&t.pat),
        P::Wild(w) => start_of(w.underscore_token.span),
        P::Const(c) => start_of(c.const_token.span),
        P::Macro(m) => path(&m.mac.path),
        other => span_of(other),
    }
}

/// Where a type starts, from its first token (an array type holds its
/// length, an expression).
fn type_span(ty: &syn::Type) -> Span {
    use syn::Type as T;
    match ty {
        T::Path(p) => match (&p.qself, p.path.segments.first()) {
            (Some(q), _) => start_of(q.lt_token.span),
            (None, Some(first)) => start_of(first.ident.span()),
            (None, None) => span_of(ty),
        },
        T::Reference(r) => start_of(r.and_token.span),
        T::Array(a) => start_of(a.bracket_token.span.open()),
        T::Slice(s) => start_of(s.bracket_token.span.open()),
        T::Tuple(t) => start_of(t.paren_token.span.open()),
        T::Paren(p) => start_of(p.paren_token.span.open()),
        T::Ptr(p) => start_of(p.star_token.span),
        T::Never(n) => start_of(n.bang_token.span),
        T::ImplTrait(i) => start_of(i.impl_token.span),
        T::Infer(i) => start_of(i.underscore_token.span),
        T::Group(g) => type_span(&g.elem),
        other => span_of(other),
    }
}

/// [`refuse`] of an expression, placed at its first token: printing a deep
/// expression to find its span can take exponential time in `syn`.
fn refuse_expr(e: &syn::Expr, what: &str) -> Diagnostic {
    refuse_at(expr_span(e), what)
}

fn refuse_at(at: Span, what: &str) -> Diagnostic {
    Diagnostic {
        line: at.line,
        column: at.column,
        message: format!("{what} is not supported in the playground; it runs {SUPPORTED}"),
    }
}

/// A problem at an expression (where it starts).
fn error_at(e: &syn::Expr, message: String) -> Diagnostic {
    let at = expr_span(e);
    Diagnostic {
        line: at.line,
        column: at.column,
        message,
    }
}

fn error(s: &impl Spanned, message: String) -> Diagnostic {
    let at = span_of(s);
    Diagnostic {
        line: at.line,
        column: at.column,
        message,
    }
}

type R<T> = Result<T, Diagnostic>;

pub fn lower(file: &syn::File) -> R<Lowered> {
    let mut out = Lowered {
        funcs: BTreeMap::new(),
        consts: BTreeMap::new(),
        warnings: Vec::new(),
    };
    let async_fns = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) if f.sig.asyncness.is_some() => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut lowerer = Lowerer {
        warnings: Vec::new(),
        depth: 0,
        async_fns,
    };
    for item in &file.items {
        match item {
            syn::Item::Use(_) => {}
            syn::Item::Const(c) => {
                let ty = lower_ty(&c.ty);
                let expr = lowerer.expr(&c.expr)?;
                out.consts.insert(c.ident.to_string(), (ty, expr));
            }
            syn::Item::Fn(f) => {
                let func = lowerer.func(f)?;
                out.funcs.insert(func.name.clone(), Rc::new(func));
            }
            other => return Err(refuse_at(item_span(other), &format!("the item `{}`", item_word(other)))),
        }
    }
    if !out.funcs.contains_key("main") {
        return Err(Diagnostic {
            line: 1,
            column: 1,
            message: "the program has no `async fn main()`: the playground runs it as the task `main`".into(),
        });
    }
    out.warnings = lowerer.warnings;
    Ok(out)
}

fn item_word(item: &syn::Item) -> &'static str {
    match item {
        syn::Item::Struct(_) => "struct",
        syn::Item::Enum(_) => "enum",
        syn::Item::Impl(_) => "impl",
        syn::Item::Trait(_) => "trait",
        syn::Item::Static(_) => "static",
        syn::Item::Mod(_) => "mod",
        syn::Item::Macro(_) => "macro_rules!",
        syn::Item::Type(_) => "type",
        _ => "item",
    }
}

fn lower_ty(ty: &syn::Type) -> Ty {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            match IntTy::from_name(&p.path.segments[0].ident.to_string()) {
                Some(t) => Ty::Int(t),
                None => Ty::Other,
            }
        }
        syn::Type::Reference(r) => lower_ty(&r.elem),
        _ => Ty::Other,
    }
}

/// Library functions that return a future: a call of one as a statement,
/// never awaited, gets rustc's warning.
const FUTURE_FUNCTIONS: &[&str] = &[
    "sleep",
    "sleep_until",
    "yield_now",
    "timeout",
    "select",
    "work",
    "pending",
];

/// Deepest expression tree the playground takes (`1 + 1 + … + 1` is as deep
/// as it is long): the evaluator recurses on it, and the page's stack is small.
pub const EXPR_DEPTH_MAX: u32 = 128;

struct Lowerer {
    warnings: Vec<Diagnostic>,
    /// How deep the expression being lowered is.
    depth: u32,
    /// The program's `async fn`s: calling one as a statement does nothing.
    async_fns: BTreeSet<String>,
}

impl Lowerer {
    fn func(&mut self, f: &syn::ItemFn) -> R<Func> {
        if let Some(g) = f.sig.generics.params.first() {
            let at = match g {
                syn::GenericParam::Lifetime(l) => start_of(l.lifetime.apostrophe),
                syn::GenericParam::Type(t) => start_of(t.ident.span()),
                syn::GenericParam::Const(c) => start_of(c.const_token.span),
            };
            return Err(refuse_at(at, "a generic function"));
        }
        let mut params = Vec::new();
        for input in &f.sig.inputs {
            match input {
                syn::FnArg::Typed(t) => params.push((self.pat(&t.pat)?, lower_ty(&t.ty))),
                syn::FnArg::Receiver(r) => return Err(refuse(r, "`self`")),
            }
        }
        let ret = match &f.sig.output {
            syn::ReturnType::Default => Ty::Other,
            syn::ReturnType::Type(_, t) => lower_ty(t),
        };
        Ok(Func {
            name: f.sig.ident.to_string(),
            params,
            ret,
            body: Rc::new(self.block(&f.block)?),
            is_async: f.sig.asyncness.is_some(),
            span: span_of(&f.sig.ident),
        })
    }

    fn block(&mut self, b: &syn::Block) -> R<Block> {
        let mut stmts = Vec::new();
        let mut tail = None;
        let count = b.stmts.len();
        for (i, stmt) in b.stmts.iter().enumerate() {
            match stmt {
                syn::Stmt::Local(local) => {
                    if let Some(init) = &local.init
                        && let Some((_, diverge)) = &init.diverge
                    {
                        return Err(refuse_expr(diverge, "`let … else`"));
                    }
                    let (pat, ty) = match &local.pat {
                        syn::Pat::Type(t) => (self.pat(&t.pat)?, lower_ty(&t.ty)),
                        p => (self.pat(p)?, Ty::Other),
                    };
                    let init = match &local.init {
                        Some(init) => Some(self.expr(&init.expr)?),
                        None => None,
                    };
                    stmts.push(Stmt::Let {
                        pat,
                        ty,
                        init,
                        span: start_of(local.let_token.span),
                    });
                }
                syn::Stmt::Expr(e, semi) => {
                    if semi.is_some() {
                        self.warn_unawaited(e);
                    }
                    let expr = self.expr(e)?;
                    if semi.is_none() && i + 1 == count {
                        tail = Some(expr);
                    } else {
                        stmts.push(Stmt::Expr { expr });
                    }
                }
                syn::Stmt::Macro(m) => {
                    let expr = self.mac(&m.mac)?;
                    if m.semi_token.is_none() && i + 1 == count {
                        tail = Some(expr);
                    } else {
                        stmts.push(Stmt::Expr { expr });
                    }
                }
                syn::Stmt::Item(item) => return Err(refuse_at(item_span(item), "an item inside a block")),
            }
        }
        Ok(Block { stmts, tail })
    }

    /// rustc's `unused_must_use` for futures: `sleep(d);` does nothing.
    fn warn_unawaited(&mut self, e: &syn::Expr) {
        let syn::Expr::Call(call) = e else { return };
        let syn::Expr::Path(p) = &*call.func else { return };
        let Some(last) = p.path.segments.last() else { return };
        let name = last.ident.to_string();
        if FUTURE_FUNCTIONS.contains(&name.as_str()) || (p.path.segments.len() == 1 && self.async_fns.contains(&name)) {
            let at = expr_span(e);
            self.warnings.push(Diagnostic {
                line: at.line,
                column: at.column,
                message: format!(
                    "this `{name}(..)` is never awaited: nothing happens; add `.await` (futures do nothing unless awaited)"
                ),
            });
        }
    }

    fn pat(&mut self, p: &syn::Pat) -> R<Pat> {
        Ok(match p {
            syn::Pat::Ident(i) => {
                if let Some(r) = &i.by_ref {
                    return Err(refuse(r, "a `ref` binding"));
                }
                if let Some((_, sub)) = &i.subpat {
                    return Err(refuse_at(pat_span(sub), "a binding with `@`"));
                }
                let name = i.ident.to_string();
                match name.as_str() {
                    "None" => Pat::Variant {
                        variant: Variant::None,
                        inner: None,
                    },
                    _ => Pat::Bind { name: name.into() },
                }
            }
            syn::Pat::Wild(_) => Pat::Wild,
            syn::Pat::Tuple(t) => Pat::Tuple(t.elems.iter().map(|p| self.pat(p)).collect::<R<_>>()?),
            syn::Pat::Paren(p) => self.pat(&p.pat)?,
            syn::Pat::Lit(l) => Pat::Lit(self.lit(&l.lit)?),
            syn::Pat::Or(o) => Pat::Or(o.cases.iter().map(|p| self.pat(p)).collect::<R<_>>()?),
            syn::Pat::Range(r) => {
                let bound = |e: &Option<Box<syn::Expr>>| -> R<i128> {
                    match e.as_deref() {
                        Some(syn::Expr::Lit(l)) => match &l.lit {
                            syn::Lit::Int(i) => i.base10_parse::<i128>().map_err(|e| error(i, e.to_string())),
                            other => Err(refuse(other, "a range pattern over anything but integers")),
                        },
                        Some(other) => Err(refuse_expr(other, "a range pattern bound that is not a literal")),
                        None => Err(refuse_at(pat_span(p), "an open range pattern")),
                    }
                };
                Pat::Range {
                    from: bound(&r.start)?,
                    to: bound(&r.end)?,
                    inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                }
            }
            syn::Pat::TupleStruct(ts) => {
                let variant = variant_of(&ts.path).ok_or_else(|| refuse(&ts.path, "this tuple-struct pattern"))?;
                if ts.elems.len() != 1 {
                    return Err(refuse_at(pat_span(p), "a variant pattern with other than one field"));
                }
                Pat::Variant {
                    variant,
                    inner: Some(Box::new(self.pat(&ts.elems[0])?)),
                }
            }
            syn::Pat::Path(pp) => {
                let variant = variant_of(&pp.path).ok_or_else(|| refuse_at(pat_span(p), "this path pattern"))?;
                Pat::Variant { variant, inner: None }
            }
            syn::Pat::Type(t) => self.pat(&t.pat)?,
            syn::Pat::Reference(r) => self.pat(&r.pat)?,
            other => return Err(refuse_at(pat_span(other), "this pattern")),
        })
    }

    fn lit(&mut self, l: &syn::Lit) -> R<Lit> {
        Ok(match l {
            syn::Lit::Int(i) => {
                let ty = match i.suffix() {
                    "" => None,
                    s => Some(IntTy::from_name(s).ok_or_else(|| refuse(i, &format!("the suffix `{s}`")))?),
                };
                let v = i
                    .base10_parse::<i128>()
                    .map_err(|_| error(i, format!("the literal `{i}` is too large for the playground")))?;
                Lit::Int(v, ty)
            }
            syn::Lit::Bool(b) => Lit::Bool(b.value),
            syn::Lit::Str(s) => Lit::Str(s.value().into()),
            syn::Lit::Char(c) => Lit::Char(c.value()),
            other => return Err(refuse(other, "this literal (floats, bytes)")),
        })
    }

    fn boxed(&mut self, e: &syn::Expr) -> R<Box<Expr>> {
        Ok(Box::new(self.expr(e)?))
    }

    fn exprs<'a>(&mut self, es: impl IntoIterator<Item = &'a syn::Expr>) -> R<Vec<Expr>> {
        es.into_iter().map(|e| self.expr(e)).collect()
    }

    fn label(l: &Option<syn::Label>) -> Option<Rc<str>> {
        l.as_ref().map(|l| l.name.ident.to_string().into())
    }

    fn expr(&mut self, e: &syn::Expr) -> R<Expr> {
        if self.depth >= EXPR_DEPTH_MAX {
            return Err(error_at(
                e,
                format!("the expression nests deeper than {EXPR_DEPTH_MAX} levels; split it into `let`s"),
            ));
        }
        self.depth += 1;
        let lowered = self.expr_inner(e);
        self.depth -= 1;
        lowered
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> R<Expr> {
        let span = expr_span(e);
        let kind = match e {
            syn::Expr::Lit(l) => ExprKind::Lit(self.lit(&l.lit)?),
            syn::Expr::Path(p) => {
                if p.qself.is_some() {
                    return Err(refuse(p, "a qualified path"));
                }
                ExprKind::Path(p.path.segments.iter().map(|s| s.ident.to_string().into()).collect())
            }
            syn::Expr::Call(c) => ExprKind::Call {
                func: self.boxed(&c.func)?,
                args: self.exprs(&c.args)?,
            },
            syn::Expr::MethodCall(m) => ExprKind::MethodCall {
                receiver: self.boxed(&m.receiver)?,
                method: m.method.to_string().into(),
                args: self.exprs(&m.args)?,
            },
            syn::Expr::Binary(b) => {
                let (op, assign) = bin_op(&b.op).ok_or_else(|| refuse(&b.op, "this operator"))?;
                let (left, right) = (self.boxed(&b.left)?, self.boxed(&b.right)?);
                if assign {
                    ExprKind::AssignOp {
                        op,
                        place: left,
                        value: right,
                    }
                } else {
                    ExprKind::Binary { op, left, right }
                }
            }
            syn::Expr::Unary(u) => ExprKind::Unary {
                op: match u.op {
                    syn::UnOp::Neg(_) => UnOp::Neg,
                    syn::UnOp::Not(_) => UnOp::Not,
                    syn::UnOp::Deref(_) => UnOp::Deref,
                    _ => return Err(refuse_at(span_of(&u.op), "this unary operator")),
                },
                expr: self.boxed(&u.expr)?,
            },
            syn::Expr::Assign(a) => ExprKind::Assign {
                place: self.boxed(&a.left)?,
                value: self.boxed(&a.right)?,
            },
            syn::Expr::Field(f) => match &f.member {
                syn::Member::Unnamed(i) => ExprKind::Field {
                    expr: self.boxed(&f.base)?,
                    index: i.index as usize,
                },
                syn::Member::Named(n) => ExprKind::NamedField {
                    expr: self.boxed(&f.base)?,
                    name: n.to_string().into(),
                },
            },
            syn::Expr::Index(i) => ExprKind::Index {
                expr: self.boxed(&i.expr)?,
                index: self.boxed(&i.index)?,
            },
            syn::Expr::If(i) => ExprKind::If {
                cond: self.boxed(&i.cond)?,
                then: Rc::new(self.block(&i.then_branch)?),
                otherwise: match &i.else_branch {
                    Some((_, e)) => Some(self.boxed(e)?),
                    None => None,
                },
            },
            syn::Expr::Let(l) => ExprKind::Let {
                pat: self.pat(&l.pat)?,
                expr: self.boxed(&l.expr)?,
            },
            syn::Expr::While(w) => ExprKind::While {
                cond: self.boxed(&w.cond)?,
                body: Rc::new(self.block(&w.body)?),
                label: Self::label(&w.label),
            },
            syn::Expr::Loop(l) => ExprKind::Loop {
                body: Rc::new(self.block(&l.body)?),
                label: Self::label(&l.label),
            },
            syn::Expr::ForLoop(f) => ExprKind::For {
                pat: self.pat(&f.pat)?,
                iter: self.boxed(&f.expr)?,
                body: Rc::new(self.block(&f.body)?),
                label: Self::label(&f.label),
            },
            syn::Expr::Break(b) => ExprKind::Break {
                label: b.label.as_ref().map(|l| l.ident.to_string().into()),
                value: match &b.expr {
                    Some(e) => Some(self.boxed(e)?),
                    None => None,
                },
            },
            syn::Expr::Continue(c) => ExprKind::Continue {
                label: c.label.as_ref().map(|l| l.ident.to_string().into()),
            },
            syn::Expr::Return(r) => ExprKind::Return(match &r.expr {
                Some(e) => Some(self.boxed(e)?),
                None => None,
            }),
            syn::Expr::Block(b) => {
                if b.label.is_some() {
                    return Err(refuse_at(expr_span(e), "a labelled block"));
                }
                ExprKind::Block(Rc::new(self.block(&b.block)?))
            }
            syn::Expr::Async(a) => {
                let body = Rc::new(self.block(&a.block)?);
                let captures = captures_of_block(&body, &BTreeSet::new());
                ExprKind::Async {
                    body,
                    is_move: a.capture.is_some(),
                    captures,
                }
            }
            syn::Expr::Await(a) => {
                let inner = self.boxed(&a.base)?;
                return Ok(Expr {
                    kind: ExprKind::Await(inner),
                    span: span_of(&a.await_token),
                });
            }
            syn::Expr::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elems)?),
            syn::Expr::Array(a) => ExprKind::Array(self.exprs(&a.elems)?),
            syn::Expr::Paren(p) => return self.expr(&p.expr),
            syn::Expr::Group(g) => return self.expr(&g.expr),
            syn::Expr::Match(m) => ExprKind::Match {
                expr: self.boxed(&m.expr)?,
                arms: m
                    .arms
                    .iter()
                    .map(|arm| {
                        Ok(Arm {
                            pat: self.pat(&arm.pat)?,
                            guard: match &arm.guard {
                                Some((_, g)) => Some(self.expr(g)?),
                                None => None,
                            },
                            body: self.expr(&arm.body)?,
                        })
                    })
                    .collect::<R<_>>()?,
            },
            syn::Expr::Macro(m) => return self.mac(&m.mac),
            syn::Expr::Cast(c) => {
                let ty = match lower_ty(&c.ty) {
                    Ty::Int(t) => t,
                    Ty::Other => {
                        return Err(refuse_at(
                            type_span(&c.ty),
                            "an `as` cast to anything but an integer type",
                        ));
                    }
                };
                ExprKind::Cast {
                    expr: self.boxed(&c.expr)?,
                    ty,
                }
            }
            syn::Expr::Range(r) => ExprKind::Range {
                from: match &r.start {
                    Some(e) => Some(self.boxed(e)?),
                    None => None,
                },
                to: match &r.end {
                    Some(e) => Some(self.boxed(e)?),
                    None => None,
                },
                inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
            },
            syn::Expr::Reference(r) => ExprKind::Ref {
                expr: self.boxed(&r.expr)?,
            },
            syn::Expr::Try(t) => ExprKind::Try(self.boxed(&t.expr)?),
            syn::Expr::Closure(c) => {
                if c.asyncness.is_some() {
                    return Err(refuse_at(expr_span(e), "an async closure"));
                }
                let params: Vec<Pat> = c.inputs.iter().map(|p| self.pat(p)).collect::<R<_>>()?;
                let body = self.expr(&c.body)?;
                let mut bound = BTreeSet::new();
                for p in &params {
                    pat_names(p, &mut bound);
                }
                let mut captures = BTreeSet::new();
                expr_free(&body, &mut bound.clone(), &mut captures);
                ExprKind::Closure {
                    params,
                    body: Rc::new(body),
                    captures: captures.into_iter().collect(),
                }
            }
            other => return Err(refuse_expr(other, &format!("the expression `{}`", expr_word(other)))),
        };
        Ok(Expr { kind, span })
    }

    fn mac(&mut self, m: &syn::Macro) -> R<Expr> {
        let span = span_of(&m.path);
        let name = m.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let kind = match name.as_str() {
            "format" => MacroKind::Format,
            "println" => MacroKind::Println,
            "panic" => MacroKind::Panic,
            "assert" => MacroKind::Assert,
            "assert_eq" => MacroKind::AssertEq,
            "assert_ne" => MacroKind::AssertNe,
            "vec" => MacroKind::Vec,
            "unreachable" => MacroKind::Unreachable,
            "todo" => MacroKind::Todo,
            "unimplemented" => MacroKind::Unimplemented,
            "matches" => return self.matches_macro(m, span),
            _ => return Err(refuse(m, &format!("the macro `{name}!`"))),
        };
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let args = if kind == MacroKind::Vec {
            // `vec![x; n]` is refused; `vec![a, b]` is a list.
            m.parse_body_with(parser)
                .map_err(|e| error(m, format!("cannot read `vec!`: {e}")))?
        } else {
            m.parse_body_with(parser)
                .map_err(|e| error(m, format!("cannot read `{name}!`: {e}")))?
        };
        let mut args: Vec<&syn::Expr> = args.iter().collect();
        // The format string: first for format!/println!/panic!, after the
        // conditions for the asserts.
        let format_at = match kind {
            MacroKind::Format
            | MacroKind::Println
            | MacroKind::Panic
            | MacroKind::Unreachable
            | MacroKind::Todo
            | MacroKind::Unimplemented => Some(0),
            MacroKind::Assert => Some(1),
            MacroKind::AssertEq | MacroKind::AssertNe => Some(2),
            MacroKind::Vec => None,
        };
        let mut format = None;
        if let Some(i) = format_at
            && i < args.len()
        {
            match args[i] {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }) => {
                    // A format string the playground cannot write is refused up front.
                    crate::format::parse(&s.value()).map_err(|m| error(s, m))?;
                    format = Some(s.value().into());
                    args.remove(i);
                }
                other => return Err(error_at(other, format!("`{name}!` needs a string literal here"))),
            }
        }
        let min_args = match kind {
            MacroKind::Assert => 1,
            MacroKind::AssertEq | MacroKind::AssertNe => 2,
            _ => 0,
        };
        if args.len() < min_args {
            return Err(error(m, format!("`{name}!` takes at least {min_args} argument(s)")));
        }
        let mut lowered = Vec::new();
        for a in args {
            // `name = value` arguments of a format string.
            if let syn::Expr::Assign(assign) = a
                && format.is_some()
            {
                return Err(refuse(assign, "a named format argument (use `{name}` with a variable)"));
            }
            lowered.push(self.expr(a)?);
        }
        Ok(Expr {
            kind: ExprKind::Macro {
                kind,
                args: lowered,
                format,
            },
            span,
        })
    }
}

impl Lowerer {
    /// `matches!(e, pattern)` and `matches!(e, pattern if guard)`.
    fn matches_macro(&mut self, m: &syn::Macro, span: Span) -> R<Expr> {
        let parsed = m.parse_body_with(|input: syn::parse::ParseStream<'_>| {
            let e: syn::Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(syn::Token![if]) {
                input.parse::<syn::Token![if]>()?;
                Some(input.parse::<syn::Expr>()?)
            } else {
                None
            };
            let _ = input.parse::<Option<syn::Token![,]>>()?;
            Ok((e, pat, guard))
        });
        let (e, pat, guard) = parsed.map_err(|e| error(m, format!("cannot read `matches!`: {e}")))?;
        Ok(Expr {
            kind: ExprKind::Matches {
                expr: self.boxed(&e)?,
                pat: self.pat(&pat)?,
                guard: match &guard {
                    Some(g) => Some(self.boxed(g)?),
                    None => None,
                },
            },
            span,
        })
    }
}

fn expr_word(e: &syn::Expr) -> &'static str {
    match e {
        syn::Expr::Struct(_) => "struct literal",
        syn::Expr::Repeat(_) => "[x; n]",
        syn::Expr::Unsafe(_) => "unsafe block",
        syn::Expr::Const(_) => "const block",
        syn::Expr::TryBlock(_) => "try block",
        syn::Expr::Yield(_) => "yield",
        syn::Expr::Infer(_) => "_",
        _ => "expression",
    }
}

fn variant_of(path: &syn::Path) -> Option<Variant> {
    let last = path.segments.last()?.ident.to_string();
    Some(match last.as_str() {
        "Some" => Variant::Some,
        "None" => Variant::None,
        "Ok" => Variant::Ok,
        "Err" => Variant::Err,
        "Left" => Variant::Left,
        "Right" => Variant::Right,
        _ => return None,
    })
}

fn bin_op(op: &syn::BinOp) -> Option<(BinOp, bool)> {
    use syn::BinOp as S;
    Some(match op {
        S::Add(_) => (BinOp::Add, false),
        S::Sub(_) => (BinOp::Sub, false),
        S::Mul(_) => (BinOp::Mul, false),
        S::Div(_) => (BinOp::Div, false),
        S::Rem(_) => (BinOp::Rem, false),
        S::And(_) => (BinOp::And, false),
        S::Or(_) => (BinOp::Or, false),
        S::BitAnd(_) => (BinOp::BitAnd, false),
        S::BitOr(_) => (BinOp::BitOr, false),
        S::BitXor(_) => (BinOp::BitXor, false),
        S::Shl(_) => (BinOp::Shl, false),
        S::Shr(_) => (BinOp::Shr, false),
        S::Eq(_) => (BinOp::Eq, false),
        S::Ne(_) => (BinOp::Ne, false),
        S::Lt(_) => (BinOp::Lt, false),
        S::Le(_) => (BinOp::Le, false),
        S::Gt(_) => (BinOp::Gt, false),
        S::Ge(_) => (BinOp::Ge, false),
        S::AddAssign(_) => (BinOp::Add, true),
        S::SubAssign(_) => (BinOp::Sub, true),
        S::MulAssign(_) => (BinOp::Mul, true),
        S::DivAssign(_) => (BinOp::Div, true),
        S::RemAssign(_) => (BinOp::Rem, true),
        S::BitAndAssign(_) => (BinOp::BitAnd, true),
        S::BitOrAssign(_) => (BinOp::BitOr, true),
        S::BitXorAssign(_) => (BinOp::BitXor, true),
        S::ShlAssign(_) => (BinOp::Shl, true),
        S::ShrAssign(_) => (BinOp::Shr, true),
        _ => return None,
    })
}

// ---- Captures: the variables of enclosing scopes a block or closure names.

fn pat_names(p: &Pat, out: &mut BTreeSet<Rc<str>>) {
    match p {
        Pat::Bind { name, .. } => {
            out.insert(name.clone());
        }
        Pat::Tuple(ps) | Pat::Or(ps) => ps.iter().for_each(|p| pat_names(p, out)),
        Pat::Variant { inner: Some(p), .. } => pat_names(p, out),
        _ => {}
    }
}

fn captures_of_block(b: &Block, bound: &BTreeSet<Rc<str>>) -> Vec<Rc<str>> {
    let mut free = BTreeSet::new();
    block_free(b, &mut bound.clone(), &mut free);
    free.into_iter().collect()
}

fn block_free(b: &Block, bound: &mut BTreeSet<Rc<str>>, free: &mut BTreeSet<Rc<str>>) {
    let outer = bound.clone();
    for s in &b.stmts {
        match s {
            Stmt::Let { pat, init, .. } => {
                if let Some(e) = init {
                    expr_free(e, bound, free);
                }
                pat_names(pat, bound);
            }
            Stmt::Expr { expr, .. } => expr_free(expr, bound, free),
        }
    }
    if let Some(t) = &b.tail {
        expr_free(t, bound, free);
    }
    *bound = outer;
}

fn expr_free(e: &Expr, bound: &mut BTreeSet<Rc<str>>, free: &mut BTreeSet<Rc<str>>) {
    let mut go = |e: &Expr, bound: &mut BTreeSet<Rc<str>>| expr_free(e, bound, free);
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Continue { .. } => {}
        ExprKind::Path(p) => {
            if p.len() == 1 && !bound.contains(&p[0]) {
                free.insert(p[0].clone());
            }
        }
        ExprKind::Call { func, args } => {
            go(func, bound);
            args.iter().for_each(|a| go(a, bound));
        }
        ExprKind::MethodCall { receiver, args, .. } => {
            go(receiver, bound);
            args.iter().for_each(|a| go(a, bound));
        }
        ExprKind::Binary { left, right, .. } => {
            go(left, bound);
            go(right, bound);
        }
        ExprKind::Unary { expr, .. }
        | ExprKind::Field { expr, .. }
        | ExprKind::NamedField { expr, .. }
        | ExprKind::Await(expr)
        | ExprKind::Cast { expr, .. }
        | ExprKind::Ref { expr, .. }
        | ExprKind::Try(expr) => go(expr, bound),
        ExprKind::Assign { place, value } | ExprKind::AssignOp { place, value, .. } => {
            go(place, bound);
            go(value, bound);
        }
        ExprKind::Index { expr, index } => {
            go(expr, bound);
            go(index, bound);
        }
        ExprKind::If { cond, then, otherwise } => {
            let outer = bound.clone();
            go(cond, bound); // `if let` binds into the then block
            block_free(then, bound, free);
            *bound = outer;
            if let Some(o) = otherwise {
                expr_free(o, bound, free);
            }
        }
        ExprKind::Let { pat, expr } => {
            go(expr, bound);
            pat_names(pat, bound);
        }
        ExprKind::Matches { expr, pat, guard } => {
            go(expr, bound);
            let outer = bound.clone();
            pat_names(pat, bound);
            if let Some(g) = guard {
                expr_free(g, bound, free);
            }
            *bound = outer;
        }
        ExprKind::While { cond, body, .. } => {
            let outer = bound.clone();
            go(cond, bound);
            block_free(body, bound, free);
            *bound = outer;
        }
        ExprKind::Loop { body, .. } | ExprKind::Block(body) => block_free(body, bound, free),
        ExprKind::For { pat, iter, body, .. } => {
            go(iter, bound);
            let outer = bound.clone();
            pat_names(pat, bound);
            block_free(body, bound, free);
            *bound = outer;
        }
        ExprKind::Break { value, .. } | ExprKind::Return(value) => {
            if let Some(v) = value {
                go(v, bound);
            }
        }
        ExprKind::Async { captures, .. } | ExprKind::Closure { captures, .. } => {
            for c in captures {
                if !bound.contains(c) {
                    free.insert(c.clone());
                }
            }
        }
        ExprKind::Tuple(es) | ExprKind::Array(es) => es.iter().for_each(|x| go(x, bound)),
        ExprKind::Macro { args, format, .. } => {
            args.iter().for_each(|a| go(a, bound));
            if let Some(f) = format {
                for name in crate::format::inline_names(f) {
                    if !bound.contains(name.as_str()) {
                        free.insert(name.into());
                    }
                }
            }
        }
        ExprKind::Match { expr, arms } => {
            go(expr, bound);
            for arm in arms {
                let outer = bound.clone();
                pat_names(&arm.pat, bound);
                if let Some(g) = &arm.guard {
                    expr_free(g, bound, free);
                }
                expr_free(&arm.body, bound, free);
                *bound = outer;
            }
        }
        ExprKind::Range { from, to, .. } => {
            if let Some(f) = from {
                go(f, bound);
            }
            if let Some(t) = to {
                go(t, bound);
            }
        }
    }
}
