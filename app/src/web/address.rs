//! The address bar: writing the view into it.
//!
//! The session says what the address is ([`Address::write`] takes the query);
//! this controller says when it is written. Stepping replaces the current
//! history entry, at most every [`URL_REPLACE_EVERY_MS`] (browsers throttle
//! history calls), with a trailing write so the last step always lands;
//! changing what is run pushes a new entry. Every change of history entry
//! (a push, back or forward) bumps an epoch, so a trailing write meant for
//! one entry never lands on another.

use leptos::prelude::*;

use super::browser::{self, HistoryMode};

/// Least time between two address updates while stepping fast.
const URL_REPLACE_EVERY_MS: f64 = 250.0;

/// The address bookkeeping; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Address {
    /// When the address was last written, from `performance.now()`.
    last_write_ms: StoredValue<f64>,
    /// A trailing write is scheduled.
    trailing: StoredValue<bool>,
    /// Bumped whenever the history entry changes.
    epoch: StoredValue<u64>,
    /// Origin and path of the page, for the shareable link.
    base_url: StoredValue<String>,
}

impl Address {
    /// Bookkeeping for the page's address.
    pub fn new() -> Address {
        Address {
            last_write_ms: StoredValue::new(0.0),
            trailing: StoredValue::new(false),
            epoch: StoredValue::new(0),
            base_url: StoredValue::new(browser::base_url()),
        }
    }

    /// Origin and path of the page: a shareable link is this plus the query.
    pub fn base_url(&self) -> String {
        self.base_url.get_value()
    }

    /// The history entry is about to change (or just did): a trailing write
    /// scheduled for the old one must not land.
    pub(super) fn new_entry(&self) {
        self.epoch.update_value(|e| *e += 1);
    }

    /// Writes `query` (starting with `?`) now.
    pub(super) fn write(&self, query: &str, mode: HistoryMode) {
        browser::set_query(query, mode);
        self.last_write_ms.set_value(browser::now_ms());
    }

    /// Replaces the address with `query()` (`None`: leave it), at most every
    /// [`URL_REPLACE_EVERY_MS`], with a trailing write so the last step always
    /// lands; the trailing write asks `query` again when it is due.
    pub(super) fn replace_soon(&self, query: impl Fn() -> Option<String> + 'static) {
        let since_ms = browser::now_ms() - self.last_write_ms.get_value();
        if since_ms >= URL_REPLACE_EVERY_MS {
            if let Some(query) = query() {
                self.write(&query, HistoryMode::Replace);
            }
        } else if !self.trailing.get_value() {
            self.trailing.set_value(true);
            let address = *self;
            let epoch = self.epoch.get_value();
            set_timeout(
                move || {
                    address.trailing.set_value(false);
                    if address.epoch.get_value() == epoch
                        && let Some(query) = query()
                    {
                        address.write(&query, HistoryMode::Replace);
                    }
                },
                std::time::Duration::from_millis((URL_REPLACE_EVERY_MS - since_ms).max(0.0) as u64 + 1),
            );
        }
    }
}
