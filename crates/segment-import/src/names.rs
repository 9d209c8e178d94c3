//! Identifiers from headers and file names: lowercase `snake_case`, unique (SQLite compares
//! names case-insensitively), never SQLite's own; always quoted when they reach SQL.

/// A column or table name for `text`: letters and digits lowercased, anything else `_`,
/// repeated `_` collapsed; `fallback` when nothing is left; prefixed when it starts with a digit.
pub fn sanitize(text: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    let mut name = if trimmed.is_empty() {
        fallback.to_string()
    } else {
        trimmed.to_string()
    };
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "c_");
    }
    if name.starts_with("sqlite_") {
        name.insert_str(0, "t_");
    }
    if matches!(name.as_str(), "rowid" | "oid" | "_rowid_") {
        name.push('_');
    }
    name
}

/// Column names for a header: sanitised, then made unique with `_2`, `_3`…
pub fn column_names(headers: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let base = sanitize(h, &format!("column_{}", i + 1));
        let mut name = base.clone();
        let mut n = 2;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&name)) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

/// `"name"` with embedded quotes doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(sanitize("First Name", "x"), "first_name");
        assert_eq!(sanitize("  Événement (date) ", "x"), "événement_date");
        assert_eq!(sanitize("2024 sales", "x"), "c_2024_sales");
        assert_eq!(sanitize("\"; DROP TABLE x; --", "x"), "drop_table_x");
        assert_eq!(sanitize("***", "column_3"), "column_3");
        assert_eq!(sanitize("rowid", "x"), "rowid_");
        assert_eq!(sanitize("sqlite_master", "x"), "t_sqlite_master");
        let cols = column_names(&["ID".into(), "id".into(), "".into(), "Id".into()]);
        assert_eq!(cols, ["id", "id_2", "column_3", "id_3"]);
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
