use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime};

/// How long a record class is kept. Written in presets as "6 months", "12 months", "5 years",
/// "30 days", "keep" (no expiry) or "until <event>" (destroyed when the event is recorded,
/// e.g. "until sent" for a literature address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Months(u32),
    Years(u32),
    Keep,
    Until(String),
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        if s == "keep" {
            return Ok(Period::Keep);
        }
        if let Some(event) = s.strip_prefix("until ") {
            return Ok(Period::Until(event.trim().to_owned()));
        }
        let (n, unit) = s.split_once(' ').ok_or_else(|| bad(s))?;
        let n: u32 = n.parse().map_err(|_| bad(s))?;
        match unit.trim() {
            "day" | "days" => Ok(Period::Days(n)),
            "month" | "months" => Ok(Period::Months(n)),
            "year" | "years" => Ok(Period::Years(n)),
            _ => Err(bad(s)),
        }
    }

    /// When a record made at `start` expires, by the calendar (six months from 31 August is
    /// the last day of February), or `None` if time alone never expires it.
    pub fn expiry(&self, start: OffsetDateTime) -> Option<OffsetDateTime> {
        match self {
            Period::Days(n) => Some(start + time::Duration::days(i64::from(*n))),
            Period::Months(n) => Some(add_months(start, *n)),
            Period::Years(n) => Some(add_months(start, n * 12)),
            Period::Keep | Period::Until(_) => None,
        }
    }
}

fn bad(s: &str) -> String {
    format!("\"{s}\" is not a period: write e.g. \"6 months\", \"5 years\", \"keep\" or \"until sent\"")
}

fn add_months(t: OffsetDateTime, n: u32) -> OffsetDateTime {
    let total = t.year() * 12 + (t.month() as i32 - 1) + n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).expect("month in range");
    let day = t.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).expect("valid date");
    t.replace_date(date)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n} days"),
            Period::Months(n) => write!(f, "{n} months"),
            Period::Years(n) => write!(f, "{n} years"),
            Period::Keep => write!(f, "keep"),
            Period::Until(e) => write!(f, "until {e}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_follow_the_calendar() {
        let p = Period::parse("6 months").unwrap();
        assert_eq!(p.expiry(datetime!(2026-08-31 10:00 UTC)), Some(datetime!(2027-02-28 10:00 UTC)));
        assert_eq!(
            Period::parse("5 years").unwrap().expiry(datetime!(2024-02-29 0:00 UTC)),
            Some(datetime!(2029-02-28 0:00 UTC))
        );
    }

    #[test]
    fn events_and_keep_do_not_expire_by_time() {
        assert_eq!(Period::parse("until sent").unwrap(), Period::Until("sent".into()));
        assert_eq!(Period::parse("keep").unwrap().expiry(datetime!(2026-01-01 0:00 UTC)), None);
        assert!(Period::parse("six months").is_err());
    }
}
