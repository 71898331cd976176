//! The program as the interpreter runs it: syn's tree lowered to the subset
//! the playground supports, with every node's line and column. Blocks that
//! become futures of their own (function bodies, `async` blocks) are behind
//! `Rc`, so a spawned task can own the code it runs.

use std::rc::Rc;

/// A place in the program's text: line and column, from 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub line: u32,
    pub column: u32,
}

/// Integer types, for overflow and for `as`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    I128,
    Isize,
    U8,
    U16,
    U32,
    U64,
    U128,
    Usize,
}

impl IntTy {
    pub fn from_name(name: &str) -> Option<IntTy> {
        Some(match name {
            "i8" => IntTy::I8,
            "i16" => IntTy::I16,
            "i32" => IntTy::I32,
            "i64" => IntTy::I64,
            "i128" => IntTy::I128,
            "isize" => IntTy::Isize,
            "u8" => IntTy::U8,
            "u16" => IntTy::U16,
            "u32" => IntTy::U32,
            "u64" => IntTy::U64,
            "u128" => IntTy::U128,
            "usize" => IntTy::Usize,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::I128 => "i128",
            IntTy::Isize => "isize",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::U128 => "u128",
            IntTy::Usize => "usize",
        }
    }

    /// The smallest and largest value (both targets: `usize` is 64 bits, as natively).
    pub fn range(self) -> (i128, i128) {
        match self {
            IntTy::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntTy::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntTy::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntTy::I64 | IntTy::Isize => (i64::MIN.into(), i64::MAX.into()),
            IntTy::I128 => (i128::MIN, i128::MAX),
            IntTy::U8 => (0, u8::MAX.into()),
            IntTy::U16 => (0, u16::MAX.into()),
            IntTy::U32 => (0, u32::MAX.into()),
            IntTy::U64 | IntTy::Usize => (0, u64::MAX.into()),
            // u128 above i128::MAX is out of the interpreter's range.
            IntTy::U128 => (0, i128::MAX),
        }
    }
}

/// What the lowering keeps of a type: enough to type integer literals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Int(IntTy),
    Other,
}

pub struct Func {
    pub name: String,
    pub params: Vec<(Pat, Ty)>,
    pub ret: Ty,
    pub body: Rc<Block>,
    pub is_async: bool,
    pub span: Span,
}

pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The final expression without a semicolon: the block's value.
    pub tail: Option<Expr>,
}

pub enum Stmt {
    Let {
        pat: Pat,
        ty: Ty,
        init: Option<Expr>,
        span: Span,
    },
    /// An expression statement (the block's tail is kept apart).
    Expr { expr: Expr },
}

#[derive(Clone, Debug)]
pub enum Pat {
    /// `x`, `mut x`.
    Bind {
        name: Rc<str>,
    },
    /// `_`.
    Wild,
    Tuple(Vec<Pat>),
    /// An integer, a bool, a string or a char literal.
    Lit(Lit),
    /// `a..=b`, `a..b`.
    Range {
        from: i128,
        to: i128,
        inclusive: bool,
    },
    /// `Some(p)`, `None`, `Ok(p)`, `Err(p)`, `Either::Left(p)`, `Either::Right(p)`.
    Variant {
        variant: Variant,
        inner: Option<Box<Pat>>,
    },
    /// `p | q`.
    Or(Vec<Pat>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Some,
    None,
    Ok,
    Err,
    Left,
    Right,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Int(i128, Option<IntTy>),
    Bool(bool),
    Str(Rc<str>),
    Char(char),
}

pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Deref,
}

/// A macro the playground knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacroKind {
    Format,
    Println,
    Panic,
    Assert,
    AssertEq,
    AssertNe,
    Vec,
    /// `unreachable!`, `todo!`, `unimplemented!`: a panic with a fixed start.
    Unreachable,
    Todo,
    Unimplemented,
}

pub enum ExprKind {
    Lit(Lit),
    /// A local variable, a constant, a function or a library path
    /// (`x`, `POPCORN_S`, `Duration::from_secs`), as written.
    Path(Vec<Rc<str>>),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
    },
    MethodCall {
        receiver: Box<Expr>,
        method: Rc<str>,
        args: Vec<Expr>,
    },
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Unary {
        op: UnOp,
        expr: Box<Expr>,
    },
    Assign {
        place: Box<Expr>,
        value: Box<Expr>,
    },
    /// `a += b` and the like.
    AssignOp {
        op: BinOp,
        place: Box<Expr>,
        value: Box<Expr>,
    },
    Field {
        expr: Box<Expr>,
        index: usize,
    },
    /// `message.from`: a named field of a library value.
    NamedField {
        expr: Box<Expr>,
        name: Rc<str>,
    },
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Rc<Block>,
        otherwise: Option<Box<Expr>>,
    },
    /// `let p = e` as the condition of an `if` or a `while`.
    Let {
        pat: Pat,
        expr: Box<Expr>,
    },
    While {
        cond: Box<Expr>,
        body: Rc<Block>,
        label: Option<Rc<str>>,
    },
    Loop {
        body: Rc<Block>,
        label: Option<Rc<str>>,
    },
    For {
        pat: Pat,
        iter: Box<Expr>,
        body: Rc<Block>,
        label: Option<Rc<str>>,
    },
    Break {
        label: Option<Rc<str>>,
        value: Option<Box<Expr>>,
    },
    Continue {
        label: Option<Rc<str>>,
    },
    Return(Option<Box<Expr>>),
    Block(Rc<Block>),
    Async {
        body: Rc<Block>,
        /// `async move`: the block takes what it names; else it borrows.
        is_move: bool,
        /// Variables of the enclosing scopes the block names.
        captures: Vec<Rc<str>>,
    },
    Await(Box<Expr>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    Match {
        expr: Box<Expr>,
        arms: Vec<Arm>,
    },
    Macro {
        kind: MacroKind,
        args: Vec<Expr>,
        /// The format string of `format!`, `println!`, `panic!` and the
        /// message of `assert!`s, when given.
        format: Option<Rc<str>>,
    },
    Cast {
        expr: Box<Expr>,
        ty: IntTy,
    },
    Range {
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
        inclusive: bool,
    },
    /// `&e`, `&mut e`: the place itself.
    Ref {
        expr: Box<Expr>,
    },
    /// `e?`.
    Try(Box<Expr>),
    /// `matches!(e, pat if guard)`.
    Matches {
        expr: Box<Expr>,
        pat: Pat,
        guard: Option<Box<Expr>>,
    },
    /// `|args| body`: the closures `map`, `unwrap_or_else` and friends take.
    Closure {
        params: Vec<Pat>,
        body: Rc<Expr>,
        captures: Vec<Rc<str>>,
    },
}

pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
}
