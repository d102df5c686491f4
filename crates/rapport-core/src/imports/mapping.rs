//! Which lead field a column most likely is, from its header: the canonical names, common variants and the
//! words of the languages exports come in (English, German, French, Spanish, Italian, Dutch, Portuguese).
//! A suggestion is only that: the wizard shows it, the user changes it; a column that maps to nothing is
//! reported (or goes to notes), never dropped silently.
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnSuggestion {
    pub column: String,
    /// The canonical field (`first_name`, `email`, ...), or none.
    pub field: Option<String>,
}

/// Canonical field and the folded header words that mean it.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "first_name",
        &[
            "firstname",
            "first",
            "givenname",
            "forename",
            "vorname",
            "prenom",
            "nombre",
            "nome",
            "voornaam",
            "primeironome",
        ],
    ),
    (
        "last_name",
        &[
            "lastname",
            "last",
            "surname",
            "familyname",
            "nachname",
            "familienname",
            "nom",
            "nomdefamille",
            "apellido",
            "apellidos",
            "cognome",
            "achternaam",
            "sobrenome",
        ],
    ),
    (
        "company",
        &[
            "company",
            "companyname",
            "organization",
            "organisation",
            "account",
            "accountname",
            "firma",
            "unternehmen",
            "firmenname",
            "societe",
            "entreprise",
            "empresa",
            "azienda",
            "societa",
            "bedrijf",
        ],
    ),
    (
        "job_title",
        &[
            "jobtitle",
            "title",
            "position",
            "role",
            "funktion",
            "position",
            "berufsbezeichnung",
            "titre",
            "fonction",
            "poste",
            "cargo",
            "puesto",
            "ruolo",
            "functie",
        ],
    ),
    (
        "email",
        &[
            "email",
            "emailaddress",
            "mail",
            "e-mail",
            "emailadresse",
            "courriel",
            "adressemail",
            "correo",
            "correoelectronico",
            "posta",
            "indirizzoemail",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "cell",
            "telefon",
            "telefonnummer",
            "handy",
            "mobil",
            "telefono",
            "celular",
            "cellulare",
            "telefoon",
            "portable",
        ],
    ),
    (
        "street",
        &[
            "street",
            "address",
            "address1",
            "streetaddress",
            "strasse",
            "adresse",
            "anschrift",
            "rue",
            "calle",
            "direccion",
            "via",
            "indirizzo",
            "straat",
            "rua",
        ],
    ),
    ("street2", &["street2", "address2", "addressline2", "adresszusatz", "complement", "complementadresse"]),
    ("city", &["city", "town", "ort", "stadt", "wohnort", "ville", "ciudad", "localidad", "citta", "plaats", "cidade"]),
    (
        "postcode",
        &[
            "postcode",
            "postalcode",
            "zip",
            "zipcode",
            "plz",
            "postleitzahl",
            "codepostal",
            "cp",
            "codigopostal",
            "cap",
            "postcode",
        ],
    ),
    (
        "region",
        &[
            "region",
            "state",
            "province",
            "county",
            "bundesland",
            "provinz",
            "departement",
            "provincia",
            "regione",
            "estado",
        ],
    ),
    ("country", &["country", "land", "staat", "pays", "pais", "paese", "countrycode"]),
    // Free-text origins ("Stand 4", "Messe Berlin") are the source's detail: the source is one of four channels.
    ("source_detail", &["leadsource", "sourcedetail", "quelle", "herkunft", "origine", "fuente", "fonte", "bron"]),
    ("campaign", &["campaign", "kampagne", "aktion", "campagne", "campana", "campagna"]),
    ("tags", &["tags", "labels", "schlagworte", "etiquettes", "etiquetas"]),
    (
        "notes",
        &[
            "notes",
            "note",
            "comments",
            "comment",
            "remarks",
            "notizen",
            "bemerkung",
            "bemerkungen",
            "kommentar",
            "commentaire",
            "remarques",
            "notas",
            "comentarios",
            "note",
            "opmerkingen",
        ],
    ),
    (
        "external_ref",
        &[
            "externalref",
            "externalid",
            "id",
            "reference",
            "ref",
            "kundennummer",
            "referenz",
            "identifiant",
            "referencia",
        ],
    ),
];

/// Lower case, accents and everything but letters and digits taken off: "E-Mail" and "e mail" are "email".
fn fold(header: &str) -> String {
    header.nfd().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn field_of(header: &str) -> Option<&'static str> {
    let folded = fold(header);
    if folded.is_empty() {
        return None;
    }
    // The canonical names themselves first (an export of Rapport re-imports as it is).
    if let Some(f) = crate::leads::csv::canonical_columns().into_iter().find(|c| fold(c) == folded) {
        return Some(f);
    }
    SYNONYMS.iter().find(|(_, words)| words.iter().any(|w| fold(w) == folded)).map(|(f, _)| *f)
}

/// One suggestion per column. A field already taken by an earlier column is not suggested again, except
/// that a second email or phone column becomes the other emails or phones.
pub fn suggest_mapping(headers: &[String]) -> Vec<ColumnSuggestion> {
    let mut taken: Vec<&'static str> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let field = field_of(h).and_then(|f| {
                let f = match f {
                    "email" if taken.contains(&"email") => "other_emails",
                    "phone" if taken.contains(&"phone") => "other_phones",
                    other => other,
                };
                if taken.contains(&f) && !matches!(f, "other_emails" | "other_phones") {
                    None
                } else {
                    taken.push(f);
                    Some(f.to_owned())
                }
            });
            ColumnSuggestion { column: h.clone(), field }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(headers: &[&str]) -> Vec<Option<String>> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        suggest_mapping(&h).into_iter().map(|s| s.field).collect()
    }

    fn some(names: &[&str]) -> Vec<Option<String>> {
        names.iter().map(|n| if n.is_empty() { None } else { Some(n.to_string()) }).collect()
    }

    #[test]
    fn headers_in_several_languages() {
        assert_eq!(
            fields(&["Vorname", "Nachname", "E-Mail", "Telefon", "Firma"]),
            some(&["first_name", "last_name", "email", "phone", "company"])
        );
        assert_eq!(
            fields(&["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Code postal"]),
            some(&["first_name", "last_name", "email", "phone", "company", "postcode"])
        );
        assert_eq!(
            fields(&["Nombre", "Apellidos", "Correo electrónico", "Empresa"]),
            some(&["first_name", "last_name", "email", "company"])
        );
    }

    #[test]
    fn canonical_names_a_second_email_and_unknown_columns() {
        assert_eq!(
            fields(&["first_name", "email", "Work email", "Mobile", "Phone", "Favourite colour", "Email"]),
            some(&["first_name", "email", "", "phone", "other_phones", "", "other_emails"])
        );
    }
}
