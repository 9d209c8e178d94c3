//! OData as Microsoft Graph and Dataverse write it, read without data: the trees read, and the
//! refusals named.

use segment_formats::{parse_without_data, render_as, Format};
use serde_json::json;

fn tree(filter: &str) -> serde_json::Value {
    let (segment, _) =
        parse_without_data(Format::Odata, filter, None).unwrap_or_else(|e| panic!("{filter}: {e}"));
    serde_json::to_value(&segment.root).unwrap()
}

fn refusal(filter: &str) -> String {
    match parse_without_data(Format::Odata, filter, None) {
        Ok(s) => panic!("{filter} was read: {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn keywords_and_functions_in_any_case() {
    assert_eq!(
        tree("NOT(userType EQ 'Member')"),
        tree("not (userType eq 'Member')")
    );
    assert_eq!(
        tree("startsWith(mail, 'a') AND endsWith(mail, '.com')"),
        tree("startswith(mail, 'a') and endswith(mail, '.com')")
    );
    assert_eq!(
        tree("groupTypes/Any(c:c eq 'Unified')"),
        tree("groupTypes/any(c:c eq 'Unified')")
    );
}

#[test]
fn guids_are_text() {
    let t = tree("assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)");
    assert_eq!(
        t["children"][0]["filter"]["children"][0]["value"],
        json!("184efa21-98c3-4e5d-95ab-d07053a96e67")
    );
}

#[test]
fn in_with_null_is_one_of_or_null() {
    let t = tree("companyName in (null, 'Microsoft')");
    assert_eq!(t["combinator"], "or");
    assert_eq!(t["children"][0]["operator"], "is_one_of");
    assert_eq!(t["children"][0]["value"], json!(["Microsoft"]));
    assert_eq!(t["children"][1]["operator"], "is_null");
}

#[test]
fn all_on_related_records_is_not_any_not() {
    let (segment, schema) =
        parse_without_data(Format::Odata, "Items/all(d:d/Quantity gt 100)", None).unwrap();
    let english = render_as(Format::English, &segment, &schema, None).unwrap();
    assert!(english.contains("not"), "{english}");
    assert_eq!(
        render_as(Format::Odata, &segment, &schema, None).unwrap(),
        "not (Items/any(e: not (e/Quantity gt 100)))"
    );
}

#[test]
fn toupper_compares_ignoring_case() {
    let t = tree("toupper(CompanyName) eq 'ALFREDS FUTTERKISTE'");
    assert_eq!(t["children"][0]["operator"], "is");
    assert_eq!(t["children"][0]["case_sensitive"], false);
}

#[test]
fn what_the_tree_cannot_hold_is_refused_by_name() {
    for (filter, construct) in [
        (
            "Style has Sales.Pattern'Yellow'",
            "the has operator (enum flags)",
        ),
        (
            "microsoft.graph.user/displayName eq 'a'",
            "a type cast to microsoft.graph.user",
        ),
        ("isof(NorthwindModel.Order)", "the type function isof()"),
        (
            "Microsoft.Dynamics.CRM.Today(PropertyName='createdon')",
            "the Dataverse query function Microsoft.Dynamics.CRM.Today()",
        ),
        (
            "imAddresses/all(i:i eq 'a')",
            "the lambda variable i on its own",
        ),
        ("name eq \"x\"", "a double-quoted string"),
    ] {
        let message = refusal(filter);
        assert!(message.contains(construct), "{filter}: {message}");
        assert!(
            !message.contains("unexpected character"),
            "{filter}: {message}"
        );
    }
}
