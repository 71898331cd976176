//! The address bar: writing the view into it.
//!
//! Stepping replaces the current history entry, at most every
//! [`URL_REPLACE_EVERY_MS`] (browsers throttle history calls) with a trailing
//! write so the last step always lands. A new entry is pushed by
//! [`Session::change_setup`]. Every history change bumps an epoch, so a
//! trailing write meant for one entry never lands on another.

use leptos::prelude::*;

use super::browser::{self, HistoryMode};
use super::session::Session;
use crate::url;

/// Least time between two address updates while stepping fast.
const URL_REPLACE_EVERY_MS: f64 = 250.0;

/// Address bookkeeping for throttled updates.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct UrlSync {
    last_ms: f64,
    trailing: bool,
}

impl Session {
    /// The query string of the view on screen.
    pub fn query(&self) -> String {
        let setup = self.setup.get_untracked();
        url::format(setup.scenario, &setup.params, setup.seed, self.step.get_untracked())
    }

    /// Writes the address now.
    pub(super) fn write_address(&self, mode: HistoryMode) {
        // An imported trace has no address: the one shown stays as it was.
        if self.imported.with_untracked(Option::is_some) {
            return;
        }
        browser::set_query(&self.query(), mode);
        self.url_sync.update_value(|s| s.last_ms = browser::now_ms());
    }

    /// Replaces the address, at most every [`URL_REPLACE_EVERY_MS`] (browsers
    /// throttle history calls), with a trailing write so the last step always lands.
    pub(super) fn replace_address_soon(&self) {
        let sync = self.url_sync.get_value();
        let since = browser::now_ms() - sync.last_ms;
        if since >= URL_REPLACE_EVERY_MS {
            self.write_address(HistoryMode::Replace);
        } else if !sync.trailing {
            self.url_sync.update_value(|s| s.trailing = true);
            let session = *self;
            let epoch = self.url_epoch.get_value();
            set_timeout(
                move || {
                    session.url_sync.update_value(|s| s.trailing = false);
                    if session.url_epoch.get_value() == epoch {
                        session.write_address(HistoryMode::Replace);
                    }
                },
                std::time::Duration::from_millis((URL_REPLACE_EVERY_MS - since).max(0.0) as u64 + 1),
            );
        }
    }
}
