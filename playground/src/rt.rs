//! What the evaluator and the library share: variables and their scopes,
//! the ways evaluation leaves an expression, and a few value operations.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::ir::Span;
use crate::value::{Fault, Slot, Value, slot};

/// Longest string a program may build, in bytes, and longest vector.
pub const STRING_BYTES_MAX: usize = 1 << 20;
pub const VEC_LEN_MAX: usize = 1 << 20;

pub(crate) type LocalFut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Why evaluation left an expression early.
pub(crate) enum Flow {
    Break(Option<Rc<str>>, Value),
    Continue(Option<Rc<str>>),
    Return(Value),
    Fault(Fault),
}

impl From<Fault> for Flow {
    fn from(f: Fault) -> Flow {
        Flow::Fault(f)
    }
}

pub(crate) type Ev = Result<Value, Flow>;

pub(crate) fn fault(span: Span, message: impl Into<String>) -> Flow {
    Flow::Fault(Fault {
        message: message.into(),
        line: span.line,
        column: span.column,
    })
}

/// Variables in scopes, innermost last, and each statement's temporaries.
#[derive(Default)]
pub(crate) struct Env {
    scopes: Vec<Vec<(Rc<str>, Slot)>>,
    temps: Vec<Vec<Value>>,
}

impl Env {
    pub(crate) fn with(captures: Vec<(Rc<str>, Slot)>) -> Env {
        Env {
            scopes: vec![captures],
            temps: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Ends the innermost scope: its variables drop, last declared first.
    pub(crate) fn pop(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            for (_, slot) in scope.into_iter().rev() {
                // A variable a pending future still borrows keeps its value
                // until that future lets go of it.
                let value = slot.try_borrow_mut().ok().and_then(|mut s| s.take());
                drop(value);
            }
        }
    }

    pub(crate) fn bind(&mut self, name: Rc<str>, value: Value) {
        if self.scopes.is_empty() {
            self.scopes.push(Vec::new());
        }
        self.scopes.last_mut().expect("a scope").push((name, slot(value)));
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Slot> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| &**n == name)
            .map(|(_, s)| s.clone())
    }

    /// Starts a statement's list of temporaries.
    pub(crate) fn start_temps(&mut self) {
        self.temps.push(Vec::new());
    }

    /// Ends it: the temporaries drop, last made first.
    pub(crate) fn end_temps(&mut self) {
        if let Some(temps) = self.temps.pop() {
            for t in temps.into_iter().rev() {
                drop(t);
            }
        }
    }

    /// Keeps a temporary until the current statement ends.
    pub(crate) fn keep_temp(&mut self, value: Value) {
        match self.temps.last_mut() {
            Some(t) => t.push(value),
            None => drop(value),
        }
    }
}

/// Follows `&x` references to the variable itself.
pub(crate) fn deref_slot(s: Slot) -> Slot {
    let next = match s.borrow().as_ref() {
        Some(Value::Ref(inner)) => Some(inner.clone()),
        _ => None,
    };
    match next {
        Some(inner) => deref_slot(inner),
        None => s,
    }
}

pub(crate) fn values_equal(l: &Value, r: &Value) -> bool {
    match (l, r) {
        (Value::Unit, Value::Unit) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a.value == b.value,
        (Value::Char(a), Value::Char(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::TaskId(a), Value::TaskId(b)) => a == b,
        (Value::ExitReason(a), Value::ExitReason(b)) => a == b,
        (Value::ExitMessage(a), Value::ExitMessage(b)) => a == b,
        (Value::Tuple(a), Value::Tuple(b)) | (Value::Vec(a), Value::Vec(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_equal(x, y))
        }
        (Value::Option(a), Value::Option(b)) => match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => values_equal(x, y),
            _ => false,
        },
        (Value::Result(a), Value::Result(b)) => match (a, b) {
            (Ok(x), Ok(y)) | (Err(x), Err(y)) => values_equal(x, y),
            _ => false,
        },
        (Value::Rc(a), b) => values_equal(a, b),
        (a, Value::Rc(b)) => values_equal(a, b),
        (Value::Ref(a), b) => a.borrow().as_ref().is_some_and(|a| values_equal(a, b)),
        (a, Value::Ref(b)) => b.borrow().as_ref().is_some_and(|b| values_equal(a, b)),
        _ => false,
    }
}

/// The items a `for` loop walks.
pub(crate) fn iterate(v: Value, span: Span) -> Result<Vec<Value>, Flow> {
    match v {
        Value::Range(a, b, inclusive) => {
            let end = if inclusive { b.value.saturating_add(1) } else { b.value };
            if end.saturating_sub(a.value) > VEC_LEN_MAX as i128 {
                return Err(fault(
                    span,
                    format!("a range of more than {} items cannot be collected", VEC_LEN_MAX),
                ));
            }
            Ok((a.value..end).map(|n| Value::int(n, a.ty)).collect())
        }
        Value::Vec(vs) => Ok(vs),
        Value::Ref(s) => match s.borrow().as_ref() {
            Some(Value::Vec(vs)) => vs
                .iter()
                .map(|v| {
                    v.try_clone()
                        .ok_or_else(|| fault(span, "iterating over a borrowed vector of resources"))
                })
                .collect(),
            _ => Err(fault(span, "a `for` loop over this reference is not supported")),
        },
        other => Err(fault(
            span,
            format!("a `for` loop over a {} is not supported", other.type_name()),
        )),
    }
}
