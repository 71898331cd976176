//! The evaluator: the program's functions and blocks run as async Rust, so an
//! `.await` in the program is an `.await` here — polled inline, in the same
//! poll, the way the compiled program polls it. Nothing here adds a poll, a
//! wake or a spawn the compiled program would not make.
//!
//! Ownership follows Rust's: reading a variable that owns a resource moves
//! it out; each scope drops its variables in reverse order when it ends;
//! `let _ = e` drops at once; a temporary lives to the end of its statement.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use wakescope::trace::Site;

use crate::format::{Piece, Which};
use crate::ir::*;
use crate::library::Recv;
use crate::lower::Lowered;
use crate::rt::{Env, Ev, Flow, LocalFut, STRING_BYTES_MAX, deref_slot, fault, iterate, values_equal};
use crate::value::{BoxFuture, Closure, Either, Fault, Int, Slot, Value, slot};

/// Methods the evaluator runs itself (iterator adapters).
const HIGHER_ORDER: &[&str] = &[
    "iter",
    "into_iter",
    "collect",
    "rev",
    "enumerate",
    "count",
    "sum",
    "max",
    "min",
];

/// Calls of the program's functions inside one another: the evaluator
/// recurses on them, and the page's stack is small.
pub const CALL_DEPTH_MAX: u32 = 64;

/// Expressions being polled inside one another, across calls: the evaluator
/// recurses on the program, each level a few frames of the host's stack, so
/// a deep expression around an `.await` in a function called deep could
/// overflow it (the page's worker has 1 MiB). Past this many the task stops
/// with a message at the expression. A count, not a measure of the stack,
/// so the limit falls at the same place on every target and build.
pub const NESTED_POLLS_MAX: u32 = 1024;

/// Statements one poll may run (loop turns and calls count too) before the
/// task is stopped as looping or recursing without an `.await` that waits
/// (it would hold the executor forever).
pub const STEPS_PER_POLL_MAX: u64 = 1_000_000;

/// The program, shared by every task that runs a part of it.
pub struct Interp {
    pub(crate) prog: Lowered,
    pub(crate) file: Rc<str>,
    pub(crate) source: Rc<str>,
    /// Statements run in the current poll (reset as each task's poll starts).
    pub(crate) steps: Rc<std::cell::Cell<u64>>,
    /// Statements one poll may run: [`STEPS_PER_POLL_MAX`] unless the host set less.
    pub(crate) steps_max: std::cell::Cell<u64>,
    /// Polls of the program's functions inside one another, now.
    pub(crate) depth: std::cell::Cell<u32>,
    /// Polls of expressions inside one another, now (see [`NESTED_POLLS_MAX`]).
    pub(crate) nested: std::cell::Cell<u32>,
}

/// Sets a counter back to a value when dropped.
struct Restore<'a>(&'a std::cell::Cell<u32>, u32);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        self.0.set(self.1);
    }
}

/// An expression's future, counted against [`NESTED_POLLS_MAX`] while it
/// is polled.
struct Counted<'a, F> {
    interp: &'a Interp,
    span: Span,
    inner: F,
}

impl<F: Future<Output = Ev>> Future for Counted<'_, F> {
    type Output = Ev;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ev> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of
        // `self`, and `Counted` has no `Drop` of its own.
        let this = unsafe { self.get_unchecked_mut() };
        let nested = this.interp.nested.get();
        if nested >= NESTED_POLLS_MAX {
            return Poll::Ready(Err(Flow::Fault(Fault {
                message: format!(
                    "expressions and calls nest {NESTED_POLLS_MAX} deep here: the playground stops there \
                     (split the expression into `let`s, or recurse less deeply)"
                ),
                line: this.span.line,
                column: this.span.column,
            })));
        }
        this.interp.nested.set(nested + 1);
        // Put back however the poll ends, an unwinding panic included.
        let _restore = Restore(&this.interp.nested, nested);
        // SAFETY: see above.
        unsafe { Pin::new_unchecked(&mut this.inner) }.poll(cx)
    }
}

/// Polls a future with the program's location for the `.await`, so the
/// trace names the program's line, not the interpreter's.
pub(crate) struct AtSite<F> {
    pub(crate) site: Site,
    pub(crate) future: F,
}

impl<F: Future + Unpin> Future for AtSite<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        wakescope::with_site(this.site.clone(), || Pin::new(&mut this.future).poll(cx))
    }
}

/// A function's future, polled at most [`CALL_DEPTH_MAX`] inside one another.
struct Nested<'a> {
    interp: Rc<Interp>,
    name: String,
    span: Span,
    inner: LocalFut<'a, Result<Value, Fault>>,
}

impl Future for Nested<'_> {
    type Output = Result<Value, Fault>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let depth = self.interp.depth.get();
        if depth >= CALL_DEPTH_MAX {
            return Poll::Ready(Err(Fault {
                message: format!(
                    "`{}` is called {CALL_DEPTH_MAX} calls deep: the playground stops recursion there",
                    self.name
                ),
                line: self.span.line,
                column: self.span.column,
            }));
        }
        self.interp.depth.set(depth + 1);
        let poll = self.inner.as_mut().poll(cx);
        self.interp.depth.set(depth);
        poll
    }
}

impl Interp {
    pub(crate) fn site(&self, span: Span) -> Site {
        Site {
            file: self.file.as_ref().into(),
            line: span.line,
            column: span.column,
        }
    }

    /// The program's text of `span`'s line from its column: for `assert!`'s message.
    fn text_of(&self, args_span: Span, end_marker: char) -> String {
        let Some(line) = (args_span.line as usize)
            .checked_sub(1)
            .and_then(|i| self.source.lines().nth(i))
        else {
            return String::new();
        };
        let rest: String = line
            .chars()
            .skip((args_span.column as usize).saturating_sub(1))
            .collect();
        // From the macro's `(` to its matching `)`, or to `,`.
        let Some(open) = rest.find('(') else {
            return String::new();
        };
        let mut depth = 0;
        let mut out = String::new();
        for c in rest[open + 1..].chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                c if c == end_marker && depth == 0 => break,
                _ => {}
            }
            out.push(c);
        }
        out.trim().to_string()
    }

    /// Counts a statement.
    fn count(&self) {
        self.steps.set(self.steps.get() + 1);
    }

    /// Counts a loop's turn; past the limit the task stops at the loop.
    fn tick(&self, span: Span) -> Result<(), Flow> {
        self.tick_with(span, |max| {
            format!(
                "this loop ran {max} statements without an `.await`: it holds the executor \
                 (a poll that never returns); add an `.await` (e.g. `yield_now().await`) inside it"
            )
        })
    }

    /// Counts a step of the poll (a loop's turn, a call); past the limit the
    /// task stops at `span` with `message(limit)`.
    fn tick_with(&self, span: Span, message: impl FnOnce(u64) -> String) -> Result<(), Flow> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        let max = self.steps_max.get();
        if n > max {
            self.steps.set(0);
            return Err(fault(span, message(max)));
        }
        Ok(())
    }

    // ---- Functions.

    /// Calls `func` with `args`: an `async fn` gives a future that runs the
    /// body when awaited; a plain `fn` runs now.
    pub(crate) fn call(self: &Rc<Self>, func: Rc<Func>, args: Vec<Value>, span: Span) -> Ev {
        if args.len() != func.params.len() {
            return Err(fault(
                span,
                format!(
                    "`{}` takes {} argument(s), {} given",
                    func.name,
                    func.params.len(),
                    args.len()
                ),
            ));
        }
        // A call counts as a step of the poll: recursion that never awaits
        // anything that waits (`f(n - 1).await + f(n - 1).await`, say) holds
        // the executor as surely as a loop does.
        self.tick_with(span, |max| {
            format!(
                "this call of `{}` came after {max} statements without a real wait: the calls hold the \
                 executor (a poll that never returns); recurse less, or add an `.await` that waits \
                 (e.g. `yield_now().await`)",
                func.name
            )
        })?;
        if func.is_async {
            let interp = self.clone();
            let future: BoxFuture = Box::pin(async move { interp.run_func(&func, args).await });
            return Ok(Value::Future(future));
        }
        // A plain function runs synchronously: its body awaits nothing.
        let interp = self.clone();
        let mut future = std::pin::pin!(async move { interp.run_func(&func, args).await });
        let waker = std::task::Waker::noop();
        match future.as_mut().poll(&mut Context::from_waker(waker)) {
            Poll::Ready(r) => r.map_err(Flow::Fault),
            Poll::Pending => Err(fault(span, "a plain `fn` awaited something; make it `async fn`")),
        }
    }

    async fn run_func(self: &Rc<Self>, func: &Func, args: Vec<Value>) -> Result<Value, Fault> {
        let nested = Nested {
            interp: self.clone(),
            name: func.name.clone(),
            span: func.span,
            inner: Box::pin(self.run_func_inner(func, args)),
        };
        nested.await
    }

    async fn run_func_inner(self: &Rc<Self>, func: &Func, args: Vec<Value>) -> Result<Value, Fault> {
        let mut env = Env::default();
        env.push();
        for ((pat, ty), value) in func.params.iter().zip(args) {
            let value = type_int(value, ty);
            if let Err(Flow::Fault(f)) = self.bind_pat(pat, value, &mut env, func.span) {
                return Err(f);
            }
        }
        let result = self.block(&func.body, &mut env).await;
        env.pop();
        match result {
            Ok(v) | Err(Flow::Return(v)) => Ok(type_int(v, &func.ret)),
            Err(Flow::Fault(f)) => Err(f),
            Err(Flow::Break(..) | Flow::Continue(..)) => Err(Fault {
                message: "`break` or `continue` outside a loop".into(),
                line: func.span.line,
                column: func.span.column,
            }),
        }
    }

    /// Runs an async block (or a closure body) with captured variables.
    pub(crate) fn run_async_block(self: &Rc<Self>, body: Rc<Block>, captures: Vec<(Rc<str>, Slot)>) -> BoxFuture {
        let interp = self.clone();
        Box::pin(async move {
            let mut env = Env::with(captures);
            let result = interp.block(&body, &mut env).await;
            env.pop();
            match result {
                Ok(v) | Err(Flow::Return(v)) => Ok(v),
                Err(Flow::Fault(f)) => Err(f),
                Err(Flow::Break(..) | Flow::Continue(..)) => Err(Fault {
                    message: "`break` or `continue` outside a loop".into(),
                    line: 0,
                    column: 0,
                }),
            }
        })
    }

    // ---- Blocks and statements.

    pub(crate) fn block<'a>(self: &'a Rc<Self>, b: &'a Block, env: &'a mut Env) -> LocalFut<'a, Ev> {
        Box::pin(async move {
            env.push();
            let result = self.block_inner(b, env).await;
            // Edition 2024: the tail's temporaries drop before the block's variables.
            env.pop();
            result
        })
    }

    async fn block_inner(self: &Rc<Self>, b: &Block, env: &mut Env) -> Ev {
        for stmt in &b.stmts {
            self.stmt(stmt, env).await?;
        }
        match &b.tail {
            Some(tail) => {
                env.start_temps();
                let v = self.eval(tail, env).await;
                drop_temps(env);
                v
            }
            None => Ok(Value::Unit),
        }
    }

    async fn stmt(self: &Rc<Self>, stmt: &Stmt, env: &mut Env) -> Result<(), Flow> {
        env.start_temps();
        let result = self.stmt_inner(stmt, env).await;
        drop_temps(env);
        result
    }

    async fn stmt_inner(self: &Rc<Self>, stmt: &Stmt, env: &mut Env) -> Result<(), Flow> {
        match stmt {
            Stmt::Let { pat, ty, init, span } => {
                self.count();
                let Some(init) = init else {
                    return Err(fault(*span, "a `let` without a value is not supported; give it one"));
                };
                let value = type_int(self.eval(init, env).await?, ty);
                match pat {
                    // `let _ = e;` drops the value at once.
                    Pat::Wild => drop(value),
                    _ => self.bind_pat(pat, value, env, *span)?,
                }
                Ok(())
            }
            Stmt::Expr { expr, .. } => {
                self.count();
                let value = self.eval(expr, env).await?;
                drop(value);
                Ok(())
            }
        }
    }

    // ---- Patterns.

    /// Binds an irrefutable pattern.
    pub(crate) fn bind_pat(&self, pat: &Pat, value: Value, env: &mut Env, span: Span) -> Result<(), Flow> {
        if !matches(pat, &value) {
            return Err(fault(span, format!("the pattern does not match the value {value:?}")));
        }
        bind_matched(pat, value, env);
        Ok(())
    }

    // ---- Expressions.

    /// `future`, the evaluation of `e`, boxed and counted (see [`Counted`]).
    fn counted<'a>(self: &'a Rc<Self>, e: &Expr, future: impl Future<Output = Ev> + 'a) -> LocalFut<'a, Ev> {
        Box::pin(Counted {
            interp: self.as_ref(),
            span: e.span,
            inner: future,
        })
    }

    pub(crate) fn eval<'a>(self: &'a Rc<Self>, e: &'a Expr, env: &'a mut Env) -> LocalFut<'a, Ev> {
        // Each kind is an async fn of its own: a poll's stack frame holds
        // only the construct being run (the page's stack is small).
        match &e.kind {
            ExprKind::Lit(l) => {
                let v = lit_value(l);
                Box::pin(async move { Ok(v) })
            }
            ExprKind::Path { .. } => self.counted(e, self.eval_path(e, env)),
            ExprKind::Call { .. } => self.counted(e, self.eval_call(e, env)),
            ExprKind::MethodCall { .. } => self.counted(e, self.eval_method_call(e, env)),
            ExprKind::Binary { .. } => self.counted(e, self.eval_binary(e, env)),
            ExprKind::Unary { .. } => self.counted(e, self.eval_unary(e, env)),
            ExprKind::Assign { .. } => self.counted(e, self.eval_assign(e, env)),
            ExprKind::AssignOp { .. } => self.counted(e, self.eval_assign_op(e, env)),
            ExprKind::Field { .. } => self.counted(e, self.eval_field(e, env)),
            ExprKind::Matches { .. } => self.counted(e, self.eval_matches(e, env)),
            ExprKind::NamedField { .. } => self.counted(e, self.eval_named_field(e, env)),
            ExprKind::Index { .. } => self.counted(e, self.eval_index(e, env)),
            ExprKind::If { .. } => self.counted(e, self.eval_if(e, env)),
            ExprKind::Let { .. } => self.counted(e, self.eval_let(e, env)),
            ExprKind::While { .. } => self.counted(e, self.eval_while(e, env)),
            ExprKind::Loop { .. } => self.counted(e, self.eval_loop(e, env)),
            ExprKind::For { .. } => self.counted(e, self.eval_for(e, env)),
            ExprKind::Break { .. } => self.counted(e, self.eval_break(e, env)),
            ExprKind::Continue { .. } => self.counted(e, self.eval_continue(e, env)),
            ExprKind::Return { .. } => self.counted(e, self.eval_return(e, env)),
            ExprKind::Block { .. } => self.counted(e, self.eval_block(e, env)),
            ExprKind::Async { .. } => self.counted(e, self.eval_async(e, env)),
            ExprKind::Await { .. } => self.counted(e, self.eval_await(e, env)),
            ExprKind::Tuple { .. } => self.counted(e, self.eval_tuple(e, env)),
            ExprKind::Array { .. } => self.counted(e, self.eval_array(e, env)),
            ExprKind::Match { .. } => self.counted(e, self.eval_match(e, env)),
            ExprKind::Macro { .. } => self.counted(e, self.eval_macro(e, env)),
            ExprKind::Cast { .. } => self.counted(e, self.eval_cast(e, env)),
            ExprKind::Range { .. } => self.counted(e, self.eval_range(e, env)),
            ExprKind::Ref { .. } => self.counted(e, self.eval_ref(e, env)),
            ExprKind::Try { .. } => self.counted(e, self.eval_try(e, env)),
            ExprKind::Closure { .. } => self.counted(e, self.eval_closure(e, env)),
        }
    }

    async fn eval_path(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Path(path) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        self.path_value(path, env, span).await
    }

    async fn eval_call(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Call { func, args } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        self.call_expr(func, args, env, span).await
    }

    async fn eval_method_call(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::MethodCall { receiver, method, args } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            // The receiver is borrowed in place when it is a variable,
            // else it is a temporary of this statement.
            let place = match &receiver.kind {
                ExprKind::Path(p) if p.len() == 1 => env.lookup(&p[0]).map(deref_slot),
                ExprKind::Ref { expr, .. } => match &expr.kind {
                    ExprKind::Path(p) if p.len() == 1 => env.lookup(&p[0]).map(deref_slot),
                    _ => None,
                },
                _ => None,
            };
            let recv = match place {
                Some(s) => Recv::Slot(s),
                None => Recv::Temp(self.eval(receiver, env).await?),
            };
            let mut values = Vec::new();
            for a in args {
                values.push(self.eval(a, env).await?);
            }
            let sequence = match &recv {
                Recv::Temp(v) => matches!(v, Value::Vec(_) | Value::Range(..)),
                Recv::Slot(s) => matches!(s.borrow().as_ref(), Some(Value::Vec(_) | Value::Range(..))),
            };
            if values.iter().any(|v| matches!(v, Value::Closure(_))) || (sequence && HIGHER_ORDER.contains(&&**method))
            {
                return self.higher_order(recv, method, values, env, span).await;
            }
            crate::library::method_call(recv, method, values, self.site(span), env, span)
        }
    }

    /// Iterator adapters and the `Option`/`Result` methods that take a
    /// closure, evaluated eagerly: `(1..=n).map(|i| spawn(..)).collect()`
    /// spawns in the same order as the lazy chain, and nothing runs between.
    async fn higher_order(
        self: &Rc<Self>,
        recv: Recv,
        method: &str,
        mut args: Vec<Value>,
        env: &mut Env,
        span: Span,
    ) -> Ev {
        let receiver = match recv {
            Recv::Temp(v) => v,
            Recv::Slot(s) => {
                let copy = s.borrow().as_ref().and_then(Value::try_copy);
                match copy {
                    Some(v) => v,
                    None => s
                        .borrow_mut()
                        .take()
                        .ok_or_else(|| fault(span, "use of a moved value"))?,
                }
            }
        };
        let closure = |args: &mut Vec<Value>| {
            args.pop()
                .ok_or_else(|| fault(span, format!("`{method}` takes a closure")))
        };
        let items = |v: Value| -> Result<Vec<Value>, Flow> {
            match v {
                Value::Vec(vs) => Ok(vs),
                other => iterate(other, span),
            }
        };
        match method {
            "iter" | "into_iter" | "collect" => Ok(Value::Vec(items(receiver)?)),
            "rev" => {
                let mut vs = items(receiver)?;
                vs.reverse();
                Ok(Value::Vec(vs))
            }
            "enumerate" => Ok(Value::Vec(
                items(receiver)?
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| Value::Tuple(vec![Value::int(i as i128, Some(IntTy::Usize)), v]))
                    .collect(),
            )),
            "count" => Ok(Value::int(items(receiver)?.len() as i128, Some(IntTy::Usize))),
            "sum" => {
                let mut total: Option<Value> = None;
                for v in items(receiver)? {
                    total = Some(match total {
                        None => v,
                        Some(t) => binary(BinOp::Add, &t, &v, span)?,
                    });
                }
                Ok(total.unwrap_or(Value::int(0, None)))
            }
            "max" | "min" => {
                let mut best: Option<Value> = None;
                for v in items(receiver)? {
                    let better = match &best {
                        None => true,
                        Some(b) => {
                            let op = if method == "max" { BinOp::Ge } else { BinOp::Lt };
                            matches!(binary(op, &v, b, span)?, Value::Bool(true))
                        }
                    };
                    if better {
                        best = Some(v);
                    }
                }
                Ok(Value::Option(best.map(Box::new)))
            }
            "map" | "filter" | "for_each" | "any" | "all" | "filter_map" => {
                let f = closure(&mut args)?;
                let (opt, res) = match &receiver {
                    Value::Option(_) => (true, false),
                    Value::Result(_) => (false, true),
                    _ => (false, false),
                };
                if opt || res {
                    return self.map_variant(receiver, method, f, span).await;
                }
                let mut out = Vec::new();
                for v in items(receiver)? {
                    let arg = v.try_copy();
                    let r = self
                        .call_value(f.try_clone().expect("a closure"), vec![v], span)
                        .await?;
                    match method {
                        "map" => out.push(r),
                        "filter" => {
                            if matches!(r, Value::Bool(true)) {
                                out.push(arg.ok_or_else(|| fault(span, "`filter` over values that cannot be copied"))?);
                            }
                        }
                        "filter_map" => {
                            if let Value::Option(Some(x)) = r {
                                out.push(*x);
                            }
                        }
                        "any" if matches!(r, Value::Bool(true)) => return Ok(Value::Bool(true)),
                        "all" if matches!(r, Value::Bool(false)) => return Ok(Value::Bool(false)),
                        _ => {}
                    }
                }
                Ok(match method {
                    "any" => Value::Bool(false),
                    "all" => Value::Bool(true),
                    "for_each" => Value::Unit,
                    _ => Value::Vec(out),
                })
            }
            "unwrap_or_else" | "map_or" | "and_then" | "ok_or_else" => {
                let f = closure(&mut args)?;
                let default = args.pop();
                match (receiver, method) {
                    (Value::Option(Some(v)), "unwrap_or_else" | "ok_or_else") => Ok(if method == "ok_or_else" {
                        Value::Result(Ok(v))
                    } else {
                        *v
                    }),
                    (Value::Option(None), "unwrap_or_else") => self.call_value(f, vec![], span).await,
                    (Value::Option(None), "ok_or_else") => {
                        Ok(Value::Result(Err(Box::new(self.call_value(f, vec![], span).await?))))
                    }
                    (Value::Result(Ok(v)), "unwrap_or_else") => Ok(*v),
                    (Value::Result(Err(e)), "unwrap_or_else") => self.call_value(f, vec![*e], span).await,
                    (Value::Option(Some(v)), "and_then") => self.call_value(f, vec![*v], span).await,
                    (Value::Option(None), "and_then") => Ok(Value::Option(None)),
                    (Value::Option(Some(v)), "map_or") => self.call_value(f, vec![*v], span).await,
                    (Value::Option(None), "map_or") => {
                        default.ok_or_else(|| fault(span, "`map_or` takes a default and a closure"))
                    }
                    (v, m) => Err(fault(
                        span,
                        format!("no method `{m}` on a value of type `{}`", v.type_name()),
                    )),
                }
            }
            _ => {
                let _ = env;
                Err(fault(
                    span,
                    format!("the method `{method}` with a closure is not supported"),
                ))
            }
        }
    }

    /// `map` and `filter` on an `Option` or a `Result`.
    async fn map_variant(self: &Rc<Self>, v: Value, method: &str, f: Value, span: Span) -> Ev {
        match (v, method) {
            (Value::Option(Some(x)), "map") => {
                Ok(Value::Option(Some(Box::new(self.call_value(f, vec![*x], span).await?))))
            }
            (Value::Option(None), "map") => Ok(Value::Option(None)),
            (Value::Result(Ok(x)), "map") => Ok(Value::Result(Ok(Box::new(self.call_value(f, vec![*x], span).await?)))),
            (Value::Result(Err(e)), "map") => Ok(Value::Result(Err(e))),
            (Value::Option(Some(x)), "filter") => {
                let keep = x
                    .try_copy()
                    .ok_or_else(|| fault(span, "`filter` on a value that cannot be copied"))?;
                match self.call_value(f, vec![*x], span).await? {
                    Value::Bool(true) => Ok(Value::Option(Some(Box::new(keep)))),
                    _ => Ok(Value::Option(None)),
                }
            }
            (v, m) => Err(fault(
                span,
                format!("no method `{m}` on a value of type `{}`", v.type_name()),
            )),
        }
    }

    async fn eval_binary(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Binary { op, left, right } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            match op {
                BinOp::And | BinOp::Or => {
                    let l = self.eval_bool(left, env).await?;
                    if (*op == BinOp::And) != l {
                        return Ok(Value::Bool(l));
                    }
                    return Ok(Value::Bool(self.eval_bool(right, env).await?));
                }
                _ => {}
            }
            let l = self.eval_read(left, env).await?;
            let r = self.eval_read(right, env).await?;
            binary(*op, &l, &r, span)
        }
    }

    async fn eval_unary(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Unary { op, expr } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        match op {
            UnOp::Deref => self.deref_value(expr, env, span).await,
            UnOp::Not => match self.eval_read(expr, env).await? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                Value::Int(i) => Ok(Value::Int(Int {
                    value: match i.ty {
                        Some(t) if t.range().0 == 0 => t.range().1 - i.value,
                        _ => !i.value,
                    },
                    ty: i.ty,
                })),
                v => Err(fault(span, format!("`!` on a {}", v.type_name()))),
            },
            UnOp::Neg => match self.eval_read(expr, env).await? {
                Value::Int(i) => checked(i.value.checked_neg(), i.ty, span, "negate"),
                v => Err(fault(span, format!("`-` on a {}", v.type_name()))),
            },
        }
    }

    async fn eval_assign(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Assign { place, value } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let v = self.eval(value, env).await?;
            self.assign(place, v, env).await?;
            Ok(Value::Unit)
        }
    }

    async fn eval_assign_op(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::AssignOp { op, place, value } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let r = self.eval_read(value, env).await?;
            let l = self.eval_read(place, env).await?;
            let v = binary(*op, &l, &r, span)?;
            self.assign(place, v, env).await?;
            Ok(Value::Unit)
        }
    }

    async fn eval_field(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Field { expr, index } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let v = self.eval_read(expr, env).await?;
            match v {
                Value::Tuple(mut vs) if *index < vs.len() => Ok(vs.swap_remove(*index)),
                v => Err(fault(span, format!("no field `{index}` on a {}", v.type_name()))),
            }
        }
    }

    async fn eval_matches(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Matches { expr, pat, guard } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        let v = self.eval_read(expr, env).await?;
        if !matches(pat, &v) {
            return Ok(Value::Bool(false));
        }
        let Some(g) = guard else { return Ok(Value::Bool(true)) };
        env.push();
        if let Some(copy) = v.try_copy() {
            bind_matched(pat, copy, env);
        }
        let r = self.eval_bool(g, env).await;
        env.pop();
        Ok(Value::Bool(r?))
    }

    async fn eval_named_field(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::NamedField { expr, name } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        match (self.eval_read(expr, env).await?, &**name) {
            (Value::ExitMessage(m), "from") => Ok(Value::TaskId(m.from)),
            (Value::ExitMessage(m), "reason") => Ok(Value::ExitReason(m.reason)),
            (v, _) => Err(fault(
                span,
                format!("no field `{name}` on a value of type `{}`", v.type_name()),
            )),
        }
    }

    async fn eval_index(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Index { expr, index } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let i = self.eval_read(index, env).await?;
            let v = self.eval_read(expr, env).await?;
            index_value(v, i, span)
        }
    }

    async fn eval_if(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::If { cond, then, otherwise } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            env.push();
            let taken = match &cond.kind {
                ExprKind::Let { pat, expr } => {
                    let v = self.eval(expr, env).await?;
                    if matches(pat, &v) {
                        bind_matched(pat, v, env);
                        true
                    } else {
                        false
                    }
                }
                _ => self.eval_bool(cond, env).await?,
            };
            let result = if taken {
                self.block(then, env).await
            } else {
                match otherwise {
                    Some(o) => self.eval(o, env).await,
                    None => Ok(Value::Unit),
                }
            };
            env.pop();
            result
        }
    }

    async fn eval_let(self: &Rc<Self>, e: &Expr, _env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Let { .. } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        Err(fault(
            span,
            "`let` is only supported as the condition of `if` or `while`",
        ))
    }

    async fn eval_while(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::While { cond, body, label } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            loop {
                self.tick(span)?;
                env.push();
                let go = match &cond.kind {
                    ExprKind::Let { pat, expr } => {
                        env.start_temps();
                        let v = self.eval(expr, env).await;
                        drop_temps(env);
                        let v = v?;
                        if matches(pat, &v) {
                            bind_matched(pat, v, env);
                            true
                        } else {
                            false
                        }
                    }
                    _ => self.eval_bool(cond, env).await?,
                };
                if !go {
                    env.pop();
                    break;
                }
                let r = self.block(body, env).await;
                env.pop();
                if let Turn::Break(_) = turn(r, label)? {
                    break;
                }
            }
            Ok(Value::Unit)
        }
    }

    async fn eval_loop(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Loop { body, label } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        loop {
            self.tick(span)?;
            if let Turn::Break(v) = turn(self.block(body, env).await, label)? {
                return Ok(v);
            }
        }
    }

    async fn eval_for(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::For { pat, iter, body, label } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let items = self.eval(iter, env).await?;
            // A range is walked, not collected: `0..u64::MAX` costs nothing up front.
            let mut items: Box<dyn Iterator<Item = Value>> = match items {
                Value::Range(a, b, inclusive) => {
                    let end = if inclusive { b.value.saturating_add(1) } else { b.value };
                    Box::new((a.value..end).map(move |n| Value::int(n, a.ty)))
                }
                other => Box::new(iterate(other, span)?.into_iter()),
            };
            while let Some(item) = items.next() {
                self.tick(span)?;
                env.push();
                self.bind_pat(pat, item, env, span)?;
                let r = self.block(body, env).await;
                env.pop();
                if let Turn::Break(_) = turn(r, label)? {
                    break;
                }
            }
            Ok(Value::Unit)
        }
    }

    async fn eval_break(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Break { label, value } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let v = match value {
                Some(v) => self.eval(v, env).await?,
                None => Value::Unit,
            };
            Err(Flow::Break(label.clone(), v))
        }
    }

    async fn eval_continue(self: &Rc<Self>, e: &Expr, _env: &mut Env) -> Ev {
        let ExprKind::Continue { label } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        Err(Flow::Continue(label.clone()))
    }

    async fn eval_return(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Return(value) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let v = match value {
                Some(v) => self.eval(v, env).await?,
                None => Value::Unit,
            };
            Err(Flow::Return(v))
        }
    }

    async fn eval_block(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Block(b) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        self.block(b, env).await
    }

    async fn eval_async(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Async {
            body,
            is_move,
            captures,
        } = &e.kind
        else {
            unreachable!("dispatched by kind")
        };
        {
            let mut taken = Vec::new();
            for name in captures {
                let Some(s) = env.lookup(name) else { continue };
                if *is_move {
                    // `async move` takes what it names: copies of plain
                    // values, the values themselves otherwise.
                    let moved = {
                        let current = s.borrow();
                        match current.as_ref() {
                            Some(v) => v.try_copy(),
                            None => return Err(fault(span, format!("use of moved value `{name}`"))),
                        }
                    };
                    let v = match moved {
                        Some(copy) => copy,
                        None => s.borrow_mut().take().expect("checked above"),
                    };
                    taken.push((name.clone(), slot(v)));
                } else {
                    taken.push((name.clone(), s));
                }
            }
            Ok(Value::Future(self.run_async_block(body.clone(), taken)))
        }
    }

    async fn eval_await(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Await(inner) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let v = self.eval(inner, env).await?;
            self.await_value(v, span).await
        }
    }

    async fn eval_tuple(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Tuple(es) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let mut vs = Vec::new();
            for e in es {
                vs.push(self.eval(e, env).await?);
            }
            Ok(if vs.is_empty() { Value::Unit } else { Value::Tuple(vs) })
        }
    }

    async fn eval_array(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Array(es) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let mut vs = Vec::new();
            for e in es {
                vs.push(self.eval(e, env).await?);
            }
            Ok(Value::Vec(vs))
        }
    }

    async fn eval_match(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Match { expr, arms } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            env.start_temps();
            let result = self.match_expr(expr, arms, env, span).await;
            drop_temps(env);
            result
        }
    }

    async fn eval_macro(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Macro { kind, args, format } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        self.macro_call(*kind, args, format.as_deref(), env, span).await
    }

    async fn eval_cast(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Cast { expr, ty } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        match self.eval_read(expr, env).await? {
            Value::Int(i) => Ok(Value::Int(Int {
                value: wrap_to(i.value, *ty),
                ty: Some(*ty),
            })),
            Value::Bool(b) => Ok(Value::int(i128::from(b), Some(*ty))),
            Value::Char(c) => Ok(Value::int(wrap_to(i128::from(u32::from(c)), *ty), Some(*ty))),
            v => Err(fault(span, format!("cannot cast a {} as {}", v.type_name(), ty.name()))),
        }
    }

    async fn eval_range(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Range { from, to, inclusive } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(fault(span, "an open range (`a..`, `..b`) is not supported"));
            };
            let a = self.eval_read(from, env).await?;
            let b = self.eval_read(to, env).await?;
            match (a, b) {
                (Value::Int(a), Value::Int(b)) => {
                    let ty = a.ty.or(b.ty);
                    Ok(Value::Range(
                        Int { value: a.value, ty },
                        Int { value: b.value, ty },
                        *inclusive,
                    ))
                }
                _ => Err(fault(span, "a range over anything but integers")),
            }
        }
    }

    async fn eval_ref(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Ref { expr, .. } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        match &expr.kind {
            ExprKind::Path(p) if p.len() == 1 => match env.lookup(&p[0]) {
                Some(s) => Ok(Value::Ref(deref_slot(s))),
                None => self.eval(expr, env).await,
            },
            _ => self.eval(expr, env).await,
        }
    }

    async fn eval_try(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let span = e.span;
        let ExprKind::Try(inner) = &e.kind else {
            unreachable!("dispatched by kind")
        };
        match self.eval(inner, env).await? {
            Value::Option(Some(v)) => Ok(*v),
            Value::Option(None) => Err(Flow::Return(Value::Option(None))),
            Value::Result(Ok(v)) => Ok(*v),
            Value::Result(Err(e)) => Err(Flow::Return(Value::Result(Err(e)))),
            v => Err(fault(span, format!("`?` on a {}", v.type_name()))),
        }
    }

    async fn eval_closure(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        let ExprKind::Closure { params, body, captures } = &e.kind else {
            unreachable!("dispatched by kind")
        };
        {
            let env_captures = captures
                .iter()
                .filter_map(|n| env.lookup(n).map(|s| (n.clone(), s)))
                .collect();
            Ok(Value::Closure(Rc::new(Closure {
                params: params.clone(),
                body: body.clone(),
                env: env_captures,
            })))
        }
    }

    async fn eval_bool(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Result<bool, Flow> {
        match self.eval_read(e, env).await? {
            Value::Bool(b) => Ok(b),
            v => Err(fault(e.span, format!("expected a bool, found a {}", v.type_name()))),
        }
    }

    /// The value of `e` without moving out of a variable (for operators,
    /// conditions and format arguments, which borrow).
    pub(crate) async fn eval_read(self: &Rc<Self>, e: &Expr, env: &mut Env) -> Ev {
        if let ExprKind::Path(p) = &e.kind
            && p.len() == 1
            && let Some(s) = env.lookup(&p[0])
        {
            let s = deref_slot(s);
            let current = s.borrow();
            return match current.as_ref() {
                Some(v) => v
                    .try_clone()
                    .or_else(|| shallow(v))
                    .ok_or_else(|| fault(e.span, format!("`{}` ({}) cannot be read here", p[0], v.type_name()))),
                None => Err(fault(e.span, format!("use of moved value `{}`", p[0]))),
            };
        }
        self.eval(e, env).await
    }

    async fn path_value(self: &Rc<Self>, path: &[Rc<str>], env: &mut Env, span: Span) -> Ev {
        if path.len() == 1 {
            let name = &path[0];
            if let Some(s) = env.lookup(name) {
                return take_or_copy(&s, name, span);
            }
            if let Some((ty, e)) = self.prog.consts.get(&**name) {
                let mut const_env = Env::default();
                let v = self.eval(e, &mut const_env).await?;
                return Ok(type_int(v, ty));
            }
            if let Some(f) = self.prog.funcs.get(&**name) {
                return Ok(Value::Func(f.clone()));
            }
            if &**name == "None" {
                return Ok(Value::Option(None));
            }
        }
        crate::library::path_constant(path, span)
    }

    async fn call_expr(self: &Rc<Self>, func: &Expr, args: &[Expr], env: &mut Env, span: Span) -> Ev {
        if let ExprKind::Path(path) = &func.kind {
            let local = path.len() == 1 && env.lookup(&path[0]).is_some();
            if !local {
                if path.len() == 1
                    && let Some(f) = self.prog.funcs.get(&*path[0])
                {
                    let f = f.clone();
                    let mut values = Vec::new();
                    for a in args {
                        values.push(self.eval(a, env).await?);
                    }
                    return self.call(f, values, span);
                }
                let mut values = Vec::new();
                for a in args {
                    values.push(self.eval(a, env).await?);
                }
                return crate::library::call(path, values, self.site(span), &self.steps, span);
            }
        }
        let callee = self.eval(func, env).await?;
        let mut values = Vec::new();
        for a in args {
            values.push(self.eval(a, env).await?);
        }
        self.call_value(callee, values, span).await
    }

    /// Calls a function value or a closure.
    pub(crate) async fn call_value(self: &Rc<Self>, callee: Value, args: Vec<Value>, span: Span) -> Ev {
        match callee {
            Value::Func(f) => self.call(f, args, span),
            Value::Closure(c) => {
                if c.params.len() != args.len() {
                    return Err(fault(span, "wrong number of closure arguments"));
                }
                let mut env = Env::with(c.env.clone());
                env.push();
                for (p, a) in c.params.iter().zip(args) {
                    self.bind_pat(p, a, &mut env, span)?;
                }
                let r = self.eval(&c.body, &mut env).await;
                env.pop();
                match r {
                    Ok(v) | Err(Flow::Return(v)) => Ok(v),
                    Err(e) => Err(e),
                }
            }
            Value::Ref(s) => {
                let inner = s.borrow_mut().take();
                let r = match &inner {
                    Some(Value::Closure(c)) => Box::pin(self.call_value(Value::Closure(c.clone()), args, span)).await,
                    _ => Err(fault(span, "this is not a function")),
                };
                *s.borrow_mut() = inner;
                r
            }
            v => Err(fault(span, format!("a {} is not a function", v.type_name()))),
        }
    }

    /// `.await` on a value: a future, a join handle, a oneshot receiver.
    pub(crate) async fn await_value(self: &Rc<Self>, v: Value, span: Span) -> Ev {
        let site = self.site(span);
        let result = match v {
            Value::Future(f) => AtSite { site, future: f }.await.map_err(Flow::Fault),
            Value::JoinHandle(h) => Ok(match (AtSite { site, future: h }).await {
                Ok(Ok(v)) => Value::Result(Ok(Box::new(v))),
                Ok(Err(fault)) => {
                    // The awaited task panicked without unwinding; its JoinError is a panic.
                    Value::Result(Err(Box::new(Value::JoinError(wakescope::JoinError::Panicked(
                        fault.message,
                    )))))
                }
                Err(e) => Value::Result(Err(Box::new(Value::JoinError(e)))),
            }),
            Value::OneshotReceiver(rx) => Ok(match (AtSite { site, future: rx }).await {
                Ok(v) => Value::Result(Ok(Box::new(v))),
                Err(_) => Value::Result(Err(Box::new(Value::Str("RecvError".into())))),
            }),
            other => {
                return Err(fault(
                    span,
                    format!("a {} is not a future: it cannot be awaited", other.type_name()),
                ));
            }
        };
        result
    }

    async fn deref_value(self: &Rc<Self>, e: &Expr, env: &mut Env, span: Span) -> Ev {
        if let ExprKind::Path(p) = &e.kind
            && p.len() == 1
            && let Some(s) = env.lookup(&p[0])
            && let Some(read) = crate::library::deref_guard(&deref_slot(s), span)
        {
            return read;
        }
        let v = self.eval_read(e, env).await?;
        match v {
            // `*m.lock().await`: the guard is a temporary of the statement.
            Value::Guard(g) => {
                let inner = (*g)
                    .try_clone()
                    .ok_or_else(|| fault(span, "cannot move out of a `MutexGuard`"));
                env.keep_temp(Value::Guard(g));
                inner
            }
            Value::Ref(s) => match s.borrow().as_ref() {
                Some(v) => v
                    .try_clone()
                    .ok_or_else(|| fault(span, "cannot move out of a reference")),
                None => Err(fault(span, "use of a moved value")),
            },
            Value::Rc(rc) => rc.try_clone().ok_or_else(|| fault(span, "cannot move out of an `Rc`")),
            other => crate::library::deref(other, span),
        }
    }

    /// Writes `value` to the place `place` names.
    async fn assign(self: &Rc<Self>, place: &Expr, value: Value, env: &mut Env) -> Result<(), Flow> {
        match &place.kind {
            ExprKind::Path(p) if p.len() == 1 => {
                let Some(s) = env.lookup(&p[0]) else {
                    return Err(fault(place.span, format!("cannot find variable `{}`", p[0])));
                };
                let s = deref_slot(s);
                let old = s.borrow_mut().replace(value);
                drop(old);
                Ok(())
            }
            ExprKind::Unary { op: UnOp::Deref, expr } => {
                let value = match &expr.kind {
                    ExprKind::Path(p) if p.len() == 1 => match env.lookup(&p[0]) {
                        Some(s) => match crate::library::assign_guard(&deref_slot(s), value) {
                            Ok(_) => return Ok(()),
                            Err(value) => value,
                        },
                        None => value,
                    },
                    _ => value,
                };
                let target = self.eval_read(expr, env).await?;
                match target {
                    Value::Ref(s) => {
                        let old = s.borrow_mut().replace(value);
                        drop(old);
                        Ok(())
                    }
                    other => crate::library::assign_through(other, value, place.span),
                }
            }
            ExprKind::Index { expr, index } => {
                let i = self.eval_read(index, env).await?;
                let ExprKind::Path(p) = &expr.kind else {
                    return Err(fault(place.span, "assignment to this place is not supported"));
                };
                let Some(s) = env.lookup(&p[0]) else {
                    return Err(fault(place.span, format!("cannot find variable `{}`", p[0])));
                };
                let s = deref_slot(s);
                let mut current = s.borrow_mut();
                match (current.as_mut(), i) {
                    (Some(Value::Vec(vs)), Value::Int(i)) => {
                        let len = vs.len();
                        match vs.get_mut(i.value as usize) {
                            Some(slot) if i.value >= 0 => {
                                *slot = value;
                                Ok(())
                            }
                            _ => Err(fault(
                                place.span,
                                format!("index out of bounds: the len is {len} but the index is {}", i.value),
                            )),
                        }
                    }
                    _ => Err(fault(place.span, "indexing is supported on vectors, by integers")),
                }
            }
            ExprKind::Field { expr, index } => {
                let ExprKind::Path(p) = &expr.kind else {
                    return Err(fault(place.span, "assignment to this place is not supported"));
                };
                let Some(s) = env.lookup(&p[0]) else {
                    return Err(fault(place.span, format!("cannot find variable `{}`", p[0])));
                };
                let s = deref_slot(s);
                let mut current = s.borrow_mut();
                match current.as_mut() {
                    Some(Value::Tuple(vs)) if *index < vs.len() => {
                        vs[*index] = value;
                        Ok(())
                    }
                    _ => Err(fault(place.span, format!("no field `{index}` to assign"))),
                }
            }
            _ => Err(fault(place.span, "assignment to this place is not supported")),
        }
    }

    async fn match_expr(self: &Rc<Self>, e: &Expr, arms: &[Arm], env: &mut Env, span: Span) -> Ev {
        let scrutinee = self.eval(e, env).await?;
        for arm in arms {
            if !matches(&arm.pat, &scrutinee) {
                continue;
            }
            env.push();
            let Some(copy) = scrutinee.try_copy() else {
                // Binding parts of a resource-owning value moves it into the arm.
                bind_matched(&arm.pat, scrutinee, env);
                if let Some(g) = &arm.guard
                    && !self.eval_bool(g, env).await?
                {
                    env.pop();
                    return Err(fault(span, "a guard on a match that moves its value is not supported"));
                }
                let r = self.eval(&arm.body, env).await;
                env.pop();
                return r;
            };
            bind_matched(&arm.pat, copy, env);
            if let Some(g) = &arm.guard
                && !self.eval_bool(g, env).await?
            {
                env.pop();
                continue;
            }
            let r = self.eval(&arm.body, env).await;
            env.pop();
            // The scrutinee (a temporary) drops with the statement.
            env.keep_temp(scrutinee);
            return r;
        }
        Err(fault(span, format!("no arm of the `match` matches {scrutinee:?}")))
    }

    // ---- Macros.

    pub(crate) async fn format(
        self: &Rc<Self>,
        format: &str,
        args: &[Expr],
        env: &mut Env,
        span: Span,
    ) -> Result<String, Flow> {
        let pieces = crate::format::parse(format).map_err(|m| fault(span, m))?;
        let mut values = Vec::new();
        for a in args {
            values.push(self.eval_read(a, env).await?);
        }
        let mut out = String::new();
        let mut next = 0;
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Arg { which, debug } => {
                    let named;
                    let value = match which {
                        Which::Next => {
                            next += 1;
                            values.get(next - 1)
                        }
                        Which::Index(i) => values.get(i),
                        Which::Name(n) => {
                            named = match env.lookup(&n) {
                                Some(s) => s.borrow().as_ref().and_then(|v| v.try_clone().or_else(|| shallow(v))),
                                None => self.path_value(&[n.as_str().into()], env, span).await.ok(),
                            };
                            named.as_ref()
                        }
                    };
                    let Some(value) = value else {
                        return Err(fault(span, "the format string names an argument that is not given"));
                    };
                    if debug {
                        value.debug(&mut out);
                    } else if value.display(&mut out).is_none() {
                        return Err(fault(
                            span,
                            format!("a {} has no `{{}}` (Display); use `{{:?}}`", value.type_name()),
                        ));
                    }
                }
            }
            if out.len() > STRING_BYTES_MAX {
                return Err(fault(
                    span,
                    format!("a string over the playground's limit of {STRING_BYTES_MAX} bytes"),
                ));
            }
        }
        Ok(out)
    }

    async fn macro_call(
        self: &Rc<Self>,
        kind: MacroKind,
        args: &[Expr],
        format: Option<&str>,
        env: &mut Env,
        span: Span,
    ) -> Ev {
        match kind {
            MacroKind::Format => {
                let text = self.format(format.unwrap_or(""), args, env, span).await?;
                Ok(Value::Str(text.into()))
            }
            MacroKind::Println => {
                let text = self.format(format.unwrap_or(""), args, env, span).await?;
                crate::library::print_line(&text, self.site(span));
                Ok(Value::Unit)
            }
            MacroKind::Panic | MacroKind::Unreachable | MacroKind::Todo | MacroKind::Unimplemented => {
                // Rust's words for each, and the message after them when given.
                let start = match kind {
                    MacroKind::Unreachable => Some("internal error: entered unreachable code"),
                    MacroKind::Todo => Some("not yet implemented"),
                    MacroKind::Unimplemented => Some("not implemented"),
                    _ => None,
                };
                let text = match (format, start) {
                    (Some(f), None) => self.format(f, args, env, span).await?,
                    (Some(f), Some(start)) => format!("{start}: {}", self.format(f, args, env, span).await?),
                    (None, Some(start)) => start.to_string(),
                    (None, None) => "explicit panic".to_string(),
                };
                Err(fault(span, text))
            }
            MacroKind::Assert => {
                if self.eval_bool(&args[0], env).await? {
                    return Ok(Value::Unit);
                }
                let message = match format {
                    Some(f) => self.format(f, &args[1..], env, span).await?,
                    None => format!("assertion failed: {}", self.text_of(span, ',')),
                };
                Err(fault(span, message))
            }
            MacroKind::AssertEq | MacroKind::AssertNe => {
                let l = self.eval_read(&args[0], env).await?;
                let r = self.eval_read(&args[1], env).await?;
                let equal = values_equal(&l, &r);
                if equal == (kind == MacroKind::AssertEq) {
                    return Ok(Value::Unit);
                }
                let op = if kind == MacroKind::AssertEq { "==" } else { "!=" };
                let mut message = format!("assertion `left {op} right` failed");
                if let Some(f) = format {
                    message.push_str(": ");
                    message.push_str(&self.format(f, &args[2..], env, span).await?);
                }
                let (mut ls, mut rs) = (String::new(), String::new());
                l.debug(&mut ls);
                r.debug(&mut rs);
                message.push_str(&format!("\n  left: {ls}\n right: {rs}"));
                Err(fault(span, message))
            }
            MacroKind::Vec => {
                let mut vs = Vec::new();
                for a in args {
                    vs.push(self.eval(a, env).await?);
                }
                Ok(Value::Vec(vs))
            }
        }
    }
}

// ---- Helpers without the interpreter.

fn drop_temps(env: &mut Env) {
    env.end_temps();
}

fn label_matches(got: &Option<Rc<str>>, mine: &Option<Rc<str>>) -> bool {
    got.is_none() || got == mine
}

/// What a loop does after one turn of its body.
enum Turn {
    Next,
    Break(Value),
}

/// A loop body's result, for the loop labelled `label`: go on, stop (with a
/// `break` value), or pass the flow on (another loop's label, a `return`).
fn turn(r: Ev, label: &Option<Rc<str>>) -> Result<Turn, Flow> {
    match r {
        Ok(_) => Ok(Turn::Next),
        Err(Flow::Break(l, v)) if label_matches(&l, label) => Ok(Turn::Break(v)),
        Err(Flow::Continue(l)) if label_matches(&l, label) => Ok(Turn::Next),
        Err(other) => Err(other),
    }
}

/// A handle that shares what `v` refers to, for reading a non-copy value
/// in place: an `Rc` and a `Cell` are shared anyway.
fn shallow(v: &Value) -> Option<Value> {
    match v {
        Value::Cell(c) => Some(Value::Cell(c.clone())),
        _ => None,
    }
}

/// Reads a variable by value: a copy of a plain value, else the value moved out.
fn take_or_copy(s: &Slot, name: &str, span: Span) -> Ev {
    let s = deref_slot(s.clone());
    let copy = match s.borrow().as_ref() {
        None => return Err(fault(span, format!("use of moved value `{name}`"))),
        Some(v) => v.try_copy(),
    };
    match copy {
        Some(v) => Ok(v),
        None => Ok(s.borrow_mut().take().expect("checked above")),
    }
}

pub(crate) fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Int(v, ty) => Value::int(*v, *ty),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Str(s) => Value::Str(s.clone()),
        Lit::Char(c) => Value::Char(*c),
    }
}

/// Gives an untyped integer the type a `let` or a parameter names.
pub(crate) fn type_int(v: Value, ty: &Ty) -> Value {
    match (v, ty) {
        (Value::Int(i), Ty::Int(t)) if i.ty.is_none() => Value::int(i.value, Some(*t)),
        (v, _) => v,
    }
}

fn wrap_to(v: i128, ty: IntTy) -> i128 {
    let bits = match ty {
        IntTy::I8 | IntTy::U8 => 8,
        IntTy::I16 | IntTy::U16 => 16,
        IntTy::I32 | IntTy::U32 => 32,
        IntTy::I64 | IntTy::U64 | IntTy::Isize | IntTy::Usize => 64,
        IntTy::I128 | IntTy::U128 => return v,
    };
    let mask = (1i128 << bits) - 1;
    let low = v & mask;
    let signed = matches!(ty, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64 | IntTy::Isize);
    if signed && low >> (bits - 1) == 1 {
        low - (1i128 << bits)
    } else {
        low
    }
}

fn checked(v: Option<i128>, ty: Option<IntTy>, span: Span, what: &str) -> Ev {
    let ty_or_default = ty.unwrap_or(IntTy::I32);
    let (lo, hi) = ty_or_default.range();
    match v {
        Some(v) if v >= lo && v <= hi => Ok(Value::int(v, ty)),
        _ => Err(fault(span, format!("attempt to {what} with overflow"))),
    }
}

pub(crate) fn binary(op: BinOp, l: &Value, r: &Value, span: Span) -> Ev {
    use BinOp::*;
    // `&x` operands are read through.
    let through = |v: &Value| match v {
        Value::Ref(s) => s.borrow().as_ref().and_then(Value::try_clone),
        _ => None,
    };
    if let Some(l) = through(l) {
        return binary(op, &l, r, span);
    }
    if let Some(r) = through(r) {
        return binary(op, l, &r, span);
    }
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => {
            let ty = a.ty.or(b.ty);
            let (x, y) = (a.value, b.value);
            match op {
                Add => checked(x.checked_add(y), ty, span, "add"),
                Sub => checked(x.checked_sub(y), ty, span, "subtract"),
                Mul => checked(x.checked_mul(y), ty, span, "multiply"),
                Div if y == 0 => Err(fault(span, "attempt to divide by zero")),
                Div => checked(x.checked_div(y), ty, span, "divide"),
                Rem if y == 0 => Err(fault(span, "attempt to calculate the remainder with a divisor of zero")),
                Rem => checked(x.checked_rem(y), ty, span, "calculate the remainder"),
                BitAnd => Ok(Value::int(x & y, ty)),
                BitOr => Ok(Value::int(x | y, ty)),
                BitXor => Ok(Value::int(x ^ y, ty)),
                Shl | Shr => {
                    let bits = match a.ty.unwrap_or(IntTy::I32) {
                        IntTy::I8 | IntTy::U8 => 8,
                        IntTy::I16 | IntTy::U16 => 16,
                        IntTy::I32 | IntTy::U32 => 32,
                        IntTy::I128 | IntTy::U128 => 128,
                        _ => 64,
                    };
                    if y < 0 || y >= bits {
                        let dir = if op == Shl { "left" } else { "right" };
                        return Err(fault(span, format!("attempt to shift {dir} with overflow")));
                    }
                    let ty = a.ty.unwrap_or(IntTy::I32);
                    let v = if op == Shl { wrap_to(x << y, ty) } else { x >> y };
                    Ok(Value::int(v, a.ty))
                }
                Eq => Ok(Value::Bool(x == y)),
                Ne => Ok(Value::Bool(x != y)),
                Lt => Ok(Value::Bool(x < y)),
                Le => Ok(Value::Bool(x <= y)),
                Gt => Ok(Value::Bool(x > y)),
                Ge => Ok(Value::Bool(x >= y)),
                And | Or => unreachable!("short-circuit operators are evaluated apart"),
            }
        }
        (Value::Duration(a), Value::Duration(b)) => match op {
            Add => a
                .checked_add(*b)
                .map(Value::Duration)
                .ok_or_else(|| fault(span, "overflow when adding durations")),
            Sub => a
                .checked_sub(*b)
                .map(Value::Duration)
                .ok_or_else(|| fault(span, "overflow when subtracting durations")),
            Eq => Ok(Value::Bool(a == b)),
            Ne => Ok(Value::Bool(a != b)),
            Lt => Ok(Value::Bool(a < b)),
            Le => Ok(Value::Bool(a <= b)),
            Gt => Ok(Value::Bool(a > b)),
            Ge => Ok(Value::Bool(a >= b)),
            _ => Err(fault(span, format!("`{op:?}` on durations"))),
        },
        (Value::Duration(a), Value::Int(b)) if matches!(op, Mul | Div) => {
            let n = u32::try_from(b.value).map_err(|_| fault(span, "a duration times a number out of range"))?;
            match op {
                Mul => a
                    .checked_mul(n)
                    .map(Value::Duration)
                    .ok_or_else(|| fault(span, "overflow when multiplying duration by scalar")),
                _ => a
                    .checked_div(n)
                    .map(Value::Duration)
                    .ok_or_else(|| fault(span, "divide by zero error when dividing duration by scalar")),
            }
        }
        (Value::Str(a), Value::Str(b)) if op == Add => {
            if a.len() + b.len() > STRING_BYTES_MAX {
                return Err(fault(
                    span,
                    format!("a string over the playground's limit of {STRING_BYTES_MAX} bytes"),
                ));
            }
            Ok(Value::Str(format!("{a}{b}").into()))
        }
        _ => match op {
            Eq => Ok(Value::Bool(values_equal(l, r))),
            Ne => Ok(Value::Bool(!values_equal(l, r))),
            Lt | Le | Gt | Ge => {
                let ord = compare(l, r).ok_or_else(|| {
                    fault(
                        span,
                        format!("cannot compare a {} and a {}", l.type_name(), r.type_name()),
                    )
                })?;
                Ok(Value::Bool(match op {
                    Lt => ord.is_lt(),
                    Le => ord.is_le(),
                    Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                }))
            }
            _ => Err(fault(
                span,
                format!("`{op:?}` between a {} and a {}", l.type_name(), r.type_name()),
            )),
        },
    }
}

fn compare(l: &Value, r: &Value) -> Option<std::cmp::Ordering> {
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => Some(a.value.cmp(&b.value)),
        (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
        (Value::Char(a), Value::Char(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn index_value(v: Value, i: Value, span: Span) -> Ev {
    match (v, i) {
        (Value::Vec(mut vs), Value::Int(i)) => {
            let len = vs.len();
            if i.value < 0 || i.value as usize >= len {
                return Err(fault(
                    span,
                    format!("index out of bounds: the len is {len} but the index is {}", i.value),
                ));
            }
            Ok(vs.swap_remove(i.value as usize))
        }
        (v, _) => Err(fault(span, format!("cannot index a {}", v.type_name()))),
    }
}

/// Whether `v` matches `pat` (nothing is bound).
pub(crate) fn matches(pat: &Pat, v: &Value) -> bool {
    match (pat, v) {
        // `match &x`, `if let Some(n) = &opt`: the pattern looks through the reference.
        (Pat::Bind { .. } | Pat::Wild, Value::Ref(_)) => true,
        (_, Value::Ref(s)) => s.borrow().as_ref().is_some_and(|inner| matches(pat, inner)),
        (_, Value::Rc(inner)) if !matches!(pat, Pat::Bind { .. } | Pat::Wild) => matches(pat, inner),
        (Pat::Bind { .. } | Pat::Wild, _) => true,
        (Pat::Tuple(ps), Value::Tuple(vs)) => ps.len() == vs.len() && ps.iter().zip(vs).all(|(p, v)| matches(p, v)),
        (Pat::Tuple(ps), Value::Unit) => ps.is_empty(),
        (Pat::Lit(l), v) => values_equal(&lit_value(l), v),
        (Pat::Range { from, to, inclusive }, Value::Int(i)) => {
            i.value >= *from && (if *inclusive { i.value <= *to } else { i.value < *to })
        }
        (Pat::Or(ps), v) => ps.iter().any(|p| matches(p, v)),
        (Pat::Variant { variant, inner }, v) => {
            let (got, content): (Variant, Option<&Value>) = match v {
                Value::Option(Some(x)) => (Variant::Some, Some(x)),
                Value::Option(None) => (Variant::None, None),
                Value::Result(Ok(x)) => (Variant::Ok, Some(x)),
                Value::Result(Err(x)) => (Variant::Err, Some(x)),
                Value::Either(e) => match &**e {
                    Either::Left(x) => (Variant::Left, Some(x)),
                    Either::Right(x) => (Variant::Right, Some(x)),
                },
                _ => return false,
            };
            got == *variant
                && match (inner, content) {
                    (Some(p), Some(c)) => matches(p, c),
                    (None, _) => true,
                    (Some(_), None) => false,
                }
        }
        _ => false,
    }
}

/// Binds what `pat` names, taking `v` apart (it matched).
pub(crate) fn bind_matched(pat: &Pat, v: Value, env: &mut Env) {
    match (pat, v) {
        (Pat::Bind { .. } | Pat::Wild, v @ Value::Ref(_)) => bind_matched_plain(pat, v, env),
        (_, Value::Ref(s)) => {
            // Parts of a plain value behind a reference bind as copies (reads
            // through `&` see the same); resource-owning parts stay put.
            let copy = s.borrow().as_ref().and_then(Value::try_copy);
            if let Some(copy) = copy {
                bind_matched(pat, copy, env);
            }
        }
        (pat, v) => bind_matched_plain(pat, v, env),
    }
}

fn bind_matched_plain(pat: &Pat, v: Value, env: &mut Env) {
    match (pat, v) {
        (Pat::Bind { name, .. }, v) => env.bind(name.clone(), v),
        (Pat::Wild, v) => env.keep_temp(v),
        (Pat::Tuple(ps), Value::Tuple(vs)) => {
            for (p, v) in ps.iter().zip(vs) {
                bind_matched(p, v, env);
            }
        }
        (Pat::Or(ps), v) => {
            if let Some(p) = ps.iter().find(|p| matches(p, &v)) {
                bind_matched(p, v, env);
            }
        }
        (Pat::Variant { inner: Some(p), .. }, v) => {
            let content = match v {
                Value::Option(Some(x)) => *x,
                Value::Result(Ok(x) | Err(x)) => *x,
                Value::Either(e) => match *e {
                    Either::Left(x) | Either::Right(x) => x,
                },
                Value::Rc(rc) => match rc.try_clone() {
                    Some(v) => return bind_matched(pat, v, env),
                    None => return,
                },
                other => other,
            };
            bind_matched(p, content, env);
        }
        (_, v) => drop(v),
    }
}
