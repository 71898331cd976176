//! The module layout check: within a crate, no source file imports itself
//! through others.
//!
//! Each `.rs` file under a crate's `src/` holds a module (`sync/mod.rs` is
//! `sync`, `sync/mutex.rs` is `sync::mutex`). A file depends on another when
//! its code names something there: a `use`, or a path such as
//! `crate::trace::Event` in a type or an expression. Paths are followed
//! through re-exports to the file that defines the item, so `crate::Sim` is a
//! dependency on `sim.rs`, not on `lib.rs`.
//!
//! A module with everything below it is one unit, and cycles are looked for
//! among siblings: `sync::mutex` using `sim` is an edge from `sync` to `sim`
//! at the top level, and from `mutex` to nothing inside `sync`. A module's own
//! file and its children may use each other (`mod.rs` is the glue of its
//! directory), so an edge between a module and its descendant is not one.
//! Everything else is: every `use` (a re-export of a sibling's item too) and
//! the code under `#[cfg(test)]`. Doc comments are not code, and macro
//! bodies are token streams and are not read.
//!
//! Each cycle is reported as the sibling modules in order, with the path that
//! makes each step: ``context → core (`crate::core::Core` in context.rs) → context (…)``.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

/// A module's path from the crate root: `[]` for `lib.rs`, `["sync", "mutex"]`.
type ModPath = Vec<String>;

/// How deep a chain of re-exports is followed before giving up.
const REEXPORT_DEPTH_MAX: usize = 16;

/// What one module declares, for resolving paths into it.
#[derive(Default, Debug)]
struct Module {
    /// The file it lives in, relative to `src/`.
    file: String,
    /// Names of items defined here.
    items: BTreeSet<String>,
    /// Re-exports by the name they give: the path they name, from this module.
    aliases: BTreeMap<String, Vec<String>>,
    /// Glob re-exports (`pub use x::*`): the paths, from this module.
    globs: Vec<Vec<String>>,
}

/// The file-level module graph of one crate.
pub struct Graph {
    modules: BTreeMap<ModPath, Module>,
    /// Dependencies between sibling modules, each with its first reason: the
    /// path as written and the file it is written in.
    edges: BTreeMap<ModPath, BTreeMap<ModPath, (String, String)>>,
}

/// Every top-level module of `src` (as `name.rs` or `name/`) that `text`
/// does not mention in backticks: a module map missing a row.
pub fn unlisted_modules(files: &[(String, String)], text: &str) -> Vec<String> {
    let mut tops: BTreeSet<String> = BTreeSet::new();
    for (file, _) in files {
        let module = module_of(file);
        if let Some(top) = module.first() {
            let dir = file.contains('/');
            tops.insert(if dir { format!("{top}/") } else { format!("{top}.rs") });
        }
    }
    tops.into_iter().filter(|m| !text.contains(&format!("`{m}`"))).collect()
}

/// Checks that `readme` lists every top-level module of `krate`'s `src/`.
pub fn check_module_map(root: &Path, krate: &str, readme: &str) -> Result<(), String> {
    let files = read_sources(&root.join(krate).join("src"))?;
    let text = std::fs::read_to_string(root.join(readme)).map_err(|e| format!("cannot read {readme}: {e}"))?;
    let missing = unlisted_modules(&files, &text);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{readme}'s module map does not list {} of {krate}/src",
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        ))
    }
}

/// Checks each crate's `src/` under `root`; the error lists every cycle found.
pub fn check(root: &Path, crates: &[&str]) -> Result<String, String> {
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for name in crates {
        let src = root.join(name).join("src");
        let files = read_sources(&src)?;
        let graph = Graph::build(&files)?;
        let cycles = graph.cycles();
        summary.push(format!(
            "{name}: {} files, {} edges",
            graph.modules.len(),
            graph.edge_count()
        ));
        for cycle in cycles {
            let group = graph.group_of(&cycle[0]);
            let mut line = format!("{name}/src: {}", graph.describe(&cycle));
            if group.len() + 1 > cycle.len() {
                let names: Vec<String> = group.iter().map(|m| m.join("::")).collect();
                line.push_str(&format!("\n    (all of {} are in one circle)", names.join(", ")));
            }
            problems.push(line);
        }
    }
    if problems.is_empty() {
        Ok(summary.join("; "))
    } else {
        Err(format!(
            "modules that import each other in a circle:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// Every `.rs` file under `src`, as (path relative to `src` with `/`, text),
/// in path order. A crate with a `lib.rs` leaves out `main.rs` and `bin/`:
/// those are separate crates that use the library by name.
fn read_sources(src: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src)
                    .expect("under src")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text =
                    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                out.push((rel, text));
            }
        }
    }
    let has_lib = out.iter().any(|(p, _)| p == "lib.rs");
    if has_lib {
        out.retain(|(p, _)| p != "main.rs" && !p.starts_with("bin/"));
    }
    out.sort();
    Ok(out)
}

/// The module a file holds: `lib.rs`/`main.rs` → root, `a/mod.rs` → `a`, `a/b.rs` → `a::b`.
fn module_of(file: &str) -> ModPath {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod")) {
        parts.pop();
    }
    if parts.len() == 1 && matches!(parts[0].as_str(), "lib" | "main") {
        parts.clear();
    }
    parts
}

/// A `use` tree flattened: each leaf as (path, the name it binds, or `None` for a glob).
fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                out.push((prefix.clone(), prefix.last().cloned()));
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                out.push((path, Some(name)));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, out);
            }
        }
    }
}

/// First pass: each module's items and re-exports, inline `mod` blocks included.
fn declare(modules: &mut BTreeMap<ModPath, Module>, file: &str, module: &ModPath, items: &[syn::Item]) {
    modules.entry(module.clone()).or_default().file = file.to_string();
    for item in items {
        let name = match item {
            syn::Item::Const(i) => Some(i.ident.to_string()),
            syn::Item::Enum(i) => Some(i.ident.to_string()),
            syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
            syn::Item::Static(i) => Some(i.ident.to_string()),
            syn::Item::Struct(i) => Some(i.ident.to_string()),
            syn::Item::Trait(i) => Some(i.ident.to_string()),
            syn::Item::Type(i) => Some(i.ident.to_string()),
            syn::Item::Union(i) => Some(i.ident.to_string()),
            syn::Item::Macro(i) => i.ident.as_ref().map(|i| i.to_string()),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let mut child = module.clone();
                    child.push(m.ident.to_string());
                    declare(modules, file, &child, inner);
                }
                None
            }
            syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited) => {
                let mut leaves = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut leaves);
                let entry = modules.get_mut(module).expect("declared above");
                for (path, name) in leaves {
                    match name {
                        Some(name) => {
                            entry.aliases.insert(name, path);
                        }
                        None => entry.globs.push(path),
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(name) = name {
            modules.get_mut(module).expect("declared above").items.insert(name);
        }
    }
}

impl Graph {
    /// Builds the graph from a crate's files (paths relative to `src/`).
    pub fn build(files: &[(String, String)]) -> Result<Graph, String> {
        let mut parsed = Vec::new();
        for (file, text) in files {
            let ast = syn::parse_file(text).map_err(|e| {
                let at = e.span().start();
                format!("{file}:{}:{}: cannot parse: {e}", at.line, at.column + 1)
            })?;
            parsed.push((file.clone(), module_of(file), ast));
        }
        let mut modules = BTreeMap::new();
        for (file, module, ast) in &parsed {
            declare(&mut modules, file, module, &ast.items);
        }
        let mut graph = Graph {
            modules,
            edges: BTreeMap::new(),
        };
        for (_, module, ast) in &parsed {
            let mut found = Vec::new();
            let mut walker = Walker {
                module: module.clone(),
                found: &mut found,
            };
            for item in &ast.items {
                walker.visit_item(item);
            }
            for (from, path) in found {
                let Some(to) = graph.resolve(&from, &path, 0) else {
                    continue;
                };
                let (from_file, to_file) = (graph.file_of(&from), graph.file_of(&to));
                let (a, b) = (module_of(&from_file), module_of(&to_file));
                let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
                if common == a.len() || common == b.len() {
                    continue; // the same module, or a module and its descendant
                }
                graph
                    .edges
                    .entry(a[..=common].to_vec())
                    .or_default()
                    .entry(b[..=common].to_vec())
                    .or_insert_with(|| (path.join("::"), from_file.clone()));
            }
        }
        Ok(graph)
    }

    fn edge_count(&self) -> usize {
        self.edges.values().map(BTreeMap::len).sum()
    }

    fn file_of(&self, module: &ModPath) -> String {
        self.modules.get(module).map(|m| m.file.clone()).unwrap_or_default()
    }

    /// The module a path written in `from` lands in, or `None` when it leaves the crate.
    fn resolve(&self, from: &ModPath, path: &[String], depth: usize) -> Option<ModPath> {
        if depth > REEXPORT_DEPTH_MAX || path.is_empty() {
            return None;
        }
        let (mut current, mut rest) = match path[0].as_str() {
            "crate" => (Vec::new(), &path[1..]),
            "self" => (from.clone(), &path[1..]),
            "super" => {
                let mut m = from.clone();
                let mut rest = path;
                while rest.first().is_some_and(|s| s == "super") {
                    m.pop()?;
                    rest = &rest[1..];
                }
                (m, rest)
            }
            first => {
                let mut child = from.clone();
                child.push(first.to_string());
                if self.modules.contains_key(&child) {
                    (from.clone(), path)
                } else {
                    return None;
                }
            }
        };
        while let Some(seg) = rest.first() {
            let mut child = current.clone();
            child.push(seg.clone());
            if self.modules.contains_key(&child) {
                current = child;
                rest = &rest[1..];
                continue;
            }
            let module = self.modules.get(&current)?;
            if module.items.contains(seg) {
                return Some(current);
            }
            if let Some(target) = module.aliases.get(seg) {
                let mut full = target.clone();
                full.extend(rest[1..].iter().cloned());
                return self.resolve(&current, &full, depth + 1).or(Some(current));
            }
            for glob in &module.globs {
                let mut full = glob.clone();
                full.extend(rest.iter().cloned());
                if let Some(to) = self.resolve(&current, &full, depth + 1)
                    && self.defines(&to, &rest[0])
                {
                    return Some(to);
                }
            }
            return Some(current);
        }
        Some(current)
    }

    /// Whether `module` defines or re-exports `name`.
    fn defines(&self, module: &ModPath, name: &str) -> bool {
        self.modules
            .get(module)
            .is_some_and(|m| m.items.contains(name) || m.aliases.contains_key(name))
    }

    /// Each cycle as its modules in order, the first repeated at the end; one per
    /// strongly connected group of files, the shortest through its first module.
    pub fn cycles(&self) -> Vec<Vec<ModPath>> {
        let nodes: Vec<&ModPath> = self.edges.keys().collect();
        let mut out = Vec::new();
        let mut seen: BTreeSet<ModPath> = BTreeSet::new();
        for start in nodes {
            if seen.contains(start) {
                continue;
            }
            if let Some(cycle) = self.shortest_cycle(start) {
                let members: BTreeSet<ModPath> = self.group_of(start);
                seen.extend(members);
                out.push(cycle);
            }
        }
        out
    }

    fn successors(&self, m: &ModPath) -> impl Iterator<Item = &ModPath> {
        self.edges.get(m).into_iter().flat_map(|e| e.keys())
    }

    fn reachable(&self, from: &ModPath) -> BTreeSet<ModPath> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for next in self.successors(&m) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    }

    /// The modules on some cycle with `m` (its strongly connected group).
    fn group_of(&self, m: &ModPath) -> BTreeSet<ModPath> {
        self.reachable(m)
            .into_iter()
            .filter(|other| self.reachable(other).contains(m))
            .collect()
    }

    /// Breadth-first from `start` back to itself.
    fn shortest_cycle(&self, start: &ModPath) -> Option<Vec<ModPath>> {
        let mut parent: BTreeMap<ModPath, ModPath> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        while let Some(m) = queue.pop_front() {
            for next in self.successors(&m) {
                if next == start {
                    let mut back = Vec::new();
                    let mut at = m.clone();
                    while &at != start {
                        let up = parent[&at].clone();
                        back.push(at);
                        at = up;
                    }
                    let mut cycle = vec![start.clone()];
                    cycle.extend(back.into_iter().rev());
                    cycle.push(start.clone());
                    return Some(cycle);
                }
                if !parent.contains_key(next) {
                    parent.insert(next.clone(), m.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        None
    }

    /// ``context → core (`crate::core::Core` in context.rs) → context (`…` in core.rs)``.
    pub fn describe(&self, cycle: &[ModPath]) -> String {
        let mut out = cycle[0].join("::");
        for pair in cycle.windows(2) {
            let (path, file) = &self.edges[&pair[0]][&pair[1]];
            out.push_str(&format!(" → {} (`{path}` in {file})", pair[1].join("::")));
        }
        out
    }
}

/// Second pass: every path the code names, with the module it is written in.
struct Walker<'a> {
    module: ModPath,
    found: &'a mut Vec<(ModPath, Vec<String>)>,
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            // Every `use` is a dependency, a re-export of a sibling's item too.
            syn::Item::Use(u) => {
                let mut leaves = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut leaves);
                for (path, _) in leaves {
                    self.found.push((self.module.clone(), path));
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self.module.push(m.ident.to_string());
                    for i in inner {
                        self.visit_item(i);
                    }
                    self.module.pop();
                }
            }
            _ => syn::visit::visit_item(self, item),
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() > 1 {
            let segs = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.found.push((self.module.clone(), segs));
        }
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> Graph {
        let files: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        Graph::build(&files).unwrap()
    }

    fn cycles(files: &[(&str, &str)]) -> Vec<String> {
        let g = graph(files);
        g.cycles().iter().map(|c| g.describe(c)).collect()
    }

    #[test]
    fn a_direct_cycle_is_found_and_named_with_its_paths() {
        let found = cycles(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::B; pub struct A;"),
            ("b.rs", "pub struct B(crate::a::A);"),
        ]);
        assert_eq!(found, ["a → b (`crate::b::B` in a.rs) → a (`crate::a::A` in b.rs)"]);
    }

    #[test]
    fn a_longer_cycle_is_reported_once_in_order() {
        let found = cycles(&[
            ("lib.rs", "mod a; mod b; mod c;"),
            ("a.rs", "use crate::b::B; pub struct A;"),
            ("b.rs", "use crate::c::C; pub struct B;"),
            ("c.rs", "fn f() -> crate::a::A { todo!() } pub struct C;"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0],
            "a → b (`crate::b::B` in a.rs) → c (`crate::c::C` in b.rs) → a (`crate::a::A` in c.rs)"
        );
    }

    #[test]
    fn a_layered_crate_has_no_cycle() {
        let found = cycles(&[
            ("lib.rs", "mod a; mod b; pub use a::A; pub use b::B;"),
            ("a.rs", "pub struct A;"),
            ("b.rs", "use crate::A; pub struct B(A);"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn paths_are_followed_through_re_exports_to_the_defining_file() {
        // `crate::B` is defined in b.rs: a.rs → b.rs, and b.rs → a.rs closes a cycle.
        let found = cycles(&[
            ("lib.rs", "mod a; mod b; pub use b::*; pub use a::A as Renamed;"),
            ("a.rs", "pub struct A(crate::B);"),
            ("b.rs", "pub struct B; fn f(_: crate::Renamed) {}"),
        ]);
        assert_eq!(found, ["a → b (`crate::B` in a.rs) → a (`crate::Renamed` in b.rs)"]);
    }

    #[test]
    fn a_facade_re_exporting_its_children_is_not_a_cycle() {
        let found = cycles(&[
            ("lib.rs", "pub mod sync;"),
            (
                "sync/mod.rs",
                "mod mutex; pub use mutex::Mutex; pub(crate) struct Waiters;",
            ),
            ("sync/mutex.rs", "use super::Waiters; pub struct Mutex(Waiters);"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_module_and_its_children_may_use_each_other() {
        let found = cycles(&[
            ("lib.rs", "mod trace; fn f() { trace::codec::g(); }"),
            (
                "trace/mod.rs",
                "mod codec; pub const MAX: u32 = 1; fn f() { codec::g(); }",
            ),
            ("trace/codec.rs", "pub fn g() -> u32 { super::MAX + crate::helper() }"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_child_using_a_sibling_of_its_parent_is_an_edge_of_the_parent() {
        // sync::mutex → core, and core → sync: the units `sync` and `core` form a cycle.
        let found = cycles(&[
            ("lib.rs", "mod core; mod sync;"),
            ("core.rs", "pub struct Core(crate::sync::End);"),
            ("sync/mod.rs", "mod mutex; pub struct End;"),
            ("sync/mutex.rs", "fn f(_: &crate::core::Core) {}"),
        ]);
        assert_eq!(
            found,
            ["core → sync (`crate::sync::End` in core.rs) → core (`crate::core::Core` in sync/mutex.rs)"]
        );
    }

    #[test]
    fn doc_comments_and_std_paths_are_not_edges_but_tests_and_re_exports_are() {
        let found = cycles(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "/// Links to [`crate::b::B`].\npub struct A(std::rc::Rc<u8>);"),
            ("b.rs", "pub struct B(crate::a::A);"),
        ]);
        assert!(found.is_empty(), "{found:?}");
        let found = cycles(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "pub struct A;\n#[cfg(test)] mod tests { use crate::b::B; }"),
            ("b.rs", "pub struct B(crate::a::A);"),
        ]);
        assert_eq!(found, ["a → b (`crate::b::B` in a.rs) → a (`crate::a::A` in b.rs)"]);
        let found = cycles(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "pub struct A;\npub use crate::b::B;"),
            ("b.rs", "pub struct B(crate::a::A);"),
        ]);
        assert_eq!(found, ["a → b (`crate::b::B` in a.rs) → a (`crate::a::A` in b.rs)"]);
    }

    #[test]
    fn super_self_and_child_paths_resolve() {
        let found = cycles(&[
            ("lib.rs", "mod x;"),
            ("x/mod.rs", "mod y; mod z; fn f() { y::g(); }"),
            ("x/y.rs", "pub fn g() { self::h(); super::z::Z::new(); } fn h() {}"),
            ("x/z.rs", "pub struct Z; fn k() { super::y::g(); }"),
        ]);
        assert_eq!(
            found,
            ["x::y → x::z (`super::z::Z::new` in x/y.rs) → x::y (`super::y::g` in x/z.rs)"]
        );
    }

    #[test]
    fn a_module_map_missing_a_row_is_found() {
        let files: Vec<(String, String)> = ["lib.rs", "a.rs", "b/mod.rs", "b/c.rs", "d/mod.rs"]
            .iter()
            .map(|p| (p.to_string(), String::new()))
            .collect();
        let text = "| `a.rs` | first |\n| `b/` | second, with `c.rs` |";
        assert_eq!(unlisted_modules(&files, text), ["d/"]);
    }

    #[test]
    fn a_file_that_does_not_parse_is_named() {
        let files = vec![("lib.rs".to_string(), "fn (".to_string())];
        let err = Graph::build(&files).err().unwrap();
        assert!(err.starts_with("lib.rs:1:"), "{err}");
    }
}
