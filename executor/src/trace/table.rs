//! The generator behind the event table in `event.rs`.
//!
//! [`event_table!`] takes the table — an enum declaration whose variants
//! carry their code, JSON name and a few clauses — and writes out everything
//! that follows from it:
//!
//! - the [`Event`](super::Event) enum itself, variants, fields and docs as
//!   written, plus [`EventKind`](super::EventKind) with `ALL`, names and codes;
//! - `Event::kind`, `Event::task` (from `about`) and `Event::clock_to_ns`
//!   (from `clock`);
//! - one struct per `side` clause and the `Side` enum over them;
//! - `PackedEvent::pack` / `unpack`, and a compile-time check that each row
//!   fits in the packed `u64`;
//! - `Event::side` and `Event::visit_fields`, through which the JSON writer
//!   and the fingerprint see every field (event fields first, then side
//!   fields, in row order);
//! - `Event::read_json` and `Trace::apply`, the reader's half: decode a line,
//!   check its ids (`creates` ids must be the next ones), store its side
//!   fields, record the event;
//! - for tests, each kind's field list and sample events.
//!
//! The macro never looks at a field's type: each type's encodings are its
//! codec (`codec.rs`), so a row is a list of names and types, nothing more.
//! Items are named by full path so the expansion works wherever the table is.

/// Generates the event enum and every encoding of it from one table (see the
/// module docs, and `event.rs` for the table and its clauses).
macro_rules! event_table {
    (
        $(#[$meta:meta])*
        pub enum Event {
            $(
                $(#[$doc:meta])*
                $V:ident = $code:literal $name:literal {
                    $( $f:ident : $fty:ty $(as $key:literal)? ),* $(,)?
                }
                $(creates $c:ident)?
                $(about $s:ident)?
                $(clock $k:ident)?
                $(side $Side:ident $(<$lt:lifetime>)? { $( $sf:ident : $sfty:ty ),* $(,)? })?
                ;
            )*
        }
    ) => {
        $(#[$meta])*
        pub enum Event {
            $( $(#[$doc])* $V { $( $f: $fty ),* }, )*
        }

        /// The kinds of [`Event`], with the JSON name and the code each is
        /// written with (the packed tag and the fingerprint's tag byte).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum EventKind {
            $(
                #[doc = concat!(
                    "[`Event::", stringify!($V), "`]: JSON kind `", $name,
                    "`, code ", stringify!($code), "."
                )]
                $V = $code,
            )*
        }

        impl EventKind {
            /// Every kind, in the table's order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$V),*];

            /// The `kind` of its JSON lines: `"poll_started"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(EventKind::$V => $name,)*
                }
            }

            /// The code: the packed tag and the fingerprint's tag byte.
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The kind with this JSON name.
            pub fn from_name(name: &str) -> Option<EventKind> {
                match name {
                    $($name => Some(EventKind::$V),)*
                    _ => None,
                }
            }
        }

        impl Event {
            /// What kind of event this is.
            pub const fn kind(&self) -> EventKind {
                match self {
                    $(Event::$V { .. } => EventKind::$V,)*
                }
            }

            /// The task this event is about, if it is about one task.
            pub fn task(&self) -> Option<$crate::task::TaskId> {
                match *self {
                    $(Event::$V { $($s,)? .. } => $crate::trace::table::event_table!(@about $($s)?),)*
                }
            }

            /// The virtual time this event moves the clock to, if it moves it.
            pub(crate) fn clock_to_ns(&self) -> Option<u64> {
                match *self {
                    $(Event::$V { $($k,)? .. } => $crate::trace::table::event_table!(@clock $($k)?),)*
                }
            }
        }

        $($(
            #[doc = concat!(
                "The side fields of [`Event::", stringify!($V),
                "`]: kept in the trace's side tables, written to JSON and hashed with the event."
            )]
            #[derive(Clone, Copy, Debug, PartialEq)]
            pub(crate) struct $Side $(<$lt>)? {
                $(pub(crate) $sf: $sfty,)*
            }
        )?)*

        /// The side fields of one event, borrowed from the trace or a JSON line.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Side<'s> {
            /// The event has none.
            None,
            $($($V($Side $(<$lt>)?),)?)*
        }

        $(
            const _: () = assert!(
                $crate::trace::TAG_BITS $(+ <$fty as $crate::trace::codec::Packed>::BITS)* <= 64,
                concat!("the fields of `", stringify!($V), "` do not fit in the packed u64")
            );
        )*

        impl $crate::trace::PackedEvent {
            /// Packs an event; virtual times are appended to `instants_ns`.
            pub(crate) fn pack(event: Event, instants_ns: &mut Vec<u64>) -> Self {
                match event {
                    $(Event::$V { $($f),* } => {
                        let mut p = $crate::trace::Packer::new(EventKind::$V.code());
                        $(p.field($f, instants_ns);)*
                        p.finish()
                    })*
                }
            }

            /// Unpacks an event; virtual times are read from `instants_ns`.
            pub(crate) fn unpack(self, instants_ns: &[u64]) -> Event {
                let mut u = $crate::trace::Unpacker::new(self);
                match u.tag() {
                    $($code => Event::$V { $($f: u.field(instants_ns)),* },)*
                    other => unreachable!("packed events are only written by `pack`; tag {other} is unknown"),
                }
            }
        }

        impl Event {
            /// The event's side fields, looked up in `trace`. `cursor` tracks
            /// the side tables read in event order; walk the events in order.
            pub(crate) fn side<'t>(
                &self,
                trace: &'t $crate::trace::Trace,
                cursor: &mut $crate::trace::SideCursor,
            ) -> Side<'t> {
                match *self {
                    $(Event::$V { $($f),* } => $crate::trace::table::event_table!(
                        @side_get $V trace cursor [$($f),*] $($Side)?
                    ),)*
                }
            }

            /// Shows `visitor` every field — the event's own, then its side
            /// fields (`side` must be this event's) — in row order, each with
            /// its JSON key.
            pub(crate) fn visit_fields<V: $crate::trace::codec::FieldVisitor>(&self, side: &Side<'_>, visitor: &mut V) {
                match *self {
                    $(Event::$V { $($f),* } => {
                        $(visitor.field($crate::trace::table::event_table!(@key $f $($key)?), &$f, false);)*
                        $(
                            let Side::$V($Side { $($sf),* }) = side else {
                                unreachable!(concat!("the side of `", stringify!($V), "` is a `", stringify!($Side), "`"))
                            };
                            $(visitor.field(stringify!($sf), $sf, true);)*
                        )?
                    })*
                }
            }

            /// An event of `kind` and its side fields, read from a JSON line.
            pub(crate) fn read_json<'s>(
                kind: EventKind,
                fields: &'s $crate::trace::codec::Fields,
            ) -> Result<(Event, Side<'s>), String> {
                use $crate::trace::codec::ReadField;
                Ok(match kind {
                    $(EventKind::$V => (
                        Event::$V {
                            $($f: ReadField::read(fields, $crate::trace::table::event_table!(@key $f $($key)?))?,)*
                        },
                        $crate::trace::table::event_table!(@side_read $V fields $($Side { $($sf),* })?),
                    ),)*
                })
            }
        }

        impl $crate::trace::Trace {
            /// Records an event read from a file, after checking it against
            /// the trace so far: a `creates` id must be the next one, every
            /// other id must exist. Side fields go to the side tables.
            pub(crate) fn apply(
                &mut self,
                event: Event,
                side: Side<'_>,
                names: &mut $crate::trace::NameIds,
            ) -> Result<(), String> {
                use $crate::trace::codec::Field;
                let trace = self;
                match event {
                    $(Event::$V { $($f),* } => {
                        $($crate::trace::codec::check_new($c, trace)?;)?
                        $crate::trace::table::event_table!(
                            @side_apply trace names side $V [$($f),*] $($Side { $($sf),* })?
                        );
                        $(Field::check(&$f, trace)?;)*
                    })*
                }
                trace.push(event);
                Ok(())
            }
        }

        #[cfg(test)]
        impl EventKind {
            /// The fields of this kind's JSON lines, in order, with their
            /// fingerprint layout. (`'s` is the lifetime the side fields' types name.)
            #[allow(clippy::extra_unused_lifetimes)]
            pub(crate) fn fields<'s>(self) -> Vec<$crate::trace::FieldInfo> {
                use $crate::trace::FieldInfo;
                match self {
                    $(EventKind::$V => vec![
                        $(FieldInfo::of::<$fty>($crate::trace::table::event_table!(@key $f $($key)?), false),)*
                        $($(FieldInfo::of::<$sfty>(stringify!($sf), true),)*)?
                    ],)*
                }
            }

            /// An event of this kind and its side fields, field number `i`
            /// (in [`EventKind::fields`] order) taking its sample `pick(i)`.
            /// With `within`, ids and times are valid in that trace and a
            /// `creates` id is the next one; without, ids take edge values.
            pub(crate) fn sample(
                self,
                pick: &dyn Fn(usize) -> usize,
                within: Option<&$crate::trace::Trace>,
            ) -> (Event, Side<'static>) {
                use $crate::trace::Sample;
                let mut position = 0;
                let mut next = || {
                    position += 1;
                    pick(position - 1)
                };
                match self {
                    $(EventKind::$V => {
                        $(let $f: $fty = Sample::sample(next(), within);)*
                        $(let $c = within.map_or($c, $crate::trace::codec::next_id);)?
                        let side = $crate::trace::table::event_table!(
                            @side_sample $V next within $($Side { $($sf),* })?
                        );
                        (Event::$V { $($f),* }, side)
                    })*
                }
            }
        }
    };

    (@key $f:ident) => { stringify!($f) };
    (@key $f:ident $key:literal) => { $key };

    (@about) => { None };
    (@about $s:ident) => { $crate::trace::codec::Subject::subject($s) };

    (@clock) => { None };
    (@clock $k:ident) => { Some($k) };

    (@side_get $V:ident $trace:ident $cursor:ident [$($f:ident),*]) => {{
        let _ = ($($f,)* &$trace, &$cursor);
        Side::None
    }};
    (@side_get $V:ident $trace:ident $cursor:ident [$($f:ident),*] $Side:ident) => {
        Side::$V($Side::get($trace, $cursor, $($f),*))
    };

    (@side_read $V:ident $fields:ident) => { Side::None };
    (@side_read $V:ident $fields:ident $Side:ident { $($sf:ident),* }) => {
        Side::$V($Side { $($sf: ReadField::read($fields, stringify!($sf))?,)* })
    };

    (@side_apply $trace:ident $names:ident $side:ident $V:ident [$($f:ident),*]) => {
        debug_assert!(matches!($side, Side::None), "an event without side fields");
    };
    (@side_apply $trace:ident $names:ident $side:ident $V:ident [$($f:ident),*] $Side:ident { $($sf:ident),* }) => {
        let Side::$V(side) = $side else {
            unreachable!(concat!("the side of `", stringify!($V), "` is a `", stringify!($Side), "`"))
        };
        $(Field::check(&side.$sf, $trace)?;)*
        side.store($trace, $names, $($f),*)?;
    };

    (@side_sample $V:ident $next:ident $within:ident) => { Side::None };
    (@side_sample $V:ident $next:ident $within:ident $Side:ident { $($sf:ident),* }) => {
        Side::$V($Side { $($sf: Sample::sample($next(), $within),)* })
    };
}
pub(crate) use event_table;
