//! `segment-builder snapshots`: the copies of local data files the count engine keeps for fast
//! starts (`segment_service::snapshots`), listed or removed, in plain words or `--json`.

use chrono::DateTime;
use segment_service::snapshots::{self, Cleared, SnapshotList};
use serde_json::json;

use crate::Failure;

#[derive(clap::Args)]
pub struct SnapshotsArgs {
    /// Remove them all (the next count of each file reads the file again, and keeps a new copy).
    #[arg(long)]
    clear: bool,
    /// Print JSON instead of sentences.
    #[arg(long)]
    json: bool,
}

impl From<segment_service::SnapshotsError> for Failure {
    fn from(e: segment_service::SnapshotsError) -> Self {
        Failure::new(e.to_string())
    }
}

pub fn run(args: SnapshotsArgs) -> Result<String, Failure> {
    let dir = segment_service::snapshot_dir(Some(&segment_service::default_app_data_dir()));
    let listed = snapshots::list(dir.as_deref())?;
    if !args.clear {
        return Ok(if args.json {
            pretty(&json!(listed))
        } else {
            describe(&listed)
        });
    }
    let cleared = match &dir {
        Some(dir) => snapshots::clear(dir)?,
        None => Cleared::default(),
    };
    Ok(if args.json {
        pretty(&json!({
            "dir": listed.dir,
            "removed": cleared.snapshots,
            "bytes": cleared.bytes,
        }))
    } else {
        describe_cleared(&listed, cleared)
    })
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn copies(n: usize) -> String {
    if n == 1 {
        "1 copy".into()
    } else {
        format!("{n} copies")
    }
}

fn off() -> String {
    format!(
        "Fast-start copies are off ({}=off): none are kept.",
        snapshots::SNAPSHOTS_VAR
    )
}

fn describe(listed: &SnapshotList) -> String {
    let Some(dir) = &listed.dir else {
        return off();
    };
    if listed.snapshots.is_empty() {
        return format!("No copies of your data are kept for fast starts (folder: {dir}).");
    }
    let mut text = format!(
        "{} of your data for fast starts, {} in {dir}:\n",
        copies(listed.snapshots.len()),
        size(listed.bytes)
    );
    for s in &listed.snapshots {
        let used = DateTime::from_timestamp(s.last_used, 0)
            .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        text.push_str(&format!(
            "  {}  {}, last used {used}\n",
            s.source.as_deref().unwrap_or("(unreadable copy)"),
            size(s.bytes)
        ));
    }
    text.push_str("Remove them with: segment-builder snapshots --clear\n");
    text
}

fn describe_cleared(listed: &SnapshotList, cleared: Cleared) -> String {
    match &listed.dir {
        None => off(),
        Some(dir) if cleared.snapshots == 0 && cleared.bytes == 0 => {
            format!("No copies of your data to remove (folder: {dir}).")
        }
        Some(dir) => format!(
            "Removed {} of your data from {dir}: {} freed.",
            copies(cleared.snapshots),
            size(cleared.bytes)
        ),
    }
}

/// Bytes as the app shows them (its `formatBytes`): `512 B`, `691 MB`, `1.3 GB` (units of 1024).
fn size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let units = ["KB", "MB", "GB", "TB"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", units[unit])
    } else {
        format!("{value:.0} {}", units[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_the_app_shows_them() {
        assert_eq!(super::size(512), "512 B");
        assert_eq!(super::size(1536), "1.5 KB");
        assert_eq!(super::size(691 << 20), "691 MB");
        assert_eq!(super::size(1_400_000_000), "1.3 GB");
    }
}
