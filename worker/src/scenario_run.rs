//! A scenario named in a request: its id, mode and parameters, as the page
//! validated them, read again here against the registry.

use serde::{Deserialize, Serialize};
use wakescope::scenarios::{self, Params, Scenario};

/// A scenario and its parameters, as the page validated them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRun {
    pub id: String,
    pub mode: String,
    pub params: Vec<(String, i64)>,
}

impl ScenarioRun {
    /// The registered scenario and its parameters, or why there are none
    /// (no such scenario, a mode or parameter it does not have).
    pub fn resolve(&self) -> Result<(&'static Scenario, Params), String> {
        let scenario = scenarios::find(&self.id).ok_or_else(|| format!("no scenario is called `{}`", self.id))?;
        let values: Vec<(String, String)> = self.params.iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
        let given = values.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let (params, errors) = scenario.params(Some(&self.mode), given);
        match errors.first() {
            Some(e) => Err(e.message.clone()),
            None => Ok((scenario, params)),
        }
    }
}
