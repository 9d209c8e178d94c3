//! Segments as files: one canonical JSON file per segment (`<id>.json`, keys in a fixed order,
//! pretty-printed: diff-friendly in git), optionally with rendered siblings (`<id>.sql`), and
//! importing them back. An import never overwrites silently: a file whose segment exists with
//! other content is reported as a conflict unless overwriting is asked for, and then it becomes
//! a new revision (the old one stays in the history).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::commands::OnError;
use crate::error::{Error, LineProblem, Result};
use crate::model::*;
use crate::segments::{current, write_revision, Fields};
use crate::Store;

/// The `format` tag of a segment file.
pub const FILE_FORMAT: &str = "segment-builder/segment";
pub const FILE_VERSION: u32 = 1;

/// A segment as a file. The field order here is the key order in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentFile {
    pub format: String,
    pub version: u32,
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub segment_type: SegmentType,
    pub status: Status,
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub author: Option<Author>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub data_source: Option<String>,
    /// The revision exported (information only: an import makes its own revisions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub revision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date_modified: Option<String>,
    pub definition: Option<segment_model::Segment>,
}

impl SegmentFile {
    pub fn from_record(r: &SegmentRecord) -> SegmentFile {
        SegmentFile {
            format: FILE_FORMAT.to_string(),
            version: FILE_VERSION,
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            segment_type: r.segment_type,
            status: r.status,
            scope: r.scope,
            author: r.author.clone(),
            entity: r.entity.clone(),
            data_source: r.data_source.clone(),
            revision: Some(r.revision),
            date_modified: Some(r.date_modified.clone()),
            definition: r.definition.clone(),
        }
    }

    /// The file's text: pretty JSON, fixed key order, trailing newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    fn fields(&self) -> Fields {
        Fields {
            name: self.name.clone(),
            description: self.description.clone(),
            segment_type: self.segment_type,
            status: self.status,
            scope: self.scope,
            author_id: self.author.as_ref().and_then(|a| a.identifier.clone()),
            author_name: self.author.as_ref().and_then(|a| a.name.clone()),
            entity: self.entity.clone(),
            data_source: self.data_source.clone(),
            definition: self
                .definition
                .as_ref()
                .map(segment_model::canonical::to_string_pretty),
        }
    }
}

/// `line L, column C: message` for a JSON error.
pub fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    // serde quotes a bad value in full; the line and column locate it.
    crate::error::bound(format!("line {}, column {}: {text}", e.line(), e.column()))
}

/// Reads one segment file: the library form, or a bare canonical definition (`{"version": 1,
/// "root": …}`), whose id is the file name.
pub fn read_file(path: &Path) -> std::result::Result<SegmentFile, LineProblem> {
    let problem =
        |line: u64, message: String| LineProblem::new(path.display().to_string(), line, message);
    let text =
        std::fs::read_to_string(path).map_err(|e| problem(0, format!("cannot read: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| problem(e.line() as u64, json_message(&e)))?;
    if value.get("format").is_some() {
        if value.get("format").and_then(|f| f.as_str()) != Some(FILE_FORMAT) {
            return Err(problem(0, format!("\"format\" is not {FILE_FORMAT:?}")));
        }
        let file: SegmentFile =
            serde_json::from_str(&text).map_err(|e| problem(e.line() as u64, json_message(&e)))?;
        if file.version != FILE_VERSION {
            return Err(problem(
                0,
                format!(
                    "unsupported version {}; this build reads version {FILE_VERSION}",
                    file.version
                ),
            ));
        }
        normalize_id(&file.id).map_err(|e| problem(0, e.to_string()))?;
        Ok(file)
    } else {
        let definition = segment_model::canonical::parse(&text).map_err(|e| match e {
            segment_model::Error::Json {
                line,
                column,
                message,
            } => problem(
                line as u64,
                format!("line {line}, column {column}: {message}"),
            ),
            other => problem(0, other.to_string()),
        })?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let id = normalize_id(stem)
            .map_err(|e| problem(0, format!("the file name is the segment id: {e}")))?;
        Ok(SegmentFile {
            format: FILE_FORMAT.to_string(),
            version: FILE_VERSION,
            name: id.clone(),
            id,
            description: String::new(),
            segment_type: SegmentType::Dynamic,
            status: Status::Active,
            scope: Scope::User,
            author: None,
            entity: definition.entity.clone(),
            data_source: None,
            revision: None,
            date_modified: None,
            definition: Some(definition),
        })
    }
}

/// The `.json` files of a folder (sorted), or the file itself.
pub fn list_inputs(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let p = entry.path();
            if p.is_file()
                && p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                files.push(p);
            }
        }
        files.sort();
        Ok(files)
    } else if path.exists() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        })
    }
}

/// Writes `text` to `path` through a temporary sibling and a rename: a reader never sees half.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// One exported segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub id: String,
    #[ts(type = "number")]
    pub revision: i64,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
    /// Why no rendered sibling was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub render_error: Option<String>,
}

/// Renders a segment to a sibling file: its extension and text, or why it cannot.
pub type Renderer<'a> = &'a dyn Fn(&SegmentRecord) -> std::result::Result<(String, String), String>;

/// A conflict found by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub id: String,
    pub path: String,
    #[ts(type = "number")]
    pub stored_revision: i64,
    /// The fields that differ (`definition`, `name`…).
    pub differs: Vec<String>,
}

/// What an import of files did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileImport {
    pub created: Vec<String>,
    /// Overwritten (with `overwrite`) as a new revision.
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Not imported: the stored segment differs (use `overwrite` to make the file a new revision).
    pub conflicts: Vec<Conflict>,
    /// Files not imported (only with `skip`).
    pub skipped: Vec<LineProblem>,
}

fn differences(a: &Fields, b: &Fields) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    check("definition", a.definition == b.definition);
    check("name", a.name == b.name);
    check("description", a.description == b.description);
    check("segmentType", a.segment_type == b.segment_type);
    check("status", a.status == b.status);
    check("scope", a.scope == b.scope);
    check(
        "author",
        a.author_id == b.author_id && a.author_name == b.author_name,
    );
    check("entity", a.entity == b.entity);
    check("dataSource", a.data_source == b.data_source);
    out
}

impl Store {
    /// Writes `<dir>/<id>.json` (and a rendered sibling when `render` is given).
    pub fn export_file(
        &mut self,
        id: &str,
        dir: &Path,
        render: Option<Renderer<'_>>,
    ) -> Result<Exported> {
        let record = self.get(id)?;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(format!("{}.json", record.id));
        write_atomically(&path, &SegmentFile::from_record(&record).to_text())?;
        let mut exported = Exported {
            id: record.id.clone(),
            revision: record.revision,
            path: path.display().to_string(),
            rendered: None,
            render_error: None,
        };
        if let Some(render) = render {
            match render(&record) {
                Ok((extension, text)) => {
                    let sibling = dir.join(format!("{}.{extension}", record.id));
                    write_atomically(&sibling, &text)?;
                    exported.rendered = Some(sibling.display().to_string());
                }
                Err(why) => exported.render_error = Some(why),
            }
        }
        Ok(exported)
    }

    /// Exports every segment of the library into `dir`.
    pub fn export_library(
        &mut self,
        dir: &Path,
        render: Option<Renderer<'_>>,
    ) -> Result<Vec<Exported>> {
        let ids: Vec<String> = {
            let mut stmt = self
                .connection()
                .prepare("SELECT id FROM segments WHERE date_deleted IS NULL ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            ids
        };
        ids.iter()
            .map(|id| self.export_file(id, dir, render))
            .collect()
    }

    /// Imports segment files (or folders of them) in one transaction. Unreadable files are
    /// reported with their line; with `abort` any of them imports nothing.
    pub fn import_files(
        &mut self,
        paths: &[PathBuf],
        overwrite: bool,
        on_error: OnError,
    ) -> Result<FileImport> {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            for file in list_inputs(path)? {
                match read_file(&file) {
                    Ok(parsed) => files.push((file, parsed)),
                    Err(p) => problems.push(p),
                }
            }
        }
        let mut seen = std::collections::HashMap::new();
        files.retain(|(path, f)| {
            let id = f.id.to_ascii_lowercase();
            match seen.get(&id) {
                Some(first) => {
                    problems.push(LineProblem::new(
                        path.display().to_string(),
                        0,
                        format!(
                            "segment id {} is also in {first}",
                            crate::error::quoted(&id)
                        ),
                    ));
                    false
                }
                None => {
                    seen.insert(id, path.display().to_string());
                    true
                }
            }
        });
        if on_error == OnError::Abort && !problems.is_empty() {
            return Err(Error::Lines(problems));
        }
        self.write(|tx, now| {
            let mut report = FileImport::default();
            for (path, file) in &files {
                let id = normalize_id(&file.id)?;
                let fields = file.fields();
                let result = match current(tx, &id)? {
                    None => check_new_id(&id)
                        .and_then(|_| write_revision(tx, &id, None, &fields, "import", None, now))
                        .map(|_| report.created.push(id.clone())),
                    Some(c) if c.deleted => {
                        write_revision(tx, &id, Some(&c), &fields, "import", None, now)
                            .map(|_| report.created.push(id.clone()))
                    }
                    Some(c) => {
                        let differs = differences(&c.fields, &fields);
                        if differs.is_empty() {
                            report.unchanged.push(id.clone());
                            Ok(())
                        } else if overwrite {
                            write_revision(tx, &id, Some(&c), &fields, "import", None, now)
                                .map(|_| report.updated.push(id.clone()))
                        } else {
                            report.conflicts.push(Conflict {
                                id: id.clone(),
                                path: path.display().to_string(),
                                stored_revision: c.revision,
                                differs,
                            });
                            Ok(())
                        }
                    }
                };
                if let Err(e) = result {
                    match e {
                        Error::Invalid { .. }
                        | Error::InvalidId { .. }
                        | Error::ReservedId { .. } => problems.push(LineProblem::new(
                            path.display().to_string(),
                            0,
                            e.to_string(),
                        )),
                        other => return Err(other),
                    }
                }
            }
            if on_error == OnError::Abort && !problems.is_empty() {
                return Err(Error::Lines(problems.clone()));
            }
            report.skipped = problems.clone();
            Ok(report)
        })
    }
}
