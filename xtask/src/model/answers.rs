//! Operations that answer the same object must type it as one: the groups
//! [`tables::SAME_ANSWERS`] declares are checked, and any other group that
//! looks alike (the same top-level fields in one area) must be declared
//! there or acknowledged in [`tables::DIFFERENT_ANSWERS`], so that a new
//! divergence in the catalog fails the generator.

use std::collections::BTreeMap;

use super::{Model, Response};
use crate::tables;

/// Top-level answer fields of a paged list, which many unrelated answers share.
const LIST_ENVELOPE: &[&str] = &[
    "data",
    "limit",
    "offset",
    "total_count",
    "links",
    "has_more",
];

impl Model {
    pub(super) fn check_same_answers(&self) -> Result<(), String> {
        for (group, source) in tables::SAME_ANSWERS {
            let mut answers = Vec::new();
            for key in *group {
                let op = self
                    .ops
                    .iter()
                    .find(|o| format!("{} {}", o.cat.method, o.cat.path) == *key)
                    .ok_or_else(|| format!("SAME_ANSWERS names `{key}`, which is not generated"))?;
                answers.push((key, op.response, self.answer_name(op.response)));
            }
            if answers.windows(2).any(|w| w[0].1 != w[1].1) {
                let lines: Vec<String> = answers
                    .iter()
                    .map(|(key, _, name)| format!("{key} answers {name}"))
                    .collect();
                return Err(format!(
                    "these operations answer the same object ({source}), but the catalog \
                     types it differently; settle the difference in ENUM_CORRECTIONS:\n  {}",
                    lines.join("\n  ")
                ));
            }
        }
        let mut unsettled = Vec::new();
        for group in self.look_alike_answers() {
            let keys: Vec<String> = group
                .iter()
                .map(|&i| format!("{} {}", self.ops[i].cat.method, self.ops[i].cat.path))
                .collect();
            let declared = |list: &[&str]| keys.iter().all(|k| list.contains(&k.as_str()));
            let known = tables::SAME_ANSWERS.iter().any(|(g, _)| declared(g))
                || tables::DIFFERENT_ANSWERS
                    .iter()
                    .any(|(g, _)| declared(g) && g.len() == keys.len());
            if !known {
                let lines: Vec<String> = group
                    .iter()
                    .zip(&keys)
                    .map(|(&i, k)| {
                        format!("{k} answers {}", self.answer_name(self.ops[i].response))
                    })
                    .collect();
                unsettled.push(lines.join("\n    "));
            }
        }
        for (group, _) in tables::DIFFERENT_ANSWERS {
            let still = self.look_alike_answers().iter().any(|g| {
                g.len() == group.len()
                    && g.iter().all(|&i| {
                        group.contains(
                            &format!("{} {}", self.ops[i].cat.method, self.ops[i].cat.path)
                                .as_str(),
                        )
                    })
            });
            if !still {
                return Err(format!(
                    "DIFFERENT_ANSWERS lists {group:?}, which no longer differ (or no longer \
                     look alike): drop the entry"
                ));
            }
        }
        if unsettled.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} groups of operations answer objects with the same fields but type them \
             differently: declare each in SAME_ANSWERS (and correct the catalog) or, with a \
             reason, in DIFFERENT_ANSWERS (xtask/src/tables/corrections.rs):\n  {}",
            unsettled.len(),
            unsettled.join("\n  ")
        ))
    }

    /// Groups of operations of one area whose answers have the same
    /// top-level fields (five or more, not a list page) but lower to
    /// different types.
    pub(super) fn look_alike_answers(&self) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<(String, Vec<String>), Vec<usize>> = BTreeMap::new();
        for (i, op) in self.ops.iter().enumerate() {
            let Response::Struct(id) = op.response else {
                continue;
            };
            let mut wires: Vec<String> = self.structs[id]
                .fields
                .iter()
                .map(|f| f.wire.clone())
                .collect();
            if wires.len() < 5 || wires.iter().any(|w| LIST_ENVELOPE.contains(&w.as_str())) {
                continue;
            }
            wires.sort();
            groups
                .entry((op.module[0].clone(), wires))
                .or_default()
                .push(i);
        }
        groups
            .into_values()
            .filter(|ops| {
                ops.len() > 1
                    && ops
                        .windows(2)
                        .any(|w| self.ops[w[0]].response != self.ops[w[1]].response)
            })
            .collect()
    }

    fn answer_name(&self, response: Response) -> String {
        match response {
            Response::Struct(id) => {
                let s = &self.structs[id];
                format!("{}::{}", s.home.join("::"), s.name)
            }
            other => format!("{other:?}"),
        }
    }
}
