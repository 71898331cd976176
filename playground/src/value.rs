//! The interpreter's values. Library objects are the library's own —
//! a `Sender` is a `wakescope::sync::Sender` — so dropping a value does what
//! dropping it does in the compiled program (a last sender closes its
//! channel), at the moment the interpreter drops it.

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Condvar, Mutex, Notify, OwnedMutexGuard, OwnedPermit, Receiver, Semaphore, Sender, oneshot};
use wakescope::{JoinHandle, TaskId};

use crate::ir::{Expr, IntTy, Pat};

/// A run-time failure: a panic of the task, at a place in the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// A future the program can await: an `async fn`'s or block's, or the library's.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, Fault>>>>;

/// A variable's storage: `None` once its value was moved out.
pub type Slot = Rc<RefCell<Option<Value>>>;

pub fn slot(v: Value) -> Slot {
    Rc::new(RefCell::new(Some(v)))
}

/// An integer and its type (`None`: an unsuffixed literal not yet typed; `i32` when it must be).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int {
    pub value: i128,
    pub ty: Option<IntTy>,
}

pub struct Closure {
    pub params: Vec<Pat>,
    pub body: Rc<Expr>,
    pub env: Vec<(Rc<str>, Slot)>,
}

pub enum Either {
    Left(Value),
    Right(Value),
}

pub enum Value {
    Unit,
    Bool(bool),
    Int(Int),
    Char(char),
    /// `String` and `&str` alike.
    Str(Rc<str>),
    Tuple(Vec<Value>),
    Vec(Vec<Value>),
    Option(Option<Box<Value>>),
    Result(Result<Box<Value>, Box<Value>>),
    Either(Box<Either>),
    Duration(Duration),
    TaskId(TaskId),
    /// `Rc<T>`: shared, the value inside read-only (mutation goes through a `Cell` or `RefCell`).
    Rc(Rc<Value>),
    /// `Cell<T>` and `RefCell<T>`: a variable of their own.
    Cell(Slot),
    /// A library value known by its `Debug` text (`Elapsed`, `SendError { .. }`).
    Opaque(Rc<str>),
    Future(BoxFuture),
    JoinHandle(JoinHandle<Result<Value, Fault>>),
    Sender(Sender<Value>),
    Receiver(Receiver<Value>),
    OneshotSender(oneshot::Sender<Value>),
    OneshotReceiver(oneshot::Receiver<Value>),
    JoinError(wakescope::JoinError),
    Mutex(Rc<Mutex<Value>>),
    /// A held lock: `*guard` is the value inside; dropping it unlocks.
    Guard(OwnedMutexGuard<Value>),
    Semaphore(Rc<Semaphore>),
    /// A held permit, kept for its drop (which releases it).
    Permit(#[allow(dead_code)] OwnedPermit),
    Notify(Rc<Notify>),
    /// A `wakescope::sync::Condvar`.
    Condvar(Rc<Condvar>),
    ExitMessage(wakescope::supervision::ExitMessage),
    ExitReason(wakescope::ExitReason),
    Func(Rc<crate::ir::Func>),
    Closure(Rc<Closure>),
    /// `&x`, `&mut x`: the variable itself.
    Ref(Slot),
    /// A range `a..b` / `a..=b` as a value (for `for` and `contains`).
    Range(Int, Int, bool),
    /// The simulation's RNG handle.
    Rng,
}

impl Value {
    pub fn int(value: i128, ty: Option<IntTy>) -> Value {
        Value::Int(Int { value, ty })
    }

    /// A copy, for values whose copy is indistinguishable from a move
    /// (numbers, strings, durations; tuples, vectors and options of them).
    /// `None` for anything that owns a resource or a future.
    pub fn try_copy(&self) -> Option<Value> {
        Some(match self {
            Value::Unit => Value::Unit,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Char(c) => Value::Char(*c),
            Value::Str(s) => Value::Str(s.clone()),
            Value::Duration(d) => Value::Duration(*d),
            Value::TaskId(t) => Value::TaskId(*t),
            Value::JoinError(e) => Value::JoinError(e.clone()),
            Value::Opaque(t) => Value::Opaque(t.clone()),
            Value::ExitMessage(m) => Value::ExitMessage(*m),
            Value::ExitReason(r) => Value::ExitReason(*r),
            Value::Range(a, b, inc) => Value::Range(*a, *b, *inc),
            Value::Rng => Value::Rng,
            Value::Func(f) => Value::Func(f.clone()),
            Value::Ref(s) => Value::Ref(s.clone()),
            Value::Tuple(vs) => Value::Tuple(vs.iter().map(Value::try_copy).collect::<Option<_>>()?),
            Value::Vec(vs) => Value::Vec(vs.iter().map(Value::try_copy).collect::<Option<_>>()?),
            Value::Option(o) => Value::Option(match o {
                Some(v) => Some(Box::new(v.try_copy()?)),
                None => None,
            }),
            Value::Result(r) => Value::Result(match r {
                Ok(v) => Ok(Box::new(v.try_copy()?)),
                Err(v) => Err(Box::new(v.try_copy()?)),
            }),
            _ => return None,
        })
    }

    /// `x.clone()`: like [`Value::try_copy`], and an `Rc` gets a new count.
    pub fn try_clone(&self) -> Option<Value> {
        match self {
            Value::Rc(rc) => Some(Value::Rc(rc.clone())),
            Value::Sender(tx) => Some(Value::Sender(tx.clone())),
            Value::Closure(c) => Some(Value::Closure(c.clone())),
            other => other.try_copy(),
        }
    }

    /// The type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Unit => "()",
            Value::Bool(_) => "bool",
            Value::Int(i) => i.ty.map_or("integer", IntTy::name),
            Value::Char(_) => "char",
            Value::Str(_) => "String",
            Value::Tuple(_) => "tuple",
            Value::Vec(_) => "Vec",
            Value::Option(_) => "Option",
            Value::Result(_) => "Result",
            Value::Either(_) => "Either",
            Value::Duration(_) => "Duration",
            Value::TaskId(_) => "TaskId",
            Value::Rc(_) => "Rc",
            Value::Cell(_) => "Cell",
            Value::Opaque(_) => "value",
            Value::Future(_) => "future",
            Value::JoinHandle(_) => "JoinHandle",
            Value::Sender(_) => "Sender",
            Value::Receiver(_) => "Receiver",
            Value::OneshotSender(_) => "oneshot::Sender",
            Value::OneshotReceiver(_) => "oneshot::Receiver",
            Value::JoinError(_) => "JoinError",
            Value::Mutex(_) => "Mutex",
            Value::Guard(_) => "MutexGuard",
            Value::Semaphore(_) => "Semaphore",
            Value::Permit(_) => "SemaphorePermit",
            Value::Notify(_) => "Notify",
            Value::Condvar(_) => "Condvar",
            Value::ExitMessage(_) => "ExitMessage",
            Value::ExitReason(_) => "ExitReason",
            Value::Func(_) => "fn",
            Value::Closure(_) => "closure",
            Value::Ref(_) => "reference",
            Value::Range(..) => "Range",
            Value::Rng => "SimRng",
        }
    }

    /// `{}`; `None` for a type without `Display`.
    pub fn display(&self, out: &mut String) -> Option<()> {
        match self {
            Value::Bool(b) => write!(out, "{b}").ok(),
            Value::Int(i) => write!(out, "{}", i.value).ok(),
            Value::Char(c) => write!(out, "{c}").ok(),
            Value::Str(s) => write!(out, "{s}").ok(),
            Value::TaskId(t) => write!(out, "{t}").ok(),
            Value::JoinError(e) => write!(out, "{e}").ok(),
            Value::Opaque(t) => write!(out, "{t}").ok(),
            Value::Duration(_) => None,
            Value::Rc(v) => v.display(out),
            Value::Ref(s) => s.borrow().as_ref()?.display(out),
            _ => None,
        }
    }

    /// `{:?}`, as Rust's derived `Debug` writes it.
    pub fn debug(&self, out: &mut String) {
        let _ = match self {
            Value::Unit => write!(out, "()"),
            Value::Bool(b) => write!(out, "{b}"),
            Value::Int(i) => write!(out, "{}", i.value),
            Value::Char(c) => write!(out, "{c:?}"),
            Value::Str(s) => write!(out, "{s:?}"),
            Value::Tuple(vs) => {
                out.push('(');
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.debug(out);
                }
                if vs.len() == 1 {
                    out.push(',');
                }
                out.push(')');
                Ok(())
            }
            Value::Vec(vs) => {
                out.push('[');
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.debug(out);
                }
                out.push(']');
                Ok(())
            }
            Value::Option(None) => write!(out, "None"),
            Value::Option(Some(v)) => wrap(out, "Some", v),
            Value::Result(Ok(v)) => wrap(out, "Ok", v),
            Value::Result(Err(v)) => wrap(out, "Err", v),
            Value::Either(e) => match &**e {
                Either::Left(v) => wrap(out, "Left", v),
                Either::Right(v) => wrap(out, "Right", v),
            },
            Value::Duration(d) => write!(out, "{d:?}"),
            Value::TaskId(t) => write!(out, "{t:?}"),
            Value::JoinError(e) => write!(out, "{e:?}"),
            Value::ExitMessage(m) => write!(out, "{m:?}"),
            Value::ExitReason(r) => write!(out, "{r:?}"),
            Value::Rc(v) => {
                v.debug(out);
                Ok(())
            }
            Value::Cell(c) => {
                out.push_str("Cell { value: ");
                match c.borrow().as_ref() {
                    Some(v) => v.debug(out),
                    None => out.push_str("<moved>"),
                }
                out.push_str(" }");
                Ok(())
            }
            Value::Opaque(text) => write!(out, "{text}"),
            Value::Ref(s) => {
                match s.borrow().as_ref() {
                    Some(v) => v.debug(out),
                    None => out.push_str("<moved>"),
                }
                Ok(())
            }
            Value::Range(a, b, inclusive) => {
                write!(out, "{}{}{}", a.value, if *inclusive { "..=" } else { ".." }, b.value)
            }
            other => write!(out, "{}", other.type_name()),
        };
    }
}

fn wrap(out: &mut String, name: &str, v: &Value) -> fmt::Result {
    out.push_str(name);
    out.push('(');
    v.debug(out);
    out.push(')');
    Ok(())
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.debug(&mut s);
        f.write_str(&s)
    }
}
