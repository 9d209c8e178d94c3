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
            "Microsoft.Dynamics.CRM.ThisWeek(PropertyName='createdon')",
            "the Dataverse query function Microsoft.Dynamics.CRM.ThisWeek()",
        ),
        (
            "Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=3)",
            "the Dataverse query function Microsoft.Dynamics.CRM.LastXDays()",
        ),
        (
            "Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')",
            "the Dataverse query function Microsoft.Dynamics.CRM.EqualUserId()",
        ),
        (
            "imAddresses/all(i:startswith(i,'a'))",
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

#[test]
fn dataverse_query_functions_are_the_models_operators() {
    for (filter, operator, value) in [
        (
            "Microsoft.Dynamics.CRM.Today(PropertyName='createdon')",
            "this_period",
            json!("day"),
        ),
        (
            "Microsoft.Dynamics.CRM.Yesterday(PropertyName='createdon')",
            "last_period",
            json!("day"),
        ),
        (
            "Microsoft.Dynamics.CRM.NextMonth(PropertyName='createdon')",
            "next_period",
            json!("month"),
        ),
        (
            "Microsoft.Dynamics.CRM.LastYear(PropertyName='createdon')",
            "last_period",
            json!("year"),
        ),
        (
            "Microsoft.Dynamics.CRM.LastXHours(PropertyName='modifiedon',PropertyValue=12)",
            "in_the_last",
            json!({"amount": 12, "unit": "hour"}),
        ),
        (
            "Microsoft.Dynamics.CRM.OlderThanXMinutes(PropertyName='modifiedon',PropertyValue=30)",
            "more_than_ago",
            json!({"amount": 30, "unit": "minute"}),
        ),
        (
            "Microsoft.Dynamics.CRM.OnOrAfter(PropertyName='createdon',PropertyValue='2024-05-01')",
            "on_or_after",
            json!("2024-05-01"),
        ),
        (
            "Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['Contoso','Fabrikam'])",
            "is_one_of",
            json!(["Contoso", "Fabrikam"]),
        ),
        (
            "Microsoft.Dynamics.CRM.NotBetween(PropertyName='revenue',PropertyValues=[10,20])",
            "not_between",
            json!([10, 20]),
        ),
    ] {
        let t = tree(filter);
        assert_eq!(t["children"][0]["operator"], operator, "{filter}: {t}");
        assert_eq!(t["children"][0]["value"], value, "{filter}: {t}");
    }
    // Combined with standard OData, and in any case.
    let t = tree("Microsoft.Dynamics.CRM.Today(PropertyName='createdon') and statecode eq 0");
    assert_eq!(t["children"].as_array().map(Vec::len), Some(2));
}

/// Lambdas testing the items of a list of text: "has an item starting/ending with, containing"
/// and "every item is" (`all`, true on an empty list), read, written back and said in English.
#[test]
fn string_functions_and_all_on_list_items() {
    for (filter, operator, value, odata, english) in [
        (
            "proxyAddresses/any(x:startsWith(x,'smtp:my'))",
            "any_item_starts_with",
            "smtp:my",
            "proxyAddresses/any(v: startswith(v, 'smtp:my'))",
            "has an item starting with",
        ),
        (
            "mails/any(m: endswith(m, '.org'))",
            "any_item_ends_with",
            ".org",
            "mails/any(v: endswith(v, '.org'))",
            "has an item ending with",
        ),
        (
            "tags/ANY(t: contains(t, 'vi'))",
            "any_item_contains",
            "vi",
            "tags/any(v: contains(v, 'vi'))",
            "has an item containing",
        ),
        (
            "imAddresses/all(i:i eq 'admin@contoso.com')",
            "every_item_is",
            "admin@contoso.com",
            "imAddresses/all(v: v eq 'admin@contoso.com')",
            "has only items equal to",
        ),
    ] {
        let (segment, schema) = parse_without_data(Format::Odata, filter, None).unwrap();
        let root = serde_json::to_value(&segment.root).unwrap();
        assert_eq!(root["children"][0]["operator"], json!(operator), "{filter}");
        assert_eq!(root["children"][0]["value"], json!(value), "{filter}");
        let written = render_as(Format::Odata, &segment, &schema, None).unwrap();
        assert_eq!(written, odata);
        let (again, _) = parse_without_data(Format::Odata, &written, None).unwrap();
        assert_eq!(again.root, segment.root, "{written}");
        let said = render_as(Format::English, &segment, &schema, None).unwrap();
        assert!(said.contains(english), "{said}");
    }
    // `all` with a string function, and a test on something other than the item, stay refused.
    let why = refusal("tags/any(t: startswith('x', t))");
    assert!(why.contains("cannot be imported"), "{why}");
}
