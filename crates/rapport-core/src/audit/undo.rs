//! The undo engine: which values to write back to revert one batch on one record. Pure: the feature that owns
//! the record reads its current values, asks here, and applies the answer as a new change of its own, so the
//! log keeps both the change and its undoing.
use super::store::FieldChange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The batch wrote nothing about this record.
    NothingRecorded,
    /// A creation is undone by deleting, not by reverting fields.
    Creation,
    /// The field was changed again after the batch: reverting would overwrite that later edit.
    ChangedSince(String),
}

/// The `(field, value before the batch)` pairs that revert `changes`, given each field's value now. Fields for
/// which `current` answers None are derived (e.g. a status computed from the others) and are skipped: they
/// follow from the reverted fields.
pub(crate) fn revert_plan(
    changes: &[FieldChange],
    current: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, Refusal> {
    if changes.is_empty() {
        return Err(Refusal::NothingRecorded);
    }
    if changes.iter().any(|(field, _, _)| field == "*") {
        return Err(Refusal::Creation);
    }
    // A batch may change one field more than once (two rows of an import naming the same lead): it is undone
    // from its first old value, and checked against its last new one.
    let mut folded: Vec<(&String, &Option<String>, &Option<String>)> = Vec::with_capacity(changes.len());
    for (field, old, new) in changes {
        match folded.iter_mut().find(|(f, _, _)| *f == field) {
            Some(entry) => entry.2 = new,
            None => folded.push((field, old, new)),
        }
    }
    let mut plan = Vec::with_capacity(folded.len());
    for (field, old, new) in folded {
        let Some(now) = current(field) else { continue };
        if now != new.clone().unwrap_or_default() {
            return Err(Refusal::ChangedSince(field.clone()));
        }
        plan.push((field.clone(), old.clone().unwrap_or_default()));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, old: &str, new: &str) -> FieldChange {
        (field.into(), Some(old.into()), Some(new.into()))
    }

    #[test]
    fn reverts_what_still_holds_the_batch_value() {
        let changes = vec![change("company", "Acme", "Globex"), change("status", "draft", "active")];
        let now = |f: &str| match f {
            "company" => Some("Globex".to_string()),
            _ => None, // derived
        };
        assert_eq!(revert_plan(&changes, now), Ok(vec![("company".into(), "Acme".into())]));
    }

    #[test]
    fn a_field_the_batch_changed_twice_goes_back_to_its_first_value() {
        let changes = vec![change("company", "Old", "Acme"), change("company", "Acme", "Acme Inc")];
        let now = |_: &str| Some("Acme Inc".to_string());
        assert_eq!(revert_plan(&changes, now), Ok(vec![("company".into(), "Old".into())]));
        let edited = |_: &str| Some("Acme".to_string());
        assert_eq!(revert_plan(&changes, edited), Err(Refusal::ChangedSince("company".into())));
    }

    #[test]
    fn refuses_to_overwrite_a_later_edit_or_a_creation() {
        let changes = vec![change("company", "Acme", "Globex")];
        assert_eq!(revert_plan(&changes, |_| Some("Initech".into())), Err(Refusal::ChangedSince("company".into())));
        let created = vec![("*".to_string(), None, Some("{}".to_string()))];
        assert_eq!(revert_plan(&created, |_| Some(String::new())), Err(Refusal::Creation));
        assert_eq!(revert_plan(&[], |_| None), Err(Refusal::NothingRecorded));
    }
}
