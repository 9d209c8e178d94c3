//! Calendar arithmetic for relative dates, all in UTC, from an explicit "now".
