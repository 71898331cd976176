//! The wait-for graph of a deadlocked run, ready to list and draw.
//!
//! The executor reports a deadlock as the tasks left blocked, what each
//! waits on (a resource, or a task it joins), who could unblock it
//! (`waits_for`: the lock's holder, the channel's peer, the joined task) and
//! the cycles among them ([`wakescope::Deadlock`]). [`DeadlockView`] turns
//! that into rows with names and a small graph: tasks and the resources they
//! wait on placed on a circle, arrows task → resource → the task that could
//! release it (task → task for joins), edges along a cycle marked.

use wakescope::{Deadlock, ResourceOp, TaskId};

use wakescope::describe::kind_word;

/// Blocked tasks listed; the rest are counted.
pub const BLOCKED_ROWS_MAX: usize = 50;
/// The most nodes the graph draws; past that only the lists are shown.
pub const GRAPH_NODES_MAX: usize = 24;
/// Node radius in the graph's units.
pub const NODE_RADIUS: f64 = 18.0;

/// One blocked task.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockedRow {
    pub task: u32,
    pub name: String,
    /// What it waits on, in words: `lock "m1"`, `channel "window" (full)`, `join #2`.
    pub waits_on: String,
    /// The resource's id, when it waits on one.
    pub resource: Option<u32>,
    /// Tasks holding that resource.
    pub holders: Vec<(u32, String)>,
    /// Tasks that could unblock it.
    pub waits_for: Vec<(u32, String)>,
    /// True when it is on a wait-for cycle.
    pub in_cycle: bool,
}

/// A graph node: a task or a resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// `task` or a resource kind word.
    pub kind: &'static str,
    /// The task or resource id.
    pub id: u32,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub in_cycle: bool,
}

/// An arrow between two nodes, shortened to end at their rims.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub in_cycle: bool,
}

/// The deadlock as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadlockView {
    pub blocked: Vec<BlockedRow>,
    pub blocked_hidden: usize,
    /// Each cycle's task ids and its sentence (`Deadlock::describe_cycle`).
    pub cycles: Vec<(Vec<u32>, String)>,
    /// Empty when there are more than [`GRAPH_NODES_MAX`] nodes.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The graph's view box side.
    pub size: f64,
}

fn wait_suffix(op: ResourceOp) -> &'static str {
    match op {
        ResourceOp::BlockedOnFull => " (full)",
        ResourceOp::BlockedOnEmpty => " (empty)",
        _ => "",
    }
}

impl DeadlockView {
    /// The view of `deadlock`.
    pub fn new(deadlock: &Deadlock) -> DeadlockView {
        let name = |t: TaskId| deadlock.task(t).map_or_else(|| format!("#{}", t.0), |b| b.name.clone());
        // An edge a → b lies on a cycle when b follows a in one.
        let on_cycle = |a: TaskId, b: TaskId| {
            deadlock
                .cycles
                .iter()
                .any(|c| c.iter().enumerate().any(|(i, t)| *t == a && c[(i + 1) % c.len()] == b))
        };
        let in_any_cycle = |t: TaskId| deadlock.cycles.iter().any(|c| c.contains(&t));
        let blocked = deadlock
            .blocked
            .iter()
            .take(BLOCKED_ROWS_MAX)
            .map(|b| BlockedRow {
                task: b.task.0,
                name: b.name.clone(),
                waits_on: match (&b.waiting_on, b.joining) {
                    (Some(w), _) => format!("{} \"{}\"{}", kind_word(w.kind), w.name, wait_suffix(w.op)),
                    (None, Some(j)) => format!("join {} #{}", name(j), j.0),
                    _ => "something the executor does not track".to_string(),
                },
                resource: b.waiting_on.as_ref().map(|w| w.resource.0),
                holders: b
                    .waiting_on
                    .as_ref()
                    .map_or_else(Vec::new, |w| w.holders.iter().map(|h| (h.0, name(*h))).collect()),
                waits_for: b.waits_for.iter().map(|t| (t.0, name(*t))).collect(),
                in_cycle: in_any_cycle(b.task),
            })
            .collect();
        let cycles = deadlock
            .cycles
            .iter()
            .map(|c| (c.iter().map(|t| t.0).collect(), deadlock.describe_cycle(c)))
            .collect();
        let (nodes, edges, size) = graph(deadlock, &on_cycle, &in_any_cycle);
        DeadlockView {
            blocked,
            blocked_hidden: deadlock.blocked.len().saturating_sub(BLOCKED_ROWS_MAX),
            cycles,
            nodes,
            edges,
            size,
        }
    }
}

type Graph = (Vec<Node>, Vec<Edge>, f64);

/// Nodes on a circle (blocked tasks, each followed by the resource it waits
/// on, then holders not yet placed) and the arrows between them.
fn graph(deadlock: &Deadlock, on_cycle: &dyn Fn(TaskId, TaskId) -> bool, in_cycle: &dyn Fn(TaskId) -> bool) -> Graph {
    // Keys: (is_resource, id).
    let mut keys: Vec<(bool, u32, &'static str, String, bool)> = Vec::new();
    let place = |keys: &mut Vec<(bool, u32, &'static str, String, bool)>,
                 key: (bool, u32, &'static str, String, bool)| {
        if !keys.iter().any(|k| k.0 == key.0 && k.1 == key.1) {
            keys.push(key);
        }
    };
    for b in &deadlock.blocked {
        place(
            &mut keys,
            (
                false,
                b.task.0,
                "task",
                format!("{} #{}", b.name, b.task.0),
                in_cycle(b.task),
            ),
        );
        if let Some(w) = &b.waiting_on {
            let cyc = b.waits_for.iter().any(|t| on_cycle(b.task, *t));
            place(&mut keys, (true, w.resource.0, kind_word(w.kind), w.name.clone(), cyc));
        }
        for t in &b.waits_for {
            let label = deadlock
                .task(*t)
                .map_or_else(|| format!("#{}", t.0), |x| format!("{} #{}", x.name, t.0));
            place(&mut keys, (false, t.0, "task", label, in_cycle(*t)));
        }
    }
    if keys.len() > GRAPH_NODES_MAX || keys.is_empty() {
        return (Vec::new(), Vec::new(), 0.0);
    }
    let n = keys.len() as f64;
    let radius = (NODE_RADIUS * 2.2 * n / std::f64::consts::TAU).max(60.0);
    let margin = NODE_RADIUS + 70.0;
    let size = 2.0 * (radius + margin);
    // Round the circle from the top, a turn of TAU / n at a time.
    let (turn_cos, turn_sin) = cos_sin(std::f64::consts::TAU / n);
    let mut at = (0.0f64, -1.0f64);
    let nodes: Vec<Node> = keys
        .into_iter()
        .map(|(_, id, kind, label, in_cycle)| {
            let (c, s) = at;
            at = (c * turn_cos - s * turn_sin, c * turn_sin + s * turn_cos);
            Node {
                kind,
                id,
                label,
                x: size / 2.0 + radius * c,
                y: size / 2.0 + radius * s,
                in_cycle,
            }
        })
        .collect();
    let find = |is_res: bool, id: u32| nodes.iter().find(|n| (n.kind != "task") == is_res && n.id == id);
    let mut edges = Vec::new();
    let mut arrow = |a: Option<&Node>, b: Option<&Node>, in_cycle: bool| {
        let (Some(a), Some(b)) = (a, b) else { return };
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let cut = NODE_RADIUS + 3.0;
        edges.push(Edge {
            x1: a.x + ux * cut,
            y1: a.y + uy * cut,
            x2: b.x - ux * cut,
            y2: b.y - uy * cut,
            in_cycle,
        });
    };
    for b in &deadlock.blocked {
        let from = find(false, b.task.0);
        match &b.waiting_on {
            Some(w) => {
                let res = find(true, w.resource.0);
                arrow(from, res, b.waits_for.iter().any(|t| on_cycle(b.task, *t)));
                for t in &b.waits_for {
                    arrow(res, find(false, t.0), on_cycle(b.task, *t));
                }
            }
            None => {
                for t in &b.waits_for {
                    arrow(from, find(false, t.0), on_cycle(b.task, *t));
                }
            }
        }
    }
    (nodes, edges, size)
}

/// `(cos x, sin x)` for `0 ≤ x ≤ 2π` by their series (about 1e-15 off):
/// the graph's one use of trigonometry, which would otherwise link the
/// library's argument reduction (5 KiB of wasm) into the page.
fn cos_sin(x: f64) -> (f64, f64) {
    // Halve until small, then double back: cos 2a = c² − s², sin 2a = 2cs.
    let mut halvings = 0;
    let mut a = x;
    while a > 0.5 {
        a /= 2.0;
        halvings += 1;
    }
    let (mut c, mut s) = (0.0, 0.0);
    let mut term = 1.0;
    for k in 0..18 {
        if k % 2 == 0 {
            c += if k % 4 == 0 { term } else { -term };
        } else {
            s += if k % 4 == 1 { term } else { -term };
        }
        term *= a / f64::from(k + 1);
    }
    for _ in 0..halvings {
        (c, s) = (c * c - s * s, 2.0 * c * s);
    }
    (c, s)
}

#[cfg(test)]
mod tests {
    use super::cos_sin;

    #[test]
    fn the_series_agree_with_the_library_round_the_circle() {
        for i in 0..=1_000 {
            let x = std::f64::consts::TAU * f64::from(i) / 1_000.0;
            let (c, s) = cos_sin(x);
            assert!(
                (c - x.cos()).abs() < 1e-12 && (s - x.sin()).abs() < 1e-12,
                "{x}: {c} {s}"
            );
        }
    }
}
