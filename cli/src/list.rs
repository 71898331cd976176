//! `wakescope list`: every registered scenario with its question, modes and parameters.

use wakescope::scenarios;

pub fn list() -> String {
    let mut out = String::new();
    for scenario in scenarios::registry() {
        out.push_str(&format!("{}  {}\n", scenario.id, scenario.title));
        out.push_str(&format!("  {}\n", scenario.question));
        for (i, mode) in scenario.modes.iter().enumerate() {
            let label = if i == 0 { "modes:" } else { "" };
            let default = if i == 0 { " (default)" } else { "" };
            out.push_str(&format!("  {label:<7} {}{default}: {}\n", mode.id, mode.about));
        }
        let name_width = scenario.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for (i, p) in scenario.params.iter().enumerate() {
            let label = if i == 0 { "params:" } else { "" };
            let unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", p.unit)
            };
            out.push_str(&format!(
                "  {label:<7} {:<name_width$}  {}: default {}{unit}, from {} to {}{unit}\n",
                p.name, p.label, p.default, p.min, p.max
            ));
        }
        out.push('\n');
    }
    out.push_str("Run one with `wakescope run <scenario> [--mode M] [--param name=value]...`.\n");
    out
}
