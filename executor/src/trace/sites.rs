//! Source locations: where in the program each event was asked for.
//!
//! Task-side calls of the library are `#[track_caller]`, and so are the
//! `poll` methods of its futures — the compiler passes the location of the
//! call, or of the `.await` that polls the future, without a backtrace, on
//! every target. The trace keeps the distinct locations once, in a table,
//! and beside the events a sorted list of (event index, location): an event
//! without a location costs nothing, one with a location 8 bytes.
//!
//! Which events carry one:
//! - `spawned`: the `spawn` call;
//! - `poll_ended` with `pending`: where the task now waits — the `.await` of
//!   the innermost library future that returned `Pending` last in that poll;
//! - `resource`: the operation's call or `.await`;
//! - `timer_armed`: the `.await` of the sleep (or timeout) that armed it;
//! - `worked`, `check_failed`, `linked`, `exit_killed` (by `kill`): the call;
//! - `panicked`, when the task asked for it with `panic_task` (an unwinding
//!   panic passes no location);
//! - `printed`: the `println!`.
//!
//! **Locations are not part of the fingerprint.** A location names a file as
//! the compiler was given it — relative to the workspace for its own crates,
//! absolute for others — so it depends on where the program was built, and
//! the page's interpreter names its program differently from a compiled
//! copy of it. The fingerprint says what the run did; locations say where
//! the program said it. They are written in `.jsonl` as an `"at"` field
//! (`"at":"src/main.rs:14:9"`) and read back.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::Location;

use super::chunked::Chunked;

/// Distinct locations a trace holds. Past it, events are recorded without a
/// location, and a file with more is refused.
pub const SITES_MAX: u32 = 1 << 20;
/// Longest file name of a location, in bytes.
pub const SITE_FILE_BYTES_MAX: usize = 1024;

/// A place in a source file: file, line and column, from 1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub file: Box<str>,
    pub line: u32,
    pub column: u32,
}

impl Site {
    /// The location of a call, as the compiler passes it.
    pub fn of(location: &Location<'_>) -> Site {
        Site {
            file: location.file().into(),
            line: location.line(),
            column: location.column(),
        }
    }

    /// Reads `file:line:column`; every problem is a sentence.
    pub fn parse(text: &str) -> Result<Site, String> {
        let mut parts = text.rsplitn(3, ':');
        let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("`{text}` is not a location; expected `file:line:column`"));
        };
        let number = |what: &str, s: &str| match s.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("the {what} of location `{text}` is not a number from 1")),
        };
        let (line, column) = (number("line", line)?, number("column", column)?);
        if file.is_empty() {
            return Err(format!("location `{text}` names no file"));
        }
        if file.len() > SITE_FILE_BYTES_MAX {
            return Err(format!(
                "the file name of a location is {} bytes; the limit is {SITE_FILE_BYTES_MAX}",
                file.len()
            ));
        }
        Ok(Site {
            file: file.into(),
            line,
            column,
        })
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An interned location: its index in the trace's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteId(pub u32);

/// Slots of the cache in front of the table, by the address of a `Location`.
const CACHE_SLOTS: usize = 16;

/// The location table and the events' locations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sites {
    table: Vec<Site>,
    ids: BTreeMap<Site, u32>,
    /// Recently interned `Location`s by address: a loop's calls skip the map.
    cache: [(usize, u32); CACHE_SLOTS],
    /// (event index, site id), by ascending index; in chunks, like the
    /// events, so growing never copies (or doubles) what is there.
    of_events: Chunked<(u32, u32)>,
}

impl Sites {
    /// The id of `site`, a new one the first time; `None` past [`SITES_MAX`].
    pub(crate) fn intern(&mut self, site: Site) -> Option<SiteId> {
        if let Some(&id) = self.ids.get(&site) {
            return Some(SiteId(id));
        }
        if self.table.len() as u32 >= SITES_MAX {
            return None;
        }
        let id = self.table.len() as u32;
        self.ids.insert(site.clone(), id);
        self.table.push(site);
        Some(SiteId(id))
    }

    /// The id of a compiler-given location.
    pub(crate) fn intern_location(&mut self, location: &'static Location<'static>) -> Option<SiteId> {
        let address = std::ptr::from_ref(location) as usize;
        let slot = (address >> 3) % CACHE_SLOTS;
        let (cached, id) = self.cache[slot];
        // Id 0 with address 0 is the empty slot; a real location is never at 0.
        if cached == address && address != 0 {
            return Some(SiteId(id));
        }
        let id = self.intern(Site::of(location))?;
        self.cache[slot] = (address, id.0);
        Some(id)
    }

    /// The table without the events' locations, for a trace that continues
    /// this one: ids the run holds keep naming the same places.
    pub(crate) fn continuation(&self) -> Sites {
        Sites {
            table: self.table.clone(),
            ids: self.ids.clone(),
            cache: self.cache,
            of_events: Chunked::default(),
        }
    }

    pub(crate) fn get(&self, id: SiteId) -> Option<&Site> {
        self.table.get(id.0 as usize)
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Records that event `index` (the latest) happened at `site`.
    pub(crate) fn attach(&mut self, index: usize, site: SiteId) {
        debug_assert!(
            self.of_events.is_empty()
                || self
                    .of_events
                    .get(self.of_events.len() - 1)
                    .is_some_and(|&(i, _)| (i as usize) < index)
        );
        self.of_events.push((index as u32, site.0));
    }

    /// The location of event `index`, if it has one.
    pub(crate) fn of_event(&self, index: usize) -> Option<SiteId> {
        let index = u32::try_from(index).ok()?;
        // Binary search over the chunks' entries, ascending by event index.
        let (mut low, mut high) = (0, self.of_events.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let &(i, site) = self.of_events.get(mid).expect("mid is below the length");
            match i.cmp(&index) {
                std::cmp::Ordering::Equal => return Some(SiteId(site)),
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
            }
        }
        None
    }

    /// Events with a location.
    pub(crate) fn located(&self) -> usize {
        self.of_events.len()
    }

    /// Bytes held, for the memory report.
    pub(crate) fn heap_bytes(&self) -> usize {
        let table: usize = self.table.iter().map(|s| size_of::<Site>() + s.file.len()).sum();
        table * 2 + self.of_events.capacity() * size_of::<(u32, u32)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_prints_and_parses_back() {
        let site = Site::parse("src/main.rs:14:9").unwrap();
        assert_eq!((site.file.as_ref(), site.line, site.column), ("src/main.rs", 14, 9));
        assert_eq!(site.to_string(), "src/main.rs:14:9");
        // Colons in the file name stay in it (a Windows path, say).
        assert_eq!(&*Site::parse(r"C:\x\a.rs:1:2").unwrap().file, r"C:\x\a.rs");
    }

    #[test]
    fn bad_locations_are_refused_with_a_reason() {
        assert!(
            Site::parse("main.rs")
                .unwrap_err()
                .contains("expected `file:line:column`")
        );
        assert!(Site::parse("main.rs:0:1").unwrap_err().contains("line"));
        assert!(Site::parse("main.rs:1:x").unwrap_err().contains("column"));
        assert!(Site::parse(":1:1").unwrap_err().contains("names no file"));
        let long = format!("{}:1:1", "a".repeat(SITE_FILE_BYTES_MAX + 1));
        assert!(Site::parse(&long).unwrap_err().contains("the limit is"));
    }

    #[test]
    fn a_location_is_interned_once_and_events_find_theirs() {
        let mut sites = Sites::default();
        let here = Location::caller();
        let a = sites.intern_location(here).unwrap();
        assert_eq!(sites.intern_location(here), Some(a), "cached");
        assert_eq!(sites.intern(Site::of(here)), Some(a), "same text, same id");
        let b = sites.intern(Site::parse("other.rs:1:1").unwrap()).unwrap();
        assert_ne!(a, b);
        sites.attach(3, a);
        sites.attach(7, b);
        assert_eq!(sites.of_event(3), Some(a));
        assert_eq!(sites.of_event(7), Some(b));
        assert_eq!(sites.of_event(5), None);
        assert_eq!(sites.get(b).unwrap().to_string(), "other.rs:1:1");
    }
}
