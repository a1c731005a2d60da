//! Where each interned type lives and what it is called.
//!
//! A type lives in the deepest module holding every operation that uses it.
//! One operation's type is `{Operation}{Field}`; a shared one is named after
//! the words the operations' names share (`CreateReturnOrder` and
//! `QueryReturnOrder` -> `ReturnOrder{Field}`), else after its module.

use super::{Item, Model, Response, Ty, Use};
use crate::naming::{is_identifier, pascal, pascal_words, singular, unraw, RESERVED_TYPES};
use crate::tables;

impl Model {
    /// Each type lives in the deepest module that holds every operation using it.
    pub(super) fn place_types(&mut self) {
        let lca = |ops: &[super::Op], uses: &[Use]| -> Vec<String> {
            let mut common: Option<Vec<String>> = None;
            for u in uses {
                let m = &ops[u.op].module;
                common = Some(match common {
                    None => m.clone(),
                    Some(c) => c
                        .iter()
                        .zip(m)
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a.clone())
                        .collect(),
                });
            }
            common.unwrap_or_default()
        };
        for s in &mut self.structs {
            if s.request_of.is_none() {
                s.home = lca(&self.ops, &s.uses);
            }
        }
        for e in &mut self.enums {
            e.home = lca(&self.ops, &e.uses);
        }
        for o in &mut self.one_ofs {
            o.home = lca(&self.ops, &o.uses);
        }
    }

    /// Names types in the order the operations reach them (request, then
    /// response, depth first), which is also the order they are written in.
    pub(super) fn name_types(&mut self) -> Result<(), String> {
        for index in 0..self.ops.len() {
            let request = self.ops[index].request;
            let module = self.ops[index].module.clone();
            let name = self.structs[request].name.clone();
            let m = self.module_mut(&module);
            m.taken.insert(name);
            m.items.push(Item::Struct(request));
            self.visit_children(request)?;
            if self.ops[index].response == Response::Bill {
                self.module_mut(&module).items.push(Item::Alias(index));
            }
            if let Response::Struct(id) = self.ops[index].response {
                self.visit_struct(id)?;
                let op = &self.ops[index];
                if self.structs[id].name != op.response_name() || self.structs[id].home != op.module
                {
                    self.module_mut(&module).items.push(Item::Alias(index));
                }
            }
        }
        Ok(())
    }

    fn visit_children(&mut self, id: usize) -> Result<(), String> {
        let mut refs = Vec::new();
        for f in &self.structs[id].fields {
            f.ty.refs(false, &mut refs);
        }
        for (r, _) in refs {
            match r {
                super::Ref::Struct(child) => self.visit_struct(child)?,
                super::Ref::Enum(child) => self.visit_enum(child)?,
                super::Ref::OneOf(child) => self.visit_one_of(child)?,
            }
        }
        Ok(())
    }

    fn visit_struct(&mut self, id: usize) -> Result<(), String> {
        if !self.structs[id].name.is_empty() {
            return Ok(());
        }
        let home = self.structs[id].home.clone();
        let name = self.pick_name(&self.structs[id].uses.clone(), &home, true)?;
        let name = self.override_name(&home, name)?;
        self.structs[id].name = name.clone();
        let module = self.module_mut(&home);
        module.taken.insert(name);
        module.items.push(Item::Struct(id));
        self.visit_children(id)
    }

    fn visit_enum(&mut self, id: usize) -> Result<(), String> {
        if !self.enums[id].name.is_empty() {
            return Ok(());
        }
        let home = self.enums[id].home.clone();
        let name = self.pick_name(&self.enums[id].uses.clone(), &home, false)?;
        let name = self.override_name(&home, name)?;
        self.enums[id].name = name.clone();
        let module = self.module_mut(&home);
        module.taken.insert(name);
        module.items.push(Item::Enum(id));
        Ok(())
    }

    fn visit_one_of(&mut self, id: usize) -> Result<(), String> {
        if !self.one_ofs[id].name.is_empty() {
            return Ok(());
        }
        let home = self.one_ofs[id].home.clone();
        let name = self.pick_name(&self.one_ofs[id].uses.clone(), &home, false)?;
        let name = self.override_name(&home, name)?;
        self.one_ofs[id].name = name.clone();
        let module = self.module_mut(&home);
        module.taken.insert(name);
        module.items.push(Item::OneOf(id));
        let children: Vec<Ty> = self.one_ofs[id]
            .variants
            .iter()
            .map(|f| f.ty.clone())
            .collect();
        for ty in children {
            let mut refs = Vec::new();
            ty.refs(false, &mut refs);
            for (r, _) in refs {
                match r {
                    super::Ref::Struct(child) => self.visit_struct(child)?,
                    super::Ref::Enum(child) => self.visit_enum(child)?,
                    super::Ref::OneOf(child) => self.visit_one_of(child)?,
                }
            }
        }
        Ok(())
    }

    fn override_name(&mut self, home: &[String], name: String) -> Result<String, String> {
        let module = home.join("::");
        let Some((_, _, fixed)) = tables::TYPE_NAME_OVERRIDES
            .iter()
            .find(|(m, n, _)| *m == module && *n == name)
        else {
            return Ok(name);
        };
        let fixed = fixed.to_string();
        if self.modules[home].taken.contains(&fixed) || self.modules[home].reserved.contains(&fixed)
        {
            return Err(format!(
                "TYPE_NAME_OVERRIDES: `{fixed}` is taken in {module}"
            ));
        }
        self.overridden += 1;
        Ok(fixed)
    }

    /// `{Operation}{Field}` for a type one operation uses; for a shared one,
    /// the words the operations' names share (`CreateReturnOrder` and
    /// `QueryReturnOrder` -> `ReturnOrder{Field}`), else its module's name
    /// and the field. The first free candidate wins.
    fn pick_name(&self, uses: &[Use], home: &[String], is_struct: bool) -> Result<String, String> {
        let mut ops: Vec<&str> = Vec::new();
        let mut fields: Vec<String> = Vec::new();
        let mut top_of: Vec<usize> = Vec::new();
        for u in uses {
            let name = self.ops[u.op].name.as_str();
            if !ops.contains(&name) {
                ops.push(name);
            }
            match &u.field {
                Some(f) => {
                    let f = if u.item { singular(f) } else { f.clone() };
                    let f = pascal(&f);
                    if !fields.contains(&f) {
                        fields.push(f);
                    }
                }
                None => top_of.push(u.op),
            }
        }
        // A generic field word (`type`, `state`) says what a type holds only
        // with the field that holds its object: `identity.type` (证件类型)
        // is an `IdentityType`, not a `Type`.
        let holder = self.holder(uses);
        let generic = fields
            .first()
            .is_some_and(|f| GENERIC_FIELDS.contains(&f.as_str()));
        if let (true, Some(first), Some(holder)) = (generic, fields.first_mut(), &holder) {
            *first = if holder.ends_with(first.as_str()) {
                holder.clone()
            } else {
                format!("{holder}{first}")
            };
        }
        let mut candidates: Vec<String> = Vec::new();
        let suffix = stem(&ops, true);
        let prefix = stem(&ops, false);
        if fields.is_empty() {
            if ops.len() == 1 {
                candidates.push(format!("{}Response", ops[0]));
            } else {
                candidates.extend(suffix.clone());
                candidates.extend(prefix.as_ref().map(|p| format!("{p}Response")));
                if let Some(module) = module_word(home) {
                    candidates.push(format!("{module}Response"));
                }
                candidates.push(format!("{}Response", ops[0]));
            }
        } else {
            let f = &fields[0];
            if ops.len() == 1 {
                candidates.push(format!("{}{f}", ops[0]));
            } else {
                candidates.extend(suffix.as_ref().map(|s| format!("{s}{f}")));
                candidates.extend(prefix.as_ref().map(|p| format!("{p}{f}")));
                // Shared across modules: the module it lives in names it.
                if let Some(module) = module_word(home) {
                    candidates.push(format!("{module}{f}"));
                }
                candidates.push(format!("{}{f}", ops[0]));
            }
            if let Some(parent) = uses.iter().find_map(|u| u.parent) {
                let parent = &self.structs[parent].name;
                if !parent.is_empty() {
                    candidates.push(format!("{parent}{f}"));
                }
            }
            candidates.push(f.clone());
            let kind = if is_struct { "Info" } else { "Kind" };
            candidates.push(format!("{}{f}{kind}", ops[0]));
        }
        let module = &self.modules[home];
        for candidate in &candidates {
            if !is_identifier(candidate)
                || RESERVED_TYPES.contains(&candidate.as_str())
                || module.taken.contains(candidate)
            {
                continue;
            }
            // `{Op}Response` is free for that operation's own response.
            let own_response = top_of.iter().any(|&op| {
                self.ops[op].response_name() == *candidate && self.ops[op].module == home
            });
            if !module.reserved.contains(candidate) || own_response {
                return Ok(candidate.clone());
            }
        }
        Err(format!(
            "no free name for a type in {home:?} (tried {candidates:?})"
        ))
    }
}

/// Field words that say what a value is only together with the object that
/// holds it.
const GENERIC_FIELDS: &[&str] = &[
    "Type", "State", "Status", "Result", "Mode", "Scene", "Reason", "Level", "Category", "Kind",
    "Method", "Scope", "Source", "Unit", "Info", "Detail", "Data", "Item", "Value", "Code",
];

impl Model {
    /// The field (PascalCase, singular for a list) that holds the objects
    /// these uses sit in, when every use inside a nested object sits in one
    /// held by a field of that one name (a use at the top of a request or
    /// an answer, whose object is the operation's, does not count).
    fn holder(&self, uses: &[Use]) -> Option<String> {
        let mut holder: Option<String> = None;
        for u in uses {
            let parent = &self.structs[u.parent?];
            if parent.request_of.is_some() || parent.uses.iter().any(|pu| pu.field.is_none()) {
                continue;
            }
            for pu in &parent.uses {
                let field = pu.field.as_ref()?;
                let field = pascal(&if pu.item {
                    singular(field)
                } else {
                    field.clone()
                });
                match &holder {
                    Some(h) if *h != field => return None,
                    _ => holder = Some(field),
                }
            }
        }
        // A list page's `data` says no more than the field word.
        holder.filter(|h| !["Data", "List", "Item", "Items"].contains(&h.as_str()))
    }
}

/// The last segment of a module path in PascalCase, `v3` skipped (`hk::v3` -> `Hk`).
fn module_word(home: &[String]) -> Option<String> {
    home.iter()
        .rev()
        .find(|s| s.as_str() != "v3")
        .map(|s| pascal(unraw(s)))
}

/// Words several operation names share at the end (`suffix`) or start.
fn stem(ops: &[&str], suffix: bool) -> Option<String> {
    if ops.len() < 2 {
        return None;
    }
    let lists: Vec<Vec<String>> = ops
        .iter()
        .map(|o| {
            let mut w = pascal_words(o);
            if suffix {
                w.reverse();
            }
            w
        })
        .collect();
    let mut common: Vec<String> = Vec::new();
    for (i, word) in lists[0].iter().enumerate() {
        if lists.iter().all(|l| l.get(i) == Some(word)) {
            common.push(word.clone());
        } else {
            break;
        }
    }
    if suffix {
        common.reverse();
        // A stem must stand on its own: not `ById` nor `No`.
        const WEAK: &[&str] = &[
            "By", "Id", "No", "Info", "List", "Result", "Status", "Api", "V2",
        ];
        while common.first().is_some_and(|w| WEAK.contains(&w.as_str())) {
            common.remove(0);
        }
        if common.is_empty() || common.iter().all(|w| WEAK.contains(&w.as_str())) {
            return None;
        }
    } else {
        while common.last().is_some_and(|w| w == "By") {
            common.pop();
        }
        if common.len() < 2 {
            return None;
        }
    }
    Some(common.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(
            stem(&["CreateReturnOrder", "QueryReturnOrder"], true).as_deref(),
            Some("ReturnOrder")
        );
        assert_eq!(
            stem(
                &["QueryTransactionsById", "QueryTransactionsByOutTradeNo"],
                false
            )
            .as_deref(),
            Some("QueryTransactions")
        );
        assert_eq!(stem(&["QueryById", "CloseById"], true), None);
        assert_eq!(
            module_word(&["hk".into(), "v3".into()]).as_deref(),
            Some("Hk")
        );
    }
}
