//! Import over tricky files: what lands in SQLite (types, NULLs, exact values), what
//! `segment-source`'s introspection reads back, and every failure located and harmless.

use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::Connection;
use segment_import::{
    import, preview, CancelToken, ColumnType, Error, ImportRequest, Link, OnError, Phase, Store,
};
use segment_model::{DataType, Storage};
use segment_source::DataSource;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(req: &ImportRequest) -> Result<segment_import::ImportReport, Error> {
    import(req, &mut |_| {}, &CancelToken::new())
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}
fn i(n: i64) -> Value {
    Value::Integer(n)
}

#[test]
fn quoted_delimiters_newlines_bom_and_empty_fields() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\u{feff}id,name,note,score\n1,\"Smith, Jane\",\"line one\nline two\",3.5\n2,O'Brien,\"she said \"\"hi\"\"\",\n3,,,-1\n";
    let file = write(dir.path(), "people.csv", csv.as_bytes());
    let db = dir.path().join("data.sqlite");
    let report = run(&ImportRequest::new(&file, &db)).unwrap();
    assert!(report.dialect.bom);
    assert_eq!(report.table, "people");
    assert_eq!(report.rows, 3);
    assert_eq!(report.key, "id");
    let got = rows(&db, "SELECT id, name, note, score FROM people ORDER BY id");
    assert_eq!(
        got,
        vec![
            vec![
                i(1),
                t("Smith, Jane"),
                t("line one\nline two"),
                Value::Real(3.5)
            ],
            vec![i(2), t("O'Brien"), t("she said \"hi\""), Value::Null],
            vec![i(3), Value::Null, Value::Null, Value::Real(-1.0)],
        ]
    );
    // Empty fields are NULL, never ''.
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM people WHERE name = '' OR note = ''"
        ),
        vec![vec![i(0)]]
    );
}

#[test]
fn types_are_inferred_over_the_whole_file_and_introspected_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,Customer Number,Is VIP,active,signed_up_at,birth_date,seen,amount,tags,code,big,mixed,nothing\n");
    for n in 1..=300 {
        let late = if n % 10 == 0 { "x" } else { "7" }; // 10% text: `mixed` is text
        csv.push_str(&format!(
            "{n},{},{},{},{},1990-01-{:02},2024-03-0{}T10:00:00{},{}.25,\"[\"\"a\"\",{n}]\",00{n},{},{late},\n",
            n % 7,
            n % 2,
            if n % 3 == 0 { "TRUE" } else { "no" },
            1_700_000_000 + n,
            n % 28 + 1,
            n % 9 + 1,
            ["Z", "+02:00", "", ".123Z", "-0500"][n as usize % 5],
            n,
            if n == 1 { "123456789012345678901234567890".to_string() } else { n.to_string() },
        ));
    }
    let file = write(dir.path(), "Customers 2024.csv", csv.as_bytes());
    let db = dir.path().join("data.sqlite");
    let report = run(&ImportRequest::new(&file, &db)).unwrap();
    assert_eq!(report.table, "customers_2024");
    let types: Vec<(&str, ColumnType)> = report
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.ty))
        .collect();
    assert_eq!(
        types,
        [
            ("id", ColumnType::Integer),
            ("customer_number", ColumnType::Integer),
            ("is_vip", ColumnType::Boolean),
            ("active", ColumnType::Boolean),
            ("signed_up_at", ColumnType::Datetime),
            ("birth_date", ColumnType::Date),
            ("seen", ColumnType::Datetime),
            ("amount", ColumnType::Real),
            ("tags", ColumnType::JsonArray),
            ("code", ColumnType::Text),
            ("big", ColumnType::Text),
            ("mixed", ColumnType::Text),
            ("nothing", ColumnType::Text),
        ]
    );
    assert_eq!(report.columns[1].header, "Customer Number");
    // Values: exact, converted.
    let first = rows(&db, "SELECT is_vip, active, signed_up_at, seen, tags, code, big FROM customers_2024 WHERE id = 1");
    assert_eq!(
        first[0],
        vec![
            i(1),
            i(0),
            i(1_700_000_001),
            i(1_709_287_200 - 7200 + 86_400), // 2024-03-02T10:00:00+02:00
            t("[\"a\",1]"),
            t("001"),
            t("123456789012345678901234567890"),
        ]
    );
    // Introspection reads the declared types back as the right data types and storages.
    let source = DataSource::open_read_only(&db).unwrap();
    let entity = source.schema().entity("customers_2024").unwrap();
    let kind = |c: &str| {
        let col = entity.column(c).unwrap();
        (col.data_type, col.storage)
    };
    assert_eq!(entity.key, "id");
    assert_eq!(kind("is_vip"), (DataType::Boolean, Storage::Boolean));
    assert_eq!(
        kind("signed_up_at"),
        (DataType::Datetime, Storage::UnixSeconds)
    );
    assert_eq!(kind("seen"), (DataType::Datetime, Storage::UnixSeconds));
    assert_eq!(kind("birth_date"), (DataType::Datetime, Storage::IsoDate));
    assert_eq!(kind("amount"), (DataType::Number, Storage::Real));
    assert_eq!(
        kind("customer_number"),
        (DataType::Number, Storage::Integer)
    );
    assert_eq!(kind("tags"), (DataType::Array, Storage::JsonArray));
    assert_eq!(kind("code"), (DataType::Text, Storage::Text));
    assert!(entity.column("nothing").unwrap().nullable);
    assert!(!entity.column("amount").unwrap().nullable);
    // A date/numeric base table gets its indexes, then ANALYZE ran.
    assert!(
        report
            .indexes
            .iter()
            .any(|i| i == "customers_2024(signed_up_at)"),
        "{:?}",
        report.indexes
    );
    assert_eq!(
        rows(&db, "SELECT count(*) > 0 FROM sqlite_stat1")[0][0],
        i(1)
    );
}

#[test]
fn declared_types_and_bad_values_abort_with_nothing_written_or_import_as_null() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,age\n");
    for n in 1..=250 {
        csv.push_str(&format!(
            "{n},{}\n",
            if n == 7 || n == 120 {
                "n/a".to_string()
            } else {
                (n % 90).to_string()
            }
        ));
    }
    let file = write(dir.path(), "ages.csv", csv.as_bytes());
    let db = dir.path().join("new.sqlite");
    let err = run(&ImportRequest::new(&file, &db)).unwrap_err();
    let Error::BadValues { bad, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(bad.total, 2);
    assert_eq!(
        (
            bad.first[0].line,
            bad.first[0].column,
            bad.first[0].value.as_str()
        ),
        (8, 2, "n/a")
    );
    assert_eq!(bad.first[1].line, 121);
    assert!(
        err.to_string()
            .contains("line 8, column 2 (age): \"n/a\" is not integer"),
        "{err}"
    );
    assert!(!db.exists(), "nothing written");

    let mut req = ImportRequest::new(&file, &db);
    req.on_error = OnError::Null;
    let report = run(&req).unwrap();
    assert_eq!(report.bad_values.total, 2);
    assert_eq!(report.columns[1].nulls, 2);
    assert_eq!(
        rows(&db, "SELECT count(*), count(age) FROM ages")[0],
        vec![i(250), i(248)]
    );

    // A declared type wins over inference, and is checked the same way.
    let mut req = ImportRequest::new(&file, &db);
    req.table = Some("ages_text".into());
    req.types.insert("age".into(), ColumnType::Text);
    let report = run(&req).unwrap();
    assert!(report.columns[1].overridden);
    assert_eq!(
        rows(&db, "SELECT age FROM ages_text WHERE id = 7")[0][0],
        t("n/a")
    );
    let mut req = ImportRequest::new(&file, dir.path().join("other.sqlite"));
    req.types.insert("nope".into(), ColumnType::Text);
    assert!(matches!(run(&req), Err(Error::UnknownOverride { .. })));
}

#[test]
fn non_utf8_truncated_and_malformed_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let latin1 = write(
        dir.path(),
        "latin1.csv",
        b"id,city\n1,Paris\n2,M\xfcnchen\n",
    );
    let err = run(&ImportRequest::new(&latin1, &db)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotUtf8 {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not UTF-8"), "{err}");

    let utf16 = write(dir.path(), "utf16.csv", b"\xff\xfei\x00d\x00");
    assert!(run(&ImportRequest::new(&utf16, &db))
        .unwrap_err()
        .to_string()
        .contains("UTF-16"));

    let truncated = write(dir.path(), "cut.csv", b"id,name,score\n1,ann,3\n2,bo");
    let err = run(&ImportRequest::new(&truncated, &db)).unwrap_err();
    assert!(
        err.to_string().contains("line 3") && err.to_string().contains("truncated"),
        "{err}"
    );

    let cut_json = write(dir.path(), "cut.ndjson", b"{\"id\":1}\n{\"id\":2,\"na");
    let err = run(&ImportRequest::new(&cut_json, &db)).unwrap_err();
    assert!(
        err.to_string().contains("line 2") && err.to_string().contains("truncated"),
        "{err}"
    );

    let empty = write(dir.path(), "empty.csv", b"");
    assert!(matches!(
        run(&ImportRequest::new(&empty, &db)),
        Err(Error::Empty { .. })
    ));
    assert!(!db.exists());
}

#[test]
fn unterminated_quote_at_the_end_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let file = write(
        dir.path(),
        "cut.csv",
        b"id,note\n1,\"fine\"\n2,\"never closed\n3,x\n",
    );
    let err = run(&ImportRequest::new(&file, &db)).unwrap_err();
    assert!(
        err.to_string().contains("truncated") || err.to_string().contains("quote"),
        "{err}"
    );
}

#[test]
fn ndjson_semicolons_tabs_and_hostile_headers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let nd = "{\"id\":1,\"name\":\"a\",\"tags\":[\"x\"],\"ok\":true,\"at\":\"2024-01-01T00:00:00Z\"}\n\n{\"id\":2,\"name\":null,\"tags\":[],\"ok\":false,\"extra\":{\"k\":1}}\n";
    let file = write(dir.path(), "events.ndjson", nd.as_bytes());
    let report = run(&ImportRequest::new(&file, &db)).unwrap();
    let types: Vec<(&str, ColumnType)> = report
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.ty))
        .collect();
    assert_eq!(
        types,
        [
            ("id", ColumnType::Integer),
            ("name", ColumnType::Text),
            ("tags", ColumnType::JsonArray),
            ("ok", ColumnType::Boolean),
            ("at", ColumnType::Datetime),
            ("extra", ColumnType::Text),
        ]
    );
    assert_eq!(
        rows(&db, "SELECT name, ok, at, extra FROM events WHERE id = 2")[0],
        vec![Value::Null, i(0), Value::Null, t("{\"k\":1}")]
    );

    let semi = write(dir.path(), "semi.csv", "a;b\n\"1;2\";3\n4;5\n".as_bytes());
    let report = run(&ImportRequest::new(&semi, &db)).unwrap();
    assert_eq!(report.dialect.delimiter, ';');
    assert_eq!(
        rows(&db, "SELECT a, b FROM semi ORDER BY b")[0],
        vec![t("1;2"), i(3)]
    );

    let tsv = write(dir.path(), "tabs.tsv", b"x\ty\n1\t2\n");
    assert_eq!(
        run(&ImportRequest::new(&tsv, &db))
            .unwrap()
            .dialect
            .delimiter,
        '\t'
    );

    let hostile = write(
        dir.path(),
        "h.csv",
        "\"a\"\"; DROP TABLE events; --\",Name,name,,1st\n1,2,3,4,5\n".as_bytes(),
    );
    let mut req = ImportRequest::new(&hostile, &db);
    req.table = Some("x\"; DROP TABLE events; --".into());
    let report = run(&req).unwrap();
    assert_eq!(report.table, "x_drop_table_events");
    let names: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["a_drop_table_events", "name", "name_2", "column_4", "c_1st"]
    );
    assert_eq!(rows(&db, "SELECT count(*) FROM events")[0][0], i(2));

    // The same table again: refused, unless replaced.
    assert!(matches!(
        run(&ImportRequest::new(&tsv, &db)),
        Err(Error::TableExists(_))
    ));
    let mut again = ImportRequest::new(&tsv, &db);
    again.replace = true;
    run(&again).unwrap();
}

#[test]
fn ndjson_values_are_taken_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let nd = "{ \"name\" : \"a\\\"b\\u00e9\", \"n\": 1.50, \"big\": 123456789012345678901234567890, \"list\": [1, 2] }\n{\"name\": \"\", \"n\": 2}\n";
    let file = write(dir.path(), "w.jsonl", nd.as_bytes());
    let report = run(&ImportRequest::new(&file, &db)).unwrap();
    let types: Vec<ColumnType> = report.columns.iter().map(|c| c.ty).collect();
    assert_eq!(
        types,
        [
            ColumnType::Text,
            ColumnType::Real,
            ColumnType::Text,
            ColumnType::JsonArray
        ]
    );
    assert_eq!(
        rows(&db, "SELECT name, n, big, list FROM w ORDER BY rowid"),
        vec![
            vec![
                t("a\"bé"),
                Value::Real(1.5),
                t("123456789012345678901234567890"),
                t("[1, 2]")
            ],
            vec![Value::Null, Value::Real(2.0), Value::Null, Value::Null],
        ]
    );
    let bad = write(dir.path(), "bad.ndjson", b"{\"a\":1}\n[1,2]\n");
    let err = run(&ImportRequest::new(&bad, &db)).unwrap_err();
    assert!(
        err.to_string().contains("line 2: not a JSON object"),
        "{err}"
    );
}

#[test]
fn crlf_line_endings_and_quoted_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let file = write(
        dir.path(),
        "win.csv",
        b"id,note,when\r\n1,\"a\r\nb\",2024-01-01 10:00:00\r\n2,,2024-01-02T10:00:00+01:00\r\n",
    );
    let report = run(&ImportRequest::new(&file, &db)).unwrap();
    assert_eq!(report.rows, 2);
    assert_eq!(report.columns[2].ty, ColumnType::Datetime);
    assert_eq!(
        rows(&db, "SELECT note, \"when\" FROM win ORDER BY id"),
        vec![
            vec![t("a\r\nb"), i(1_704_103_200)],
            vec![Value::Null, i(1_704_186_000)]
        ]
    );
}

#[test]
fn headerless_files_and_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "raw.csv", b"1,2024-01-01,abc\n2,2024-01-02,\n");
    let p = preview(&ImportRequest::new(&file, dir.path().join("x.sqlite")), 1).unwrap();
    assert!(!p.dialect.has_header);
    assert_eq!(
        p.rows,
        vec![vec![
            Some("1".to_string()),
            Some("2024-01-01".to_string()),
            Some("abc".to_string())
        ]]
    );
    let names: Vec<(&str, ColumnType)> =
        p.columns.iter().map(|c| (c.name.as_str(), c.ty)).collect();
    assert_eq!(
        names,
        [
            ("column_1", ColumnType::Integer),
            ("column_2", ColumnType::Date),
            ("column_3", ColumnType::Text)
        ]
    );
    assert!(!dir.path().join("x.sqlite").exists());
}

#[test]
fn cancelling_leaves_the_data_source_as_it_was_and_progress_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite");
    let mut csv = String::from("id,name,value\n");
    for n in 0..50_000 {
        csv.push_str(&format!("{n},name {n},{}\n", n as f64 / 3.0));
    }
    let file = write(dir.path(), "big.csv", csv.as_bytes());
    let small = write(dir.path(), "small.csv", b"id\n1\n");
    run(&ImportRequest::new(&small, &db)).unwrap();
    let before = std::fs::read(&db).unwrap();

    let cancel = CancelToken::new();
    let mut phases = Vec::new();
    let token = cancel.clone();
    let result = import(
        &ImportRequest::new(&file, &db),
        &mut |p| {
            phases.push(p.phase);
            if p.phase == Phase::Loading {
                token.cancel();
            }
        },
        &cancel,
    );
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(phases.contains(&Phase::Scanning));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the existing data source is unchanged"
    );
    assert_eq!(
        rows(&db, "SELECT count(*) FROM sqlite_schema WHERE name = 'big'")[0][0],
        i(0)
    );

    // A new data source is not created at all.
    let fresh = dir.path().join("fresh.sqlite");
    let cancel = CancelToken::new();
    cancel.cancel();
    assert!(matches!(
        import(&ImportRequest::new(&file, &fresh), &mut |_| {}, &cancel),
        Err(Error::Cancelled)
    ));
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());

    // Progress is reported, with rows and bytes.
    let mut last = None;
    import(
        &ImportRequest::new(&file, &fresh),
        &mut |p| last = Some(p.clone()),
        &CancelToken::new(),
    )
    .unwrap();
    let last = last.unwrap();
    assert_eq!(last.phase, Phase::Analyzing);
}

#[test]
fn files_the_app_does_not_own_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("theirs.sqlite");
    Connection::open(&theirs)
        .unwrap()
        .execute_batch("CREATE TABLE t(x)")
        .unwrap();
    let file = write(dir.path(), "a.csv", b"x\n1\n");
    assert!(matches!(
        run(&ImportRequest::new(&file, &theirs)),
        Err(Error::NotOwned(_))
    ));
}

#[test]
fn relationships_are_proposed_confirmed_into_the_sidecar_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let customers = write(
        dir.path(),
        "customers.csv",
        b"id,name\n1,ann\n2,bob\n3,cy\n",
    );
    let mut orders = String::from("id,customer_id,status,total,placed_at\n");
    for n in 1..=40 {
        orders.push_str(&format!(
            "{n},{},{},{}.5,2024-05-{:02}T12:00:00Z\n",
            n % 3 + 1,
            ["paid", "refunded"][n % 2],
            n,
            n % 28 + 1
        ));
    }
    let orders = write(dir.path(), "orders.csv", orders.as_bytes());
    let report = run(&ImportRequest::new(&orders, &db)).unwrap();
    assert_eq!(
        report.indexes,
        ["orders(status, customer_id, placed_at, total)"]
    );
    assert!(report.proposals.is_empty(), "no customers yet");
    let report = run(&ImportRequest::new(&customers, &db)).unwrap();
    assert_eq!(report.proposals.len(), 1);
    let p = &report.proposals[0];
    assert_eq!(
        (
            p.child.as_str(),
            p.child_column.as_str(),
            p.parent.as_str(),
            p.parent_column.as_str()
        ),
        ("orders", "customer_id", "customers", "id")
    );
    assert_eq!(p.matched_share, 1.0);
    assert_eq!(p.time_column.as_deref(), Some("placed_at"));

    let store = Store::new(dir.path().join("app").join("sources.json"));
    store.add_link(&db, p.link(), None).unwrap();
    let opened = segment_import::open(&db, Some(&store)).unwrap();
    let rel = opened.schema.relationship("customers", "orders").unwrap();
    assert_eq!(rel.id, p.id);
    assert_eq!(rel.time_column.as_deref(), Some("placed_at"));
    let back = opened.schema.relationship("orders", "customer").unwrap();
    assert_eq!(back.id, p.reverse_id);
    // Nothing was written to the data source for it.
    assert!(
        segment_import::relate::propose(&opened.source, &opened.schema)
            .unwrap()
            .is_empty()
    );
    assert!(DataSource::open_read_only(&db)
        .unwrap()
        .schema()
        .relationships
        .is_empty());

    // Removing it.
    let link = Link {
        child: "orders".into(),
        child_column: "customer_id".into(),
        parent: "customers".into(),
        parent_column: "id".into(),
    };
    assert!(store.remove_link(&db, &link).unwrap());
    assert!(segment_import::open(&db, Some(&store))
        .unwrap()
        .schema
        .relationships
        .is_empty());
}

#[test]
fn statistics_describe_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let file = write(
        dir.path(),
        "p.csv",
        b"id,country,age,tags,is_vip,seen_at\n1,US,30,\"[\"\"vip\"\"]\",1,2024-01-01T00:00:00Z\n2,US,,[],0,\n3,FR,50,\"[\"\"vip\"\",\"\"beta\"\"]\",1,2024-02-01T00:00:00Z\n4,,20,,,\n",
    );
    run(&ImportRequest::new(&file, &db)).unwrap();
    let opened = segment_import::open(&db, None).unwrap();
    let stats = segment_import::stats::compute(&opened.source, &opened.schema, &Default::default())
        .unwrap();
    let p = &stats[0];
    assert_eq!(p.rows, 4);
    let col = |n: &str| p.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(col("country").nulls, 1);
    assert_eq!(col("country").null_share, 0.25);
    assert_eq!(col("country").distinct, 2);
    assert_eq!(col("country").top[0].value, "US");
    assert_eq!(col("country").top[0].count, 2);
    assert_eq!(col("age").min, Some(serde_json::json!(20)));
    assert_eq!(col("age").max, Some(serde_json::json!(50)));
    assert_eq!(
        col("seen_at").min,
        Some(serde_json::json!("2024-01-01T00:00:00Z"))
    );
    assert_eq!(col("tags").top[0].value, "vip");
    assert_eq!(col("tags").top[0].count, 2);
    assert_eq!(col("is_vip").top[0].value, true);
    assert_eq!(p.sampled_rows, None);

    // A large table: distinct counts and top values from a sample, counts scaled; NULLs exact.
    let stats = segment_import::stats::compute_with(
        &opened.source,
        &opened.schema,
        &Default::default(),
        3,
        2,
    )
    .unwrap();
    let p = &stats[0];
    assert_eq!(p.sampled_rows, Some(2)); // rows 2 and 4
    let col = |n: &str| p.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(col("country").nulls, 1);
    assert_eq!(
        col("country").top,
        [segment_import::stats::TopValue {
            value: "US".into(),
            count: 2
        }]
    );
    assert_eq!(col("age").max, Some(serde_json::json!(50)));
}
