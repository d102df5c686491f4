//! Seed 2.2, completeness: a lead is Active only with a name, a valid contact point and a source.
use super::model::{LeadStatus, MissingField, SourceChannel};

pub struct CompletenessFacts {
    pub has_name: bool,
    pub valid_contact_points: usize,
    pub source: Option<SourceChannel>,
    /// Values kept as typed although invalid.
    pub flagged_values: usize,
}

/// Whether a first and last name say a name: a letter or digit at least. A name of invisible characters only (a
/// zero-width space, a soft hyphen) or of punctuation is no name: nobody could read it or find the lead by it.
pub fn has_name(first: &str, last: &str) -> bool {
    [first, last].iter().any(|n| n.chars().any(char::is_alphanumeric))
}

pub fn missing_fields(facts: &CompletenessFacts) -> Vec<MissingField> {
    let mut missing = Vec::new();
    if !facts.has_name {
        missing.push(MissingField::Name);
    }
    if facts.valid_contact_points == 0 {
        missing.push(MissingField::ContactPoint);
    }
    if facts.source.is_none() {
        missing.push(MissingField::Source);
    }
    if facts.flagged_values > 0 {
        missing.push(MissingField::FixInvalid);
    }
    missing
}

pub fn status_for(missing: &[MissingField]) -> LeadStatus {
    if missing.is_empty() {
        LeadStatus::Active
    } else {
        LeadStatus::Draft
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_minimum_point_is_required() {
        let full = CompletenessFacts {
            has_name: true,
            valid_contact_points: 1,
            source: Some(SourceChannel::Partner),
            flagged_values: 0,
        };
        assert!(missing_fields(&full).is_empty());
        assert_eq!(status_for(&missing_fields(&full)), LeadStatus::Active);

        let none = CompletenessFacts { has_name: false, valid_contact_points: 0, source: None, flagged_values: 0 };
        assert_eq!(missing_fields(&none), vec![MissingField::Name, MissingField::ContactPoint, MissingField::Source]);
        assert_eq!(status_for(&missing_fields(&none)), LeadStatus::Draft);

        let flagged = CompletenessFacts { flagged_values: 1, ..full };
        assert_eq!(missing_fields(&flagged), vec![MissingField::FixInvalid], "a kept invalid value is a Draft");
    }
}
