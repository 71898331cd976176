//! Interned names of tasks and resources: ids in first-seen order.

use std::collections::BTreeMap;

#[derive(Default)]
pub(crate) struct Names {
    ids: BTreeMap<Box<str>, u32>,
    list: Vec<Box<str>>,
    /// The last name looked up, to skip the map for a run of same-named spawns.
    last: Option<u32>,
}

impl Names {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.last
            && &*self.list[id as usize] == name
        {
            return id;
        }
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.list.len() as u32;
                self.ids.insert(name.into(), id);
                self.list.push(name.into());
                id
            }
        };
        self.last = Some(id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        &self.list[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn a_name_keeps_its_first_id() {
        let mut names = Names::default();
        assert_eq!(names.intern("a"), 0);
        assert_eq!(names.intern("b"), 1);
        assert_eq!(names.intern("b"), 1);
        assert_eq!(names.intern("a"), 0);
        assert_eq!(names.get(1), "b");
    }
}
