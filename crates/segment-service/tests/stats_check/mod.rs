//! Checks shared by the warehouses' statistics tests: a warehouse's statistics against the
//! SQLite file's, and a sampled table against its exact statistics.

use segment_import::stats::EntityStats;

pub fn entity<'a>(stats: &'a [EntityStats], name: &str) -> &'a EntityStats {
    stats.iter().find(|e| e.name == name).unwrap()
}

/// Unsampled statistics equal the file's: rows, NULLs, distinct counts, min/max, top values.
pub fn same_as_file(warehouse: &[EntityStats], file: &[EntityStats]) {
    assert_eq!(warehouse.len(), file.len());
    for on_file in file {
        let there = entity(warehouse, &on_file.name);
        assert_eq!(there.rows, on_file.rows, "{}", on_file.name);
        assert_eq!(there.sampled_rows, None);
        for file_column in &on_file.columns {
            let Some(c) = there.columns.iter().find(|c| c.name == file_column.name) else {
                continue;
            };
            let at = format!("{}.{}", on_file.name, c.name);
            assert_eq!(c.nulls, file_column.nulls, "{at}");
            assert_eq!(c.distinct, file_column.distinct, "{at}");
            assert_eq!(c.min, file_column.min, "{at}");
            assert_eq!(c.max, file_column.max, "{at}");
            assert_eq!(c.top.len(), file_column.top.len(), "{at}");
            // Ties may order differently (collations): each value's count is the same.
            for t in &c.top {
                if let Some(f) = file_column.top.iter().find(|f| f.value == t.value) {
                    assert_eq!(t.count, f.count, "{at} {}", t.value);
                }
            }
            if let (Some(t), Some(f)) = (c.top.first(), file_column.top.first()) {
                assert_eq!(t.count, f.count, "{at}: the most frequent value's count");
            }
        }
    }
}

/// A sampled table: fewer rows read, no more distinct values than the whole, shares within
/// 0..1, the most frequent event name the same and its count scaled to within 30 %.
pub fn a_fair_sample(sampled: &EntityStats, exact: &EntityStats) {
    let read = sampled.sampled_rows.expect("the table is sampled");
    assert!(read > 0 && read < exact.rows / 2, "read {read} rows");
    for c in &sampled.columns {
        let e = exact.columns.iter().find(|x| x.name == c.name).unwrap();
        assert!(
            c.distinct <= e.distinct,
            "{}: a sample has no more values",
            c.name
        );
        assert!((0.0..=1.0).contains(&c.null_share), "{}", c.name);
    }
    let name =
        |s: &EntityStats| s.columns.iter().find(|c| c.name == "name").unwrap().top[0].clone();
    assert_eq!(name(sampled).value, name(exact).value);
    let scaled = name(sampled).count as f64 / name(exact).count as f64;
    assert!(
        (0.7..1.3).contains(&scaled),
        "scaled top count off by {scaled}"
    );
}
