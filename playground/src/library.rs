//! What the program calls: `wakescope`'s functions and types, and the few
//! of `std` the playground knows. Each call into the library runs with the
//! program's location for the call ([`wakescope::with_site`]), and each
//! future it returns is the library's own, polled by the program's `.await`.

use std::rc::Rc;
use std::time::Duration;

use wakescope::with_site;

use std::cell::Cell;

use wakescope::trace::Site;

use crate::ir::{IntTy, Span};
use crate::rt::{Env, Ev, Flow, deref_slot, fault, iterate, values_equal};
use crate::value::{BoxFuture, Either, Fault, Slot, Value, slot};

/// The future a task runs: the program's future, a fresh statement count
/// for each poll, and a failure that ends the task as a panic.
///
/// The task's future is polled at `spawned_at`, the `spawn` call: a library
/// future that is the task's whole future (`spawn("t", sleep(d))`) waits
/// there, as compiled; the program's own `.await`s inside name themselves.
pub(crate) fn task_future(
    steps: &Rc<Cell<u64>>,
    spawned_at: Site,
    future: BoxFuture,
) -> impl Future<Output = Result<Value, Fault>> + 'static {
    let file = spawned_at.file.clone();
    let counted = PerPoll {
        steps: steps.clone(),
        site: spawned_at,
        future,
    };
    async move {
        let result = counted.await;
        if let Err(f) = &result {
            // The `panicked` event names the program's line of the failure.
            let at = Site {
                file,
                line: f.line,
                column: f.column,
            };
            with_site(at, || wakescope::panic_task(&f.message));
        }
        result
    }
}

struct PerPoll {
    steps: Rc<Cell<u64>>,
    site: Site,
    future: BoxFuture,
}

impl Future for PerPoll {
    type Output = Result<Value, Fault>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        self.steps.set(0);
        let this = &mut *self;
        with_site(this.site.clone(), || this.future.as_mut().poll(cx))
    }
}

fn int_of(v: &Value, span: Span) -> Result<i128, Flow> {
    match v {
        Value::Int(i) => Ok(i.value),
        Value::Ref(s) => match s.borrow().as_ref() {
            Some(v) => int_of(v, span),
            None => Err(fault(span, "use of a moved value")),
        },
        other => Err(fault(
            span,
            format!("expected an integer, found a {}", other.type_name()),
        )),
    }
}

fn u64_of(v: &Value, span: Span) -> Result<u64, Flow> {
    u64::try_from(int_of(v, span)?).map_err(|_| fault(span, "a number out of range for u64"))
}

fn str_of(v: &Value, span: Span) -> Result<Rc<str>, Flow> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Ref(s) => match s.borrow().as_ref() {
            Some(v) => str_of(v, span),
            None => Err(fault(span, "use of a moved value")),
        },
        other => Err(fault(span, format!("expected a string, found a {}", other.type_name()))),
    }
}

fn task_of(v: &Value, span: Span) -> Result<wakescope::TaskId, Flow> {
    match v {
        Value::TaskId(t) => Ok(*t),
        Value::Option(Some(t)) => task_of(t, span),
        other => Err(fault(span, format!("expected a TaskId, found a {}", other.type_name()))),
    }
}

fn duration_of(v: &Value, span: Span) -> Result<Duration, Flow> {
    match v {
        Value::Duration(d) => Ok(*d),
        other => Err(fault(
            span,
            format!("expected a Duration, found a {}", other.type_name()),
        )),
    }
}

fn bool_of(v: &Value, span: Span) -> Result<bool, Flow> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(fault(span, format!("expected a bool, found a {}", other.type_name()))),
    }
}

/// A value the library can poll: a future, a join handle, a oneshot receiver.
pub(crate) fn into_future(v: Value, span: Span) -> Result<BoxFuture, Flow> {
    Ok(match v {
        Value::Future(f) => f,
        Value::JoinHandle(h) => Box::pin(async move { Ok(joined(h.await)) }),
        Value::OneshotReceiver(rx) => Box::pin(async move { Ok(received(rx.await)) }),
        other => {
            return Err(fault(
                span,
                format!("a {} is not a future: it cannot be awaited", other.type_name()),
            ));
        }
    })
}

/// What awaiting a `JoinHandle` gives the program: `Result<T, JoinError>`.
pub(crate) fn joined(result: Result<Result<Value, Fault>, wakescope::JoinError>) -> Value {
    match result {
        Ok(Ok(v)) => ok(v),
        // The task failed without unwinding (`panic_task`): its JoinError is a panic.
        Ok(Err(f)) => err(Value::JoinError(wakescope::JoinError::Panicked(f.message))),
        Err(e) => err(Value::JoinError(e)),
    }
}

/// What awaiting a oneshot receiver gives: `Result<T, Canceled>`.
pub(crate) fn received(result: Result<Value, wakescope::sync::oneshot::Canceled>) -> Value {
    match result {
        Ok(v) => ok(v),
        Err(e) => err(opaque(format!("{e:?}"))),
    }
}

fn future(f: impl Future<Output = Result<Value, Fault>> + 'static) -> Value {
    Value::Future(Box::pin(f))
}

fn ok(v: Value) -> Value {
    Value::Result(Ok(Box::new(v)))
}

fn err(v: Value) -> Value {
    Value::Result(Err(Box::new(v)))
}

fn opaque(text: impl Into<Rc<str>>) -> Value {
    Value::Opaque(text.into())
}

/// The name a path is known by: `Duration::from_secs`, `sleep` (for
/// `wakescope::sleep`), `oneshot::channel`.
fn name_of(path: &[Rc<str>]) -> (String, String) {
    let last = path.last().map(|s| s.to_string()).unwrap_or_default();
    let two = if path.len() >= 2 {
        format!("{}::{}", path[path.len() - 2], last)
    } else {
        last.clone()
    };
    (two, last)
}

/// A path used as a value: `None`, `Duration::ZERO`, `u32::MAX`.
pub(crate) fn path_constant(path: &[Rc<str>], span: Span) -> Ev {
    let (two, last) = name_of(path);
    match (two.as_str(), last.as_str()) {
        ("Duration::ZERO", _) => Ok(Value::Duration(Duration::ZERO)),
        ("ExitReason::Normal", _) => Ok(Value::ExitReason(wakescope::ExitReason::Normal)),
        ("ExitReason::Error", _) => Ok(Value::ExitReason(wakescope::ExitReason::Error)),
        ("ExitReason::Killed", _) => Ok(Value::ExitReason(wakescope::ExitReason::Killed)),
        (_, "None") => Ok(Value::Option(None)),
        (t, "MAX" | "MIN") => {
            let ty = IntTy::from_name(t.split("::").next().unwrap_or(""))
                .ok_or_else(|| fault(span, format!("cannot find `{t}`")))?;
            let (lo, hi) = ty.range();
            Ok(Value::int(if last == "MAX" { hi } else { lo }, Some(ty)))
        }
        _ => Err(fault(
            span,
            format!("cannot find `{}` in this program", path.join("::")),
        )),
    }
}

/// A call of a function by path that is not one of the program's, with
/// its arguments (evaluated by value, in order); `site` is the call's place.
pub(crate) fn call(path: &[Rc<str>], mut values: Vec<Value>, site: Site, steps: &Rc<Cell<u64>>, span: Span) -> Ev {
    let (two, last) = name_of(path);
    let arity = |n: usize| -> Result<(), Flow> {
        if values.len() == n {
            Ok(())
        } else {
            Err(fault(
                span,
                format!("`{}` takes {n} argument(s), {} given", path.join("::"), values.len()),
            ))
        }
    };
    let name = match two.as_str() {
        "Duration::from_secs"
        | "Duration::from_millis"
        | "Duration::from_micros"
        | "Duration::from_nanos"
        | "Rc::new"
        | "Rc::clone"
        | "Rc::strong_count"
        | "Cell::new"
        | "RefCell::new"
        | "Vec::new"
        | "Vec::with_capacity"
        | "String::new"
        | "String::from"
        | "oneshot::channel"
        | "Mutex::new"
        | "Mutex::unfair"
        | "Semaphore::new"
        | "Notify::new"
        | "Condvar::new"
        | "Either::Left"
        | "Either::Right" => two.as_str(),
        _ => last.as_str(),
    };
    match name {
        "Duration::from_secs" => {
            arity(1)?;
            Ok(Value::Duration(Duration::from_secs(u64_of(&values[0], span)?)))
        }
        "Duration::from_millis" => {
            arity(1)?;
            Ok(Value::Duration(Duration::from_millis(u64_of(&values[0], span)?)))
        }
        "Duration::from_micros" => {
            arity(1)?;
            Ok(Value::Duration(Duration::from_micros(u64_of(&values[0], span)?)))
        }
        "Duration::from_nanos" => {
            arity(1)?;
            Ok(Value::Duration(Duration::from_nanos(u64_of(&values[0], span)?)))
        }
        "Rc::new" => {
            arity(1)?;
            Ok(Value::Rc(Rc::new(values.pop().expect("one argument"))))
        }
        "Rc::clone" => {
            arity(1)?;
            match values.pop().expect("one argument") {
                Value::Ref(s) => match s.borrow().as_ref() {
                    Some(Value::Rc(rc)) => Ok(Value::Rc(rc.clone())),
                    _ => Err(fault(span, "`Rc::clone` of something that is not an `Rc`")),
                },
                Value::Rc(rc) => Ok(Value::Rc(rc)),
                _ => Err(fault(span, "`Rc::clone` takes `&rc`")),
            }
        }
        "Rc::strong_count" => {
            arity(1)?;
            match values.pop().expect("one argument") {
                Value::Ref(s) => match s.borrow().as_ref() {
                    Some(Value::Rc(rc)) => Ok(Value::int(Rc::strong_count(rc) as i128, Some(IntTy::Usize))),
                    _ => Err(fault(span, "`Rc::strong_count` of something that is not an `Rc`")),
                },
                _ => Err(fault(span, "`Rc::strong_count` takes `&rc`")),
            }
        }
        "Mutex::new" | "Mutex::unfair" => {
            arity(2)?;
            let value = values.pop().expect("two arguments");
            let name = str_of(&values[0], span)?;
            let mutex = with_site(site, || {
                if two == "Mutex::new" {
                    wakescope::sync::Mutex::new(&name, value)
                } else {
                    wakescope::sync::Mutex::unfair(&name, value)
                }
            });
            Ok(Value::Mutex(Rc::new(mutex)))
        }
        "Semaphore::new" => {
            arity(2)?;
            let name = str_of(&values[0], span)?;
            let permits =
                usize::try_from(int_of(&values[1], span)?).map_err(|_| fault(span, "a negative number of permits"))?;
            Ok(Value::Semaphore(Rc::new(with_site(site, || {
                wakescope::sync::Semaphore::new(&name, permits)
            }))))
        }
        "Notify::new" => {
            arity(1)?;
            let name = str_of(&values[0], span)?;
            Ok(Value::Notify(Rc::new(with_site(site, || {
                wakescope::sync::Notify::new(&name)
            }))))
        }
        "Condvar::new" => {
            arity(1)?;
            let name = str_of(&values[0], span)?;
            Ok(Value::Condvar(Rc::new(with_site(site, || {
                wakescope::sync::Condvar::new(&name)
            }))))
        }
        "Cell::new" | "RefCell::new" => {
            arity(1)?;
            Ok(Value::Cell(slot(values.pop().expect("one argument"))))
        }
        "Vec::new" | "Vec::with_capacity" => Ok(Value::Vec(Vec::new())),
        "String::new" => Ok(Value::Str("".into())),
        "String::from" => {
            arity(1)?;
            Ok(Value::Str(str_of(&values[0], span)?))
        }
        "Some" => {
            arity(1)?;
            Ok(Value::Option(Some(Box::new(values.pop().expect("one argument")))))
        }
        "Ok" => {
            arity(1)?;
            Ok(ok(values.pop().expect("one argument")))
        }
        "Err" => {
            arity(1)?;
            Ok(err(values.pop().expect("one argument")))
        }
        "Either::Left" | "Left" => {
            arity(1)?;
            Ok(Value::Either(Box::new(Either::Left(
                values.pop().expect("one argument"),
            ))))
        }
        "Either::Right" | "Right" => {
            arity(1)?;
            Ok(Value::Either(Box::new(Either::Right(
                values.pop().expect("one argument"),
            ))))
        }
        "drop" => {
            arity(1)?;
            drop(values);
            Ok(Value::Unit)
        }
        "spawn" => {
            arity(2)?;
            let future_value = values.pop().expect("two arguments");
            let name = str_of(&values[0], span)?;
            let future = into_future(future_value, span)?;
            let task = task_future(steps, site.clone(), future);
            Ok(Value::JoinHandle(with_site(site, || wakescope::spawn(&name, task))))
        }
        "sleep" => {
            arity(1)?;
            let d = duration_of(&values[0], span)?;
            let s = wakescope::sleep(d);
            Ok(future(async move {
                s.await;
                Ok(Value::Unit)
            }))
        }
        "sleep_until" => {
            arity(1)?;
            let d = duration_of(&values[0], span)?;
            let s = wakescope::sleep_until(d);
            Ok(future(async move {
                s.await;
                Ok(Value::Unit)
            }))
        }
        "pending" => {
            // `std::future::pending()`: a future that never completes.
            arity(0)?;
            Ok(future(std::future::pending()))
        }
        "now" => {
            arity(0)?;
            Ok(Value::Duration(wakescope::now()))
        }
        "yield_now" => {
            arity(0)?;
            let y = wakescope::yield_now();
            Ok(future(async move {
                y.await;
                Ok(Value::Unit)
            }))
        }
        "work" => {
            arity(1)?;
            let w = wakescope::work(duration_of(&values[0], span)?);
            Ok(future(async move {
                w.await;
                Ok(Value::Unit)
            }))
        }
        "timeout" => {
            arity(2)?;
            let inner = into_future(values.pop().expect("two arguments"), span)?;
            let t = wakescope::timeout(duration_of(&values[0], span)?, inner);
            Ok(future(async move {
                match t.await {
                    Ok(r) => r.map(ok),
                    Err(_) => Ok(err(opaque("Elapsed"))),
                }
            }))
        }
        "select" => {
            arity(2)?;
            let b = into_future(values.pop().expect("two arguments"), span)?;
            let a = into_future(values.pop().expect("two arguments"), span)?;
            let s = wakescope::select(a, b);
            Ok(future(async move {
                Ok(match s.await {
                    wakescope::Either::Left(r) => Value::Either(Box::new(Either::Left(r?))),
                    wakescope::Either::Right(r) => Value::Either(Box::new(Either::Right(r?))),
                })
            }))
        }
        "rng" => {
            arity(0)?;
            Ok(Value::Rng)
        }
        "check" => {
            arity(2)?;
            let cond = bool_of(&values[0], span)?;
            let message = str_of(&values[1], span)?;
            with_site(site, || wakescope::check(cond, &message));
            Ok(Value::Unit)
        }
        "link" => {
            arity(1)?;
            let task = task_of(&values[0], span)?;
            with_site(site, || wakescope::supervision::link(task));
            Ok(Value::Unit)
        }
        "spawn_link" => {
            arity(2)?;
            let future_value = values.pop().expect("two arguments");
            let name = str_of(&values[0], span)?;
            let future = into_future(future_value, span)?;
            let task = task_future(steps, site.clone(), future);
            Ok(Value::JoinHandle(with_site(site, || {
                wakescope::supervision::spawn_link(&name, task)
            })))
        }
        "trap_exit" => {
            arity(1)?;
            let on = bool_of(&values[0], span)?;
            with_site(site, || wakescope::supervision::trap_exit(on));
            Ok(Value::Unit)
        }
        "kill" => {
            arity(1)?;
            let task = task_of(&values[0], span)?;
            with_site(site, || wakescope::supervision::kill(task));
            Ok(Value::Unit)
        }
        "recv_exit" => {
            arity(0)?;
            let recv = wakescope::supervision::recv_exit();
            Ok(future(async move { Ok(Value::ExitMessage(recv.await)) }))
        }
        "exit" => {
            arity(1)?;
            let reason = match &values[0] {
                Value::ExitReason(r) => *r,
                other => {
                    return Err(fault(
                        span,
                        format!("`exit` takes an ExitReason, not a {}", other.type_name()),
                    ));
                }
            };
            let exit = wakescope::supervision::exit(reason);
            Ok(future(async move { match exit.await {} }))
        }
        "current_task" => Ok(Value::Option(
            wakescope::current_task().map(|t| Box::new(Value::TaskId(t))),
        )),
        "channel" => {
            arity(2)?;
            let name = str_of(&values[0], span)?;
            let capacity =
                usize::try_from(int_of(&values[1], span)?).map_err(|_| fault(span, "a negative capacity"))?;
            if capacity == 0 {
                // The library asserts this; a compiled program's task panics with its message.
                return Err(fault(
                    span,
                    format!(
                        "wakescope::sync::channel(\"{name}\", 0): a bounded channel needs a capacity of at least 1"
                    ),
                ));
            }
            let (tx, rx) = with_site(site, || wakescope::sync::channel::<Value>(&name, capacity));
            Ok(Value::Tuple(vec![Value::Sender(tx), Value::Receiver(rx)]))
        }
        "oneshot::channel" => {
            arity(1)?;
            let name = str_of(&values[0], span)?;
            let (tx, rx) = with_site(site, || wakescope::sync::oneshot::channel::<Value>(&name));
            Ok(Value::Tuple(vec![Value::OneshotSender(tx), Value::OneshotReceiver(rx)]))
        }
        _ => Err(fault(
            span,
            format!(
                "cannot find function `{}` in this program or the library",
                path.join("::")
            ),
        )),
    }
}

/// Where a method's receiver lives.
pub(crate) enum Recv {
    /// A variable (after following references).
    Slot(Slot),
    /// A temporary: it lives until the statement ends.
    Temp(Value),
}

/// A value lent out of its variable for as long as a future uses it.
struct Lent {
    slot: Slot,
    value: Option<Value>,
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let (Some(v), Ok(mut slot)) = (self.value.take(), self.slot.try_borrow_mut()) {
            *slot = Some(v);
        }
    }
}

/// Methods that take their receiver by value.
fn consumes(method: &str) -> bool {
    matches!(
        method,
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default" | "unwrap_err" | "ok" | "err" | "into_iter"
    )
}

/// A method call on `recv` with its arguments; `site` is the call's place.
pub(crate) fn method_call(recv: Recv, method: &str, values: Vec<Value>, site: Site, env: &mut Env, span: Span) -> Ev {
    // A receiver behind `Rc` or `&` is reached through it.
    let recv = match recv {
        Recv::Slot(s) => {
            let inner = match s.borrow().as_ref() {
                Some(Value::Rc(rc)) if method != "clone" => Some(rc.clone()),
                None => return Err(fault(span, "use of a moved value")),
                _ => None,
            };
            match inner {
                Some(rc) => return method_on_shared(rc, method, values, site, span),
                None => s,
            }
        }
        Recv::Temp(Value::Rc(rc)) if method != "clone" => return method_on_shared(rc, method, values, site, span),
        Recv::Temp(Value::Ref(s)) => deref_slot(s),
        Recv::Temp(v) => {
            // A temporary receiver: by-value methods consume it; the others
            // borrow it, and it drops at the end of the statement.
            let s = slot(v);
            let result = method_on_slot(s.clone(), method, values, site, span);
            if let Some(rest) = s.borrow_mut().take() {
                env.keep_temp(rest);
            }
            return result;
        }
    };
    method_on_slot(recv, method, values, site, span)
}

/// A method on a value shared through an `Rc` (only `&self` methods).
fn method_on_shared(rc: Rc<Value>, method: &str, args: Vec<Value>, site: Site, span: Span) -> Ev {
    match (&*rc, method) {
        (Value::Cell(s), _) => cell_method(s, method, args, span),
        (Value::Mutex(_) | Value::Semaphore(_) | Value::Notify(_), _) => sync_method(&rc, method, site, span),
        (Value::Condvar(cv), _) => condvar_method(cv, method, args, site, span),
        (Value::Sender(_), "send") => {
            let value = one(args, span)?;
            Ok(future(async move {
                let Value::Sender(tx) = &*rc else {
                    unreachable!("matched above")
                };
                Ok(match tx.send(value).await {
                    Ok(()) => ok(Value::Unit),
                    Err(e) => err(opaque(format!("{e:?}"))),
                })
            }))
        }
        (Value::Sender(tx), "clone") => Ok(Value::Sender(tx.clone())),
        (v, "clone") => v.try_clone().ok_or_else(|| fault(span, "this value cannot be cloned")),
        (v, _) => match v.try_copy() {
            Some(copy) => {
                let s = slot(copy);
                plain_method(&s, method, args, span)
            }
            None => Err(fault(
                span,
                format!("no method `{method}` on an `Rc` of a {}", v.type_name()),
            )),
        },
    }
}

fn one(mut args: Vec<Value>, span: Span) -> Result<Value, Flow> {
    if args.len() != 1 {
        return Err(fault(span, "this method takes one argument"));
    }
    Ok(args.pop().expect("one"))
}

fn cell_method(s: &Slot, method: &str, mut args: Vec<Value>, span: Span) -> Ev {
    match method {
        "get" => match s.borrow().as_ref() {
            Some(v) => v
                .try_copy()
                .ok_or_else(|| fault(span, "`Cell::get` needs a `Copy` value")),
            None => Err(fault(span, "use of a moved value")),
        },
        "set" => {
            let v = one(args, span)?;
            let old = s.borrow_mut().replace(v);
            drop(old);
            Ok(Value::Unit)
        }
        "replace" => {
            let v = one(args, span)?;
            Ok(s.borrow_mut().replace(v).unwrap_or(Value::Unit))
        }
        "borrow" | "borrow_mut" => {
            args.clear();
            Ok(Value::Ref(s.clone()))
        }
        "take" => Ok(s.borrow_mut().replace(Value::Option(None)).unwrap_or(Value::Unit)),
        _ => Err(fault(span, format!("no method `{method}` on a Cell"))),
    }
}

/// `wait(guard)`, `notify_one` and `notify_all` on a condition variable.
fn condvar_method(cv: &Rc<wakescope::sync::Condvar>, method: &str, args: Vec<Value>, site: Site, span: Span) -> Ev {
    match method {
        "wait" | "wait_owned" => match one(args, span)? {
            Value::Guard(guard) => {
                let wait = cv.wait_owned(guard);
                Ok(future(async move { Ok(Value::Guard(wait.await)) }))
            }
            other => Err(fault(
                span,
                format!("`Condvar::wait` takes a `MutexGuard`, not a {}", other.type_name()),
            )),
        },
        "notify_one" => {
            with_site(site, || cv.notify_one());
            Ok(Value::Unit)
        }
        "notify_all" => {
            with_site(site, || cv.notify_all());
            Ok(Value::Unit)
        }
        _ => Err(fault(
            span,
            format!("no method `{method}` on a value of type `Condvar`"),
        )),
    }
}

/// `lock`, `acquire`, `notified` and the like, on a mutex, a semaphore or a notify.
fn sync_method(v: &Value, method: &str, site: Site, span: Span) -> Ev {
    match (v, method) {
        (Value::Mutex(m), "lock" | "lock_owned") => {
            let lock = m.lock_owned();
            Ok(future(async move { Ok(Value::Guard(lock.await)) }))
        }
        (Value::Mutex(m), "try_lock" | "try_lock_owned") => Ok(Value::Option(
            with_site(site, || m.try_lock_owned()).map(|g| Box::new(Value::Guard(g))),
        )),
        (Value::Mutex(m), "waiters") => Ok(Value::int(m.waiters() as i128, Some(IntTy::Usize))),
        (Value::Semaphore(sem), "acquire" | "acquire_owned") => {
            let acquire = sem.acquire_owned();
            Ok(future(async move {
                Ok(match acquire.await {
                    Ok(p) => ok(Value::Permit(p)),
                    Err(e) => err(opaque(format!("{e:?}"))),
                })
            }))
        }
        (Value::Semaphore(sem), "try_acquire" | "try_acquire_owned") => Ok(Value::Option(
            with_site(site, || sem.try_acquire_owned()).map(|p| Box::new(Value::Permit(p))),
        )),
        (Value::Semaphore(sem), "available_permits") => {
            Ok(Value::int(sem.available_permits() as i128, Some(IntTy::Usize)))
        }
        (Value::Semaphore(sem), "close") => {
            with_site(site, || sem.close());
            Ok(Value::Unit)
        }
        (Value::Notify(n), "notified" | "notified_owned") => {
            let notified = n.notified_owned();
            Ok(future(async move {
                notified.await;
                Ok(Value::Unit)
            }))
        }
        (Value::Notify(n), "notify_one") => {
            with_site(site, || n.notify_one());
            Ok(Value::Unit)
        }
        (Value::Notify(n), "notify_waiters") => {
            with_site(site, || n.notify_waiters());
            Ok(Value::Unit)
        }
        (v, m) => Err(fault(
            span,
            format!("no method `{m}` on a value of type `{}`", v.type_name()),
        )),
    }
}

/// A method on a variable (or a temporary put in one).
fn method_on_slot(s: Slot, method: &str, mut args: Vec<Value>, site: Site, span: Span) -> Ev {
    let kind = match s.borrow().as_ref() {
        Some(v) => v.type_name(),
        None => return Err(fault(span, "use of a moved value")),
    };
    if consumes(method) {
        let v = {
            let current = s.borrow();
            current.as_ref().and_then(Value::try_copy)
        };
        let v = match v {
            Some(v) => v,
            None => s.borrow_mut().take().expect("checked above"),
        };
        return consume(v, method, args, span);
    }
    match (kind, method) {
        ("Mutex" | "Semaphore" | "Notify", _) => {
            let guard = s.borrow();
            sync_method(guard.as_ref().expect("checked above"), method, site, span)
        }
        ("Condvar", _) => {
            let cv = match s.borrow().as_ref() {
                Some(Value::Condvar(cv)) => cv.clone(),
                _ => unreachable!("a Condvar"),
            };
            condvar_method(&cv, method, args, site, span)
        }
        ("MutexGuard", _) => {
            // A method on the value inside the lock: run it on the value, put it back.
            let inner = {
                let mut guard = s.borrow_mut();
                let Some(Value::Guard(g)) = guard.as_mut() else {
                    unreachable!("a guard")
                };
                std::mem::replace(&mut **g, Value::Unit)
            };
            let inner_slot = slot(inner);
            let result = method_on_slot(inner_slot.clone(), method, args, site, span);
            let back = inner_slot.borrow_mut().take().unwrap_or(Value::Unit);
            if let Some(Value::Guard(g)) = s.borrow_mut().as_mut() {
                **g = back;
            }
            result
        }
        ("Cell", _) => {
            let inner = match s.borrow().as_ref() {
                Some(Value::Cell(inner)) => inner.clone(),
                _ => unreachable!("a Cell"),
            };
            cell_method(&inner, method, args, span)
        }
        ("Receiver", "recv") => Ok(future(async move {
            // The receiver is lent to the receive while it waits, and goes
            // back to its variable when the receive ends or is dropped.
            let taken = s.borrow_mut().take();
            let Some(Value::Receiver(rx)) = taken else {
                *s.borrow_mut() = taken;
                return Err(Fault {
                    message: "the receiver is moved or already receiving".into(),
                    line: span.line,
                    column: span.column,
                });
            };
            let mut lent = Lent {
                slot: s,
                value: Some(Value::Receiver(rx)),
            };
            let Some(Value::Receiver(rx)) = lent.value.as_mut() else {
                unreachable!("lent just above")
            };
            Ok(Value::Option(rx.recv().await.map(Box::new)))
        })),
        ("Receiver", "try_recv") => {
            let mut guard = s.borrow_mut();
            let Some(Value::Receiver(rx)) = guard.as_mut() else {
                unreachable!("a Receiver")
            };
            Ok(match with_site(site.clone(), || rx.try_recv()) {
                Ok(v) => ok(v),
                Err(e) => err(opaque(format!("{e:?}"))),
            })
        }
        ("Receiver", "len") => {
            let guard = s.borrow();
            let Some(Value::Receiver(rx)) = guard.as_ref() else {
                unreachable!("a Receiver")
            };
            Ok(Value::int(rx.len() as i128, Some(IntTy::Usize)))
        }
        ("Sender", "send") => {
            let value = one(args, span)?;
            Ok(future(async move {
                let Ok(guard) = s.try_borrow() else {
                    return Err(Fault {
                        message: "the sender is in use".into(),
                        line: span.line,
                        column: span.column,
                    });
                };
                let Some(Value::Sender(tx)) = guard.as_ref() else {
                    return Err(Fault {
                        message: "the sender was moved".into(),
                        line: span.line,
                        column: span.column,
                    });
                };
                Ok(match tx.send(value).await {
                    Ok(()) => ok(Value::Unit),
                    Err(e) => err(opaque(format!("{e:?}"))),
                })
            }))
        }
        ("Sender", "try_send") => {
            let value = one(args, span)?;
            let guard = s.borrow();
            let Some(Value::Sender(tx)) = guard.as_ref() else {
                unreachable!("a Sender")
            };
            Ok(match with_site(site.clone(), || tx.try_send(value)) {
                Ok(()) => ok(Value::Unit),
                Err(e) => err(opaque(format!("{e:?}"))),
            })
        }
        ("Sender", "clone") => {
            let guard = s.borrow();
            let Some(Value::Sender(tx)) = guard.as_ref() else {
                unreachable!("a Sender")
            };
            Ok(Value::Sender(with_site(site.clone(), || tx.clone())))
        }
        ("Sender", "is_closed") => {
            let guard = s.borrow();
            let Some(Value::Sender(tx)) = guard.as_ref() else {
                unreachable!("a Sender")
            };
            Ok(Value::Bool(tx.is_closed()))
        }
        ("oneshot::Sender", "send") => {
            let value = one(args, span)?;
            let Some(Value::OneshotSender(tx)) = s.borrow_mut().take() else {
                unreachable!("a oneshot::Sender")
            };
            Ok(match with_site(site.clone(), || tx.send(value)) {
                Ok(()) => ok(Value::Unit),
                Err(v) => err(v),
            })
        }
        ("JoinHandle", "abort") => {
            let guard = s.borrow();
            let Some(Value::JoinHandle(h)) = guard.as_ref() else {
                unreachable!("a JoinHandle")
            };
            with_site(site.clone(), || h.abort());
            Ok(Value::Unit)
        }
        ("JoinHandle", "is_finished") => {
            let guard = s.borrow();
            let Some(Value::JoinHandle(h)) = guard.as_ref() else {
                unreachable!("a JoinHandle")
            };
            Ok(Value::Bool(h.is_finished()))
        }
        ("JoinHandle", "id") => {
            let guard = s.borrow();
            let Some(Value::JoinHandle(h)) = guard.as_ref() else {
                unreachable!("a JoinHandle")
            };
            Ok(Value::Option(h.id().map(|t| Box::new(Value::TaskId(t)))))
        }
        ("SimRng", "below") => {
            let n = u32::try_from(int_of(&one(args, span)?, span)?).map_err(|_| fault(span, "`below` takes a u32"))?;
            if n == 0 {
                return Err(fault(span, "below(0) has no value to return"));
            }
            Ok(Value::int(i128::from(wakescope::rng().below(n)), Some(IntTy::U32)))
        }
        ("SimRng", "u64") => Ok(Value::int(i128::from(wakescope::rng().u64()), Some(IntTy::U64))),
        ("Vec", "push") => {
            let v = one(args, span)?;
            match s.borrow_mut().as_mut() {
                Some(Value::Vec(vs)) if vs.len() >= crate::rt::VEC_LEN_MAX => {
                    return Err(fault(
                        span,
                        format!(
                            "a vector over the playground's limit of {} items",
                            crate::rt::VEC_LEN_MAX
                        ),
                    ));
                }
                Some(Value::Vec(vs)) => vs.push(v),
                _ => unreachable!("a Vec"),
            }
            Ok(Value::Unit)
        }
        ("String", "push_str" | "push") => {
            let more = match one(args, span)? {
                Value::Str(t) => t,
                Value::Char(c) => c.to_string().into(),
                Value::Ref(r) => match r.borrow().as_ref() {
                    Some(Value::Str(t)) => t.clone(),
                    _ => return Err(fault(span, format!("`{method}` takes a string"))),
                },
                other => {
                    return Err(fault(
                        span,
                        format!("`{method}` takes a string, not a {}", other.type_name()),
                    ));
                }
            };
            let mut guard = s.borrow_mut();
            let Some(Value::Str(text)) = guard.as_mut() else {
                unreachable!("a String")
            };
            if text.len() + more.len() > crate::rt::STRING_BYTES_MAX {
                return Err(fault(
                    span,
                    format!(
                        "a string over the playground's limit of {} bytes",
                        crate::rt::STRING_BYTES_MAX
                    ),
                ));
            }
            *text = format!("{text}{more}").into();
            Ok(Value::Unit)
        }
        ("Option", "take") => Ok(s
            .borrow_mut()
            .replace(Value::Option(None))
            .unwrap_or(Value::Option(None))),
        ("Option", "replace") => {
            let v = one(args, span)?;
            Ok(s.borrow_mut()
                .replace(Value::Option(Some(Box::new(v))))
                .unwrap_or(Value::Option(None)))
        }
        ("Vec", "pop") => match s.borrow_mut().as_mut() {
            Some(Value::Vec(vs)) => Ok(Value::Option(vs.pop().map(Box::new))),
            _ => unreachable!("a Vec"),
        },
        ("Vec", "iter") => {
            let copy = s.borrow().as_ref().and_then(Value::try_copy);
            copy.ok_or_else(|| {
                fault(
                    span,
                    "`iter` over a vector of resources is not supported; use `for x in v`",
                )
            })
        }
        _ => {
            args.shrink_to_fit();
            plain_method(&s, method, args, span)
        }
    }
}

/// Methods on plain values (numbers, strings, vectors, durations, options).
fn plain_method(s: &Slot, method: &str, args: Vec<Value>, span: Span) -> Ev {
    let guard = s.borrow();
    let Some(v) = guard.as_ref() else {
        return Err(fault(span, "use of a moved value"));
    };
    let arg_int = |i: usize| -> Result<i128, Flow> {
        args.get(i)
            .ok_or_else(|| fault(span, format!("`{method}` needs an argument")))
            .and_then(|a| int_of(a, span))
    };
    match (v, method) {
        (v, "clone" | "to_owned") => v.try_clone().ok_or_else(|| fault(span, "this value cannot be cloned")),
        (Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::Char(_), "to_string") => {
            let mut out = String::new();
            v.display(&mut out);
            Ok(Value::Str(out.into()))
        }
        (Value::Str(s), "len") => Ok(Value::int(s.len() as i128, Some(IntTy::Usize))),
        (Value::Str(s), "is_empty") => Ok(Value::Bool(s.is_empty())),
        (Value::Str(s), "as_str") => Ok(Value::Str(s.clone())),
        (Value::Vec(vs), "len") => Ok(Value::int(vs.len() as i128, Some(IntTy::Usize))),
        (Value::Vec(vs), "is_empty") => Ok(Value::Bool(vs.is_empty())),
        (Value::Vec(vs), "contains") => {
            let x = args
                .first()
                .ok_or_else(|| fault(span, "`contains` needs an argument"))?;
            Ok(Value::Bool(vs.iter().any(|v| values_equal(v, x))))
        }
        (Value::Vec(vs), "first") => Ok(Value::Option(vs.first().and_then(Value::try_copy).map(Box::new))),
        (Value::Vec(vs), "last") => Ok(Value::Option(vs.last().and_then(Value::try_copy).map(Box::new))),
        (Value::Vec(vs), "sum") => {
            let mut total = 0i128;
            let mut ty = None;
            for v in vs {
                let Value::Int(i) = v else {
                    return Err(fault(span, "`sum` of something other than integers"));
                };
                ty = ty.or(i.ty);
                total = total
                    .checked_add(i.value)
                    .ok_or_else(|| fault(span, "attempt to add with overflow"))?;
            }
            Ok(Value::int(total, ty))
        }
        (Value::Range(a, b, inc), "contains") => {
            let x = arg_int(0)?;
            Ok(Value::Bool(
                x >= a.value && if *inc { x <= b.value } else { x < b.value },
            ))
        }
        (Value::Int(i), "abs") => Ok(Value::int(i.value.abs(), i.ty)),
        (Value::Int(i), "pow") => {
            let e = u32::try_from(arg_int(0)?).map_err(|_| fault(span, "`pow` takes a u32"))?;
            let v = i.value.checked_pow(e);
            let (lo, hi) = i.ty.unwrap_or(IntTy::I32).range();
            match v {
                Some(v) if v >= lo && v <= hi => Ok(Value::int(v, i.ty)),
                _ => Err(fault(span, "attempt to multiply with overflow")),
            }
        }
        (Value::Int(i), "min") => Ok(Value::int(i.value.min(arg_int(0)?), i.ty)),
        (Value::Int(i), "max") => Ok(Value::int(i.value.max(arg_int(0)?), i.ty)),
        (Value::Int(i), "saturating_sub" | "saturating_add") => {
            let (lo, hi) = i.ty.unwrap_or(IntTy::I32).range();
            let y = arg_int(0)?;
            let v = if method == "saturating_sub" {
                i.value - y
            } else {
                i.value + y
            };
            Ok(Value::int(v.clamp(lo, hi), i.ty))
        }
        (Value::Int(i), "checked_add" | "checked_sub" | "checked_mul" | "checked_div") => {
            let (lo, hi) = i.ty.unwrap_or(IntTy::I32).range();
            let y = arg_int(0)?;
            let v = match method {
                "checked_add" => i.value.checked_add(y),
                "checked_sub" => i.value.checked_sub(y),
                "checked_mul" => i.value.checked_mul(y),
                _ => i.value.checked_div(y),
            };
            Ok(Value::Option(
                v.filter(|v| *v >= lo && *v <= hi)
                    .map(|v| Box::new(Value::int(v, i.ty))),
            ))
        }
        (Value::Duration(d), "as_secs") => Ok(Value::int(i128::from(d.as_secs()), Some(IntTy::U64))),
        (Value::Duration(d), "as_millis") => Ok(Value::int(d.as_millis() as i128, Some(IntTy::U128))),
        (Value::Duration(d), "as_micros") => Ok(Value::int(d.as_micros() as i128, Some(IntTy::U128))),
        (Value::Duration(d), "as_nanos") => Ok(Value::int(d.as_nanos() as i128, Some(IntTy::U128))),
        (Value::Option(o), "is_some") => Ok(Value::Bool(o.is_some())),
        (Value::Option(o), "is_none") => Ok(Value::Bool(o.is_none())),
        (Value::Result(r), "is_ok") => Ok(Value::Bool(r.is_ok())),
        (Value::Result(r), "is_err") => Ok(Value::Bool(r.is_err())),
        (v, _) => Err(fault(
            span,
            format!("no method `{method}` on a value of type `{}`", v.type_name()),
        )),
    }
}

/// Methods that take the receiver by value.
fn consume(v: Value, method: &str, mut args: Vec<Value>, span: Span) -> Ev {
    let msg = |args: &mut Vec<Value>| -> Result<Rc<str>, Flow> {
        match args.pop() {
            Some(m) => str_of(&m, span),
            None => Err(fault(span, "`expect` needs a message")),
        }
    };
    match (v, method) {
        (Value::Option(Some(x)), "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default") => Ok(*x),
        (Value::Option(None), "unwrap") => Err(fault(span, "called `Option::unwrap()` on a `None` value")),
        (Value::Option(None), "expect") => Err(fault(span, msg(&mut args)?.to_string())),
        (Value::Option(None), "unwrap_or") => one(args, span),
        (Value::Result(Ok(x)), "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default") => Ok(*x),
        (Value::Result(Ok(x)), "ok") => Ok(Value::Option(Some(x))),
        (Value::Result(Err(_)), "ok") => Ok(Value::Option(None)),
        (Value::Result(Err(e)), "err") => Ok(Value::Option(Some(e))),
        (Value::Result(Ok(_)), "err") => Ok(Value::Option(None)),
        (Value::Result(Err(e)), "unwrap_err") => Ok(*e),
        (Value::Result(Ok(x)), "unwrap_err") => {
            let mut text = String::new();
            x.debug(&mut text);
            Err(fault(
                span,
                format!("called `Result::unwrap_err()` on an `Ok` value: {text}"),
            ))
        }
        (Value::Result(Err(e)), "unwrap") => {
            let mut text = String::new();
            e.debug(&mut text);
            Err(fault(
                span,
                format!("called `Result::unwrap()` on an `Err` value: {text}"),
            ))
        }
        (Value::Result(Err(e)), "expect") => {
            let m = msg(&mut args)?;
            let mut text = String::new();
            e.debug(&mut text);
            Err(fault(span, format!("{m}: {text}")))
        }
        (Value::Result(Err(_)), "unwrap_or") => one(args, span),
        (v, "into_iter") => Ok(Value::Vec(iterate(v, span)?)),
        (v, m) => Err(fault(
            span,
            format!("no method `{m}` on a value of type `{}`", v.type_name()),
        )),
    }
}

/// `*guard`: a copy of the value inside the lock.
pub(crate) fn deref_guard(s: &Slot, span: Span) -> Option<Ev> {
    let current = s.borrow();
    match current.as_ref() {
        Some(Value::Guard(g)) => Some(
            (**g)
                .try_clone()
                .ok_or_else(|| fault(span, "cannot move out of a `MutexGuard`")),
        ),
        _ => None,
    }
}

/// `*guard = value`: writes inside the lock; false if `s` holds no guard.
pub(crate) fn assign_guard(s: &Slot, value: Value) -> Result<bool, Value> {
    let mut current = s.borrow_mut();
    match current.as_mut() {
        Some(Value::Guard(g)) => {
            let old = std::mem::replace(&mut **g, value);
            drop(current);
            drop(old);
            Ok(true)
        }
        _ => Err(value),
    }
}

/// `*v` for a value that is not a reference.
pub(crate) fn deref(v: Value, span: Span) -> Ev {
    match v {
        v @ (Value::Int(_) | Value::Bool(_) | Value::Str(_) | Value::Char(_) | Value::Duration(_)) => Ok(v),
        v => Err(fault(span, format!("cannot dereference a {}", v.type_name()))),
    }
}

/// `*target = value` for a target that is not a plain reference.
pub(crate) fn assign_through(target: Value, value: Value, span: Span) -> Result<(), Flow> {
    match target {
        Value::Cell(s) => {
            let old = s.borrow_mut().replace(value);
            drop(old);
            Ok(())
        }
        v => Err(fault(span, format!("cannot assign through a {}", v.type_name()))),
    }
}

/// `println!`: the library's, so the line is a `printed` event at the program's line.
pub(crate) fn print_line(text: &str, site: Site) {
    with_site(site, || wakescope::record_line(text));
}
