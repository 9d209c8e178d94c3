//! The built-in demo data: realistic customers (`profiles`), their `events` and `orders`,
//! generated deterministically from a seed.
//!
//! **Time span.** Every timestamp lies in the two years before the fixed anchor [`ANCHOR`],
//! 2026-11-01T00:00:00Z (from 2024-11-01T00:00:00Z); nothing depends on the wall clock, so the
//! same seed and size always give the same rows. The anchor is stored in the file (SQLite
//! `application_id` [`APPLICATION_ID`] and `user_version` = the anchor in Unix seconds) and
//! [`crate::DataSource::suggested_now`] returns it: evaluating relative dates "as of" the anchor
//! gives stable counts.
//!
//! **Shape** (about 10 events and 0.8 orders per profile, skewed: many quiet profiles, a few
//! very active ones):
//! - `profiles(id INTEGER PRIMARY KEY, email TEXT NOT NULL, first_name TEXT, last_name TEXT,
//!   country TEXT, city TEXT, plan TEXT NOT NULL, age INTEGER, lifetime_value REAL NOT NULL,
//!   is_subscribed BOOLEAN, signed_up_at DATETIME NOT NULL, birth_date DATE,
//!   last_seen_at TIMESTAMP, tags JSON)`: ISO country codes with a realistic skew (about 3%
//!   NULL), cities per country (some `''`), plans free/starter/pro/enterprise, ages (10% NULL),
//!   lifetime value = the profile's paid orders, subscription flags (0/1, 8% NULL), signup times
//!   as Unix seconds (more recent ones more likely), birth dates `YYYY-MM-DD` matching the age
//!   (NULL where the age is, and some more), last seen as `YYYY-MM-DDTHH:MM:SSZ` (NULL without
//!   events), tags as JSON arrays (`'[]'` and NULL too);
//! - `events(id, profile_id INTEGER NOT NULL REFERENCES profiles(id), name TEXT NOT NULL,
//!   ts DATETIME NOT NULL, amount REAL, channel TEXT)`: page_view, login, add_to_cart, purchase
//!   (≈8%, with an amount), email_opened, email_clicked, support_ticket, churn_survey_answered;
//! - `orders(id, profile_id INTEGER NOT NULL REFERENCES profiles(id), status TEXT NOT NULL,
//!   total REAL NOT NULL, items INTEGER NOT NULL, placed_at DATETIME NOT NULL)`: one per purchase
//!   event, its status depending on its age.
//!
//! Indexes are the ones counting needs (see the SQLite count notes): `events(name, profile_id,
//! ts, amount)`, `orders(status, profile_id, placed_at, total)` and the high-cardinality numeric
//! and date columns of `profiles` (`signed_up_at`, `birth_date`, `last_seen_at`,
//! `lifetime_value`); then `ANALYZE` (with STAT4 histograms in the bundled SQLite). `age` is
//! deliberately not indexed: with ~70 distinct values the planner used its index for wide ranges
//! inside combined filters and looked up half the table row by row (3× slower than a scan at
//! 100k profiles), while a lone `age` condition scans in a few milliseconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::error::{Error, Result};

/// How many profiles the app generates on first start.
pub const DEFAULT_DEMO_PROFILES: u64 = 20_000;
/// The seed the app uses.
pub const DEFAULT_DEMO_SEED: u64 = 42;
/// The instant the demo data ends at: 2026-11-01T00:00:00Z, in Unix seconds.
pub const ANCHOR: i64 = 1_793_491_200;
/// The demo data covers the two years (730 days) before [`ANCHOR`].
pub const SPAN_SECONDS: i64 = 730 * 86_400;
/// SQLite `application_id` of demo files ("SBDM").
pub const APPLICATION_ID: i64 = 0x5342_444d;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub profiles: u64,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            profiles: DEFAULT_DEMO_PROFILES,
            seed: DEFAULT_DEMO_SEED,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub profiles: u64,
    pub events: u64,
    pub orders: u64,
    /// Size of the file written.
    pub bytes: u64,
    /// The anchor ("as of") instant, Unix seconds.
    pub anchor: i64,
    #[serde(skip)]
    pub elapsed: Duration,
}

pub(crate) fn anchor_of(application_id: i64, user_version: i64) -> Option<i64> {
    (application_id == APPLICATION_ID && user_version > 0).then_some(user_version)
}

/// Writes the demo data to `path` (replacing the file atomically: it is built beside it, then
/// renamed over it).
pub fn generate(path: impl AsRef<Path>, options: DemoOptions) -> Result<DemoSummary> {
    let path = path.as_ref();
    let started = Instant::now();
    let tmp = temp_path(path);
    let wrap = |e: Box<dyn std::error::Error + Send + Sync>| Error::Demo {
        path: path.to_path_buf(),
        source: e,
    };
    let _ = std::fs::remove_file(&tmp);
    let result = write(&tmp, options);
    let (profiles, events, orders) = match result {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(wrap(e.into()));
        }
    };
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(wrap(e.into()));
    }
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(DemoSummary {
        profiles,
        events,
        orders,
        bytes,
        anchor: ANCHOR,
        elapsed: started.elapsed(),
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

const SCHEMA: &str = "
CREATE TABLE profiles (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT,
  last_name TEXT,
  country TEXT,
  city TEXT,
  plan TEXT NOT NULL,
  age INTEGER,
  lifetime_value REAL NOT NULL,
  is_subscribed BOOLEAN,
  signed_up_at DATETIME NOT NULL,
  birth_date DATE,
  last_seen_at TIMESTAMP,
  tags JSON
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profiles(id),
  name TEXT NOT NULL,
  ts DATETIME NOT NULL,
  amount REAL,
  channel TEXT
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profiles(id),
  status TEXT NOT NULL,
  total REAL NOT NULL,
  items INTEGER NOT NULL,
  placed_at DATETIME NOT NULL
);
";

const INDEXES: &str = "
CREATE INDEX events_name_profile_ts_amount ON events(name, profile_id, ts, amount);
CREATE INDEX orders_status_profile_placed_total ON orders(status, profile_id, placed_at, total);
CREATE INDEX profiles_signed_up_at ON profiles(signed_up_at);
CREATE INDEX profiles_lifetime_value ON profiles(lifetime_value);
CREATE INDEX profiles_birth_date ON profiles(birth_date);
CREATE INDEX profiles_last_seen_at ON profiles(last_seen_at);
";

fn write(path: &Path, options: DemoOptions) -> rusqlite::Result<(u64, u64, u64)> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144; \
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {ANCHOR};"
    ))?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    let mut counts = (0u64, 0u64, 0u64);
    {
        let mut ins_profile = tx.prepare(
            "INSERT INTO profiles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        let mut ins_event = tx.prepare("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut ins_order = tx.prepare("INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut gen = Generator::new(options.seed);
        let mut events = Vec::new();
        for id in 1..=options.profiles as i64 {
            let p = gen.profile(id, &mut events);
            ins_profile.execute(params![
                id,
                p.email,
                p.first_name,
                p.last_name,
                p.country,
                p.city,
                p.plan,
                p.age,
                p.lifetime_value,
                p.is_subscribed,
                p.signed_up_at,
                p.birth_date,
                p.last_seen_at,
                p.tags,
            ])?;
            counts.0 += 1;
            for e in &events {
                counts.1 += 1;
                ins_event.execute(params![
                    counts.1 as i64,
                    id,
                    e.name,
                    e.ts,
                    e.amount,
                    e.channel
                ])?;
                if let Some(order) = &e.order {
                    counts.2 += 1;
                    ins_order.execute(params![
                        counts.2 as i64,
                        id,
                        order.status,
                        e.amount.unwrap_or(0.0),
                        order.items,
                        e.ts
                    ])?;
                }
            }
        }
    }
    tx.commit()?;
    conn.execute_batch(INDEXES)?;
    conn.execute_batch("ANALYZE;")?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(counts)
}

struct Profile {
    email: String,
    first_name: Option<&'static str>,
    last_name: Option<&'static str>,
    country: Option<&'static str>,
    city: Option<&'static str>,
    plan: &'static str,
    age: Option<i64>,
    lifetime_value: f64,
    is_subscribed: Option<bool>,
    signed_up_at: i64,
    birth_date: Option<String>,
    last_seen_at: Option<String>,
    tags: Option<String>,
}

struct Event {
    name: &'static str,
    ts: i64,
    amount: Option<f64>,
    channel: Option<&'static str>,
    order: Option<Order>,
}

struct Order {
    status: &'static str,
    items: i64,
}

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Sophie",
    "Mark",
    "Emma",
    "Paul",
    "Olivia",
    "Lucas",
    "Chloe",
    "Hugo",
    "Léa",
    "Liam",
    "Mia",
    "Noah",
    "Ava",
    "Luca",
    "Giulia",
    "Mateo",
    "Sofía",
    "Arjun",
    "Priya",
    "Kenji",
    "Yuki",
    "Lukas",
    "Anna",
    "Felix",
    "Hannah",
    "Oliver",
    "Amelia",
    "Jack",
    "Isla",
    "Gabriel",
    "Maria",
    "João",
    "Ana",
    "Wei",
    "Mei",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Müller",
    "Schmidt",
    "Schneider",
    "Dubois",
    "Moreau",
    "Laurent",
    "Rossi",
    "Russo",
    "Ferrari",
    "Silva",
    "Santos",
    "Oliveira",
    "Patel",
    "Sharma",
    "Singh",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Kowalski",
    "Nowak",
    "Andersson",
    "Johansson",
    "de Vries",
    "van Dijk",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Chen",
    "Wang",
    "Nguyen",
];
/// (country, weight, cities).
const COUNTRIES: &[(&str, u32, &[&str])] = &[
    (
        "US",
        380,
        &[
            "New York",
            "Los Angeles",
            "Chicago",
            "Houston",
            "Phoenix",
            "San Francisco",
            "Seattle",
            "Austin",
            "Boston",
            "Miami",
        ],
    ),
    (
        "GB",
        90,
        &[
            "London",
            "Manchester",
            "Birmingham",
            "Leeds",
            "Glasgow",
            "Bristol",
        ],
    ),
    (
        "CA",
        70,
        &["Toronto", "Vancouver", "Montréal", "Calgary", "Ottawa"],
    ),
    (
        "DE",
        70,
        &["Berlin", "Hamburg", "München", "Köln", "Frankfurt"],
    ),
    (
        "FR",
        60,
        &["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"],
    ),
    (
        "IN",
        50,
        &["Bengaluru", "Mumbai", "Delhi", "Hyderabad", "Pune"],
    ),
    (
        "BR",
        40,
        &["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"],
    ),
    ("AU", 40, &["Sydney", "Melbourne", "Brisbane", "Perth"]),
    ("ES", 30, &["Madrid", "Barcelona", "Valencia", "Sevilla"]),
    ("IT", 30, &["Milano", "Roma", "Torino", "Napoli"]),
    ("NL", 20, &["Amsterdam", "Rotterdam", "Utrecht"]),
    ("MX", 20, &["Ciudad de México", "Guadalajara", "Monterrey"]),
    ("JP", 20, &["Tokyo", "Osaka", "Yokohama"]),
    ("SE", 15, &["Stockholm", "Göteborg", "Malmö"]),
    ("PL", 15, &["Warszawa", "Kraków", "Wrocław"]),
    ("IE", 10, &["Dublin", "Cork"]),
    ("SG", 10, &["Singapore"]),
];
/// Out of 1000: the rest of the country weights is NULL.
const COUNTRY_NULL_PER_MILLE: u32 = 30;
const PLANS: &[(&str, u32)] = &[
    ("free", 55),
    ("starter", 25),
    ("pro", 15),
    ("enterprise", 5),
];
const EMAIL_DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 38),
    ("yahoo.com", 12),
    ("outlook.com", 10),
    ("hotmail.com", 8),
    ("icloud.com", 8),
    ("proton.me", 3),
    ("gmx.de", 3),
    ("orange.fr", 3),
    ("acme.com", 5),
    ("example.org", 4),
    ("globex.io", 3),
    ("initech.co", 3),
];
const EVENT_NAMES: &[(&str, u32)] = &[
    ("page_view", 40),
    ("login", 17),
    ("email_opened", 12),
    ("add_to_cart", 12),
    ("purchase", 8),
    ("email_clicked", 5),
    ("support_ticket", 4),
    ("churn_survey_answered", 2),
];
const CHANNELS: &[(&str, u32)] = &[("web", 55), ("ios", 22), ("android", 20)];
const TAGS: &[(&str, u32)] = &[
    ("newsletter", 40),
    ("vip", 12),
    ("beta", 12),
    ("early_adopter", 10),
    ("referral", 10),
    ("student", 8),
    ("churn_risk", 8),
];

/// A deterministic stream of choices. Only `next_u64` of ChaCha8 is used (and our own
/// conversions), so the data does not change with `rand`'s distribution algorithms.
struct Generator {
    rng: ChaCha8Rng,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((self.unit() * n as f64) as u64).min(n.saturating_sub(1))
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn profile(&mut self, id: i64, events: &mut Vec<Event>) -> Profile {
        let first_name = self.pick(FIRST_NAMES);
        let last_name = self.pick(LAST_NAMES);
        let domain = self.weighted(EMAIL_DOMAINS);
        let local = ascii_local(first_name, last_name);
        let mut email = match self.below(10) {
            0..=4 => format!("{}.{}@{domain}", local.0, local.1),
            5..=7 => format!("{}{}{}@{domain}", local.0, local.1, 10 + self.below(90)),
            _ => format!("{}{}{id}@{domain}", &local.0[..1], local.1),
        };
        if self.chance(0.03) {
            // Some people type their address capitalised.
            email = capitalise(&email);
        }

        let country_roll = self.below(1000) as u32;
        let (country, city) = if country_roll < COUNTRY_NULL_PER_MILLE {
            (None, None)
        } else {
            let (code, _, cities) = {
                let total: u32 = COUNTRIES.iter().map(|c| c.1).sum();
                let mut x = self.below(u64::from(total)) as u32;
                let mut chosen = COUNTRIES[0];
                for c in COUNTRIES {
                    if x < c.1 {
                        chosen = *c;
                        break;
                    }
                    x -= c.1;
                }
                chosen
            };
            let city = if self.chance(0.02) {
                Some("")
            } else {
                Some(self.pick(cities))
            };
            (Some(code), city)
        };

        let plan = self.weighted(PLANS);
        let age = if self.chance(0.10) {
            None
        } else {
            Some((37.0 + 12.0 * self.normal()).round().clamp(18.0, 90.0) as i64)
        };
        let is_subscribed = if self.chance(0.08) {
            None
        } else {
            Some(self.chance(0.63))
        };
        // More recent signups are more likely (a growing product).
        let signed_up_at =
            ANCHOR - SPAN_SECONDS + (SPAN_SECONDS as f64 * self.unit().sqrt()) as i64;
        let birth_date = match age {
            Some(age) if !self.chance(0.05) => Some(birth_date(age, self.below(365) as i64)),
            _ => None,
        };

        // Activity: exponential around ten events, more for paying plans.
        let activity = match plan {
            "free" => 8.5,
            "starter" => 11.0,
            "pro" => 13.0,
            _ => 15.0,
        };
        let n_events = ((-(1.0 - self.unit()).ln() * activity) as usize).min(400);
        events.clear();
        let active_span = (ANCHOR - signed_up_at).max(1);
        let mut times: Vec<i64> = (0..n_events)
            .map(|_| signed_up_at + self.below(active_span as u64) as i64)
            .collect();
        times.sort_unstable();
        let mut lifetime_value = 0.0;
        for ts in times {
            let name = self.weighted(EVENT_NAMES);
            let channel = if name.starts_with("email_") {
                Some("email")
            } else if self.chance(0.03) {
                None
            } else {
                Some(self.weighted(CHANNELS))
            };
            let (amount, order) = if name == "purchase" {
                let amount = cents((3.8 + 0.7 * self.normal()).exp().clamp(1.0, 5_000.0));
                let age_days = (ANCHOR - ts) / 86_400;
                let status = if age_days < 3 {
                    self.weighted(&[("pending", 40), ("paid", 30), ("shipped", 30)])
                } else if age_days < 14 {
                    self.weighted(&[("shipped", 50), ("delivered", 50)])
                } else {
                    self.weighted(&[("delivered", 85), ("cancelled", 9), ("refunded", 6)])
                };
                if !matches!(status, "cancelled" | "refunded") {
                    lifetime_value += amount;
                }
                let items = self.weighted(&[(1, 50), (2, 25), (3, 12), (4, 8), (5, 5)]);
                (Some(amount), Some(Order { status, items }))
            } else {
                (None, None)
            };
            events.push(Event {
                name,
                ts,
                amount,
                channel,
                order,
            });
        }
        let last_seen_at = events.last().map(|e| iso_datetime(e.ts));

        let tags = if self.chance(0.12) {
            None
        } else if self.chance(0.34) {
            Some("[]".to_string())
        } else {
            let mut chosen: Vec<&str> = Vec::new();
            if matches!(plan, "pro" | "enterprise") && self.chance(0.5) {
                chosen.push("vip");
            }
            let n = 1 + self.below(3) as usize;
            while chosen.len() < n {
                let t = self.weighted(TAGS);
                if !chosen.contains(&t) {
                    chosen.push(t);
                }
            }
            serde_json::to_string(&chosen).ok()
        };

        Profile {
            email,
            first_name: (!self.chance(0.03)).then_some(first_name),
            last_name: (!self.chance(0.03)).then_some(last_name),
            country,
            city,
            plan,
            age,
            lifetime_value: cents(lifetime_value),
            is_subscribed,
            signed_up_at,
            birth_date,
            last_seen_at,
            tags,
        }
    }
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Someone `age` years old at the anchor, born `offset` days (0–364) before that birthday.
fn birth_date(age: i64, offset: i64) -> String {
    let anchor = DateTime::from_timestamp(ANCHOR, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let year = anchor.year() - age as i32;
    let birthday = NaiveDate::from_ymd_opt(year, anchor.month(), anchor.day()).unwrap_or(anchor);
    (birthday - chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

fn iso_datetime(ts: i64) -> String {
    DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Email-safe lowercase ASCII forms of the names.
fn ascii_local(first: &str, last: &str) -> (String, String) {
    let fold = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                'a'..='z' | '0'..='9' => Some(c),
                'A'..='Z' => Some(c.to_ascii_lowercase()),
                'é' | 'è' | 'É' => Some('e'),
                'á' | 'ã' | 'à' => Some('a'),
                'í' => Some('i'),
                'ó' | 'ö' | 'õ' => Some('o'),
                'ú' | 'ü' | 'Ü' => Some('u'),
                'ç' => Some('c'),
                _ => None,
            })
            .collect()
    };
    (fold(first), fold(last))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_is_the_first_of_november_2026() {
        assert_eq!(iso_datetime(ANCHOR), "2026-11-01T00:00:00Z");
        assert_eq!(iso_datetime(ANCHOR - SPAN_SECONDS), "2024-11-01T00:00:00Z");
    }

    #[test]
    fn birth_dates_match_ages() {
        assert_eq!(birth_date(30, 0), "1996-11-01");
        assert_eq!(birth_date(30, 1), "1996-10-31");
    }
}
