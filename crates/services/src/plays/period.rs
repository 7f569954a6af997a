//! The time windows of the listening charts: the current week (from the local Monday), month, year
//! or all time, and the window of equal length just before it that trends compare against.
//!
//! Swing compared against everything before the current period began; here the previous window is
//! exactly as long as the current one has run so far, so on a Wednesday noon this week's charts are
//! compared with the two and a half days before Monday, and totals compare like with like.

use chrono::{DateTime, Datelike, Duration, Local, LocalResult, NaiveDate, TimeZone};

/// A chart period (`?duration=` on the `/logger/top-*` routes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Year,
    AllTime,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        match text {
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "year" => Some(Period::Year),
            "alltime" => Some(Period::AllTime),
            _ => None,
        }
    }
}

/// Unix seconds, `start <= t < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

impl Window {
    pub fn contains(&self, timestamp: i64) -> bool {
        self.start <= timestamp && timestamp < self.end
    }
}

/// The windows of one chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// From the period's start; open-ended, so a play stamped a little ahead of the server's clock
    /// still counts.
    pub current: Window,
    /// As long as `current` has run until `now`, ending where `current` starts. None for all time.
    pub previous: Option<Window>,
    /// Where the current period starts, for the "MMM D, YYYY - MMM D, YYYY" text (for all time:
    /// the first play, given by the caller).
    pub shown_from: i64,
}

/// The windows of `period` at `now`, in `now`'s time zone. `first_play` (unix seconds) is where
/// all time starts for the date text.
pub fn windows<Tz: TimeZone>(
    period: Period,
    now: &DateTime<Tz>,
    first_play: Option<i64>,
) -> Windows {
    let now_ts = now.timestamp();
    let start = match period {
        Period::AllTime => {
            let shown_from = first_play.unwrap_or(now_ts).min(now_ts);
            return Windows {
                current: Window {
                    start: i64::MIN,
                    end: i64::MAX,
                },
                previous: None,
                shown_from,
            };
        }
        Period::Week => {
            let today = now.date_naive();
            let since_monday = i64::from(today.weekday().num_days_from_monday());
            local_midnight(&now.timezone(), today - Duration::days(since_monday))
        }
        Period::Month => local_midnight(
            &now.timezone(),
            now.date_naive().with_day(1).unwrap_or(now.date_naive()),
        ),
        Period::Year => {
            let first = NaiveDate::from_ymd_opt(now.year(), 1, 1).unwrap_or(now.date_naive());
            local_midnight(&now.timezone(), first)
        }
    };
    let start = start.min(now_ts);
    let length = now_ts - start;
    Windows {
        current: Window {
            start,
            end: i64::MAX,
        },
        previous: Some(Window {
            start: start - length,
            end: start,
        }),
        shown_from: start,
    }
}

/// The windows of `period` now, in the server's local time zone, and now in unix seconds.
pub fn windows_now(period: Period, first_play: Option<i64>) -> (Windows, i64) {
    let now = Local::now();
    (windows(period, &now, first_play), now.timestamp())
}

/// The first instant of `date` in `zone`, in unix seconds. Where midnight does not exist (a DST
/// jump at midnight) the day starts at the first valid hour.
fn local_midnight<Tz: TimeZone>(zone: &Tz, date: NaiveDate) -> i64 {
    for hour in 0..24 {
        let Some(naive) = date.and_hms_opt(hour, 0, 0) else {
            continue;
        };
        match zone.from_local_datetime(&naive) {
            LocalResult::Single(at) => return at.timestamp(),
            LocalResult::Ambiguous(earliest, _) => return earliest.timestamp(),
            LocalResult::None => continue,
        }
    }
    date.and_hms_opt(0, 0, 0)
        .map(|naive| naive.and_utc().timestamp())
        .unwrap_or(0)
}

/// "Nov 23, 2026 - Nov 25, 2026": from `from` to `to` (unix seconds) as dates in `zone`.
pub fn dates_text<Tz: TimeZone>(zone: &Tz, from: i64, to: i64) -> String
where
    Tz::Offset: std::fmt::Display,
{
    format!("{} - {}", date_text(zone, from), date_text(zone, to))
}

fn date_text<Tz: TimeZone>(zone: &Tz, at: i64) -> String
where
    Tz::Offset: std::fmt::Display,
{
    match zone.timestamp_opt(at, 0) {
        LocalResult::Single(date) | LocalResult::Ambiguous(date, _) => {
            date.format("%b %-d, %Y").to_string()
        }
        LocalResult::None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, Utc};

    use super::*;

    fn at<Tz: TimeZone>(zone: &Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Tz> {
        zone.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn week_starts_on_the_local_monday_and_previous_is_as_long() {
        // Wednesday 25 Nov 2026, 12:00 UTC.
        let now = at(&Utc, 2026, 11, 25, 12, 0);
        let w = windows(Period::Week, &now, None);
        let monday = at(&Utc, 2026, 11, 23, 0, 0).timestamp();
        assert_eq!(w.current.start, monday);
        let length = now.timestamp() - monday;
        assert_eq!(length, 2 * 86_400 + 12 * 3600);
        assert_eq!(
            w.previous,
            Some(Window {
                start: monday - length,
                end: monday
            })
        );
        assert!(
            w.current.contains(now.timestamp() + 30),
            "a clock slightly ahead still counts"
        );
        assert!(!w.current.contains(monday - 1));
    }

    #[test]
    fn monday_is_local_not_utc() {
        // Monday 23 Nov 2026 01:30 at UTC+3 is still Sunday 22:30 UTC: the local week has begun.
        let zone = FixedOffset::east_opt(3 * 3600).unwrap();
        let now = at(&zone, 2026, 11, 23, 1, 30);
        let w = windows(Period::Week, &now, None);
        assert_eq!(w.current.start, at(&zone, 2026, 11, 23, 0, 0).timestamp());
        assert_eq!(w.current.start, at(&Utc, 2026, 11, 22, 21, 0).timestamp());
        // On a Sunday the week began six days earlier.
        let sunday = at(&zone, 2026, 11, 29, 23, 0);
        assert_eq!(
            windows(Period::Week, &sunday, None).current.start,
            at(&zone, 2026, 11, 23, 0, 0).timestamp()
        );
    }

    #[test]
    fn month_and_year_start_on_their_first_local_day() {
        let zone = FixedOffset::west_opt(5 * 3600).unwrap();
        let now = at(&zone, 2026, 3, 10, 8, 0);
        let month = windows(Period::Month, &now, None);
        let first = at(&zone, 2026, 3, 1, 0, 0).timestamp();
        assert_eq!(month.current.start, first);
        let previous = month.previous.unwrap();
        assert_eq!(previous.end, first);
        assert_eq!(previous.end - previous.start, now.timestamp() - first);

        let year = windows(Period::Year, &now, None);
        assert_eq!(year.current.start, at(&zone, 2026, 1, 1, 0, 0).timestamp());
        assert_eq!(
            year.previous.unwrap().start,
            2 * year.current.start - now.timestamp()
        );
    }

    #[test]
    fn at_the_very_start_of_a_period_the_previous_window_is_empty() {
        let now = at(&Utc, 2026, 11, 23, 0, 0);
        let w = windows(Period::Week, &now, None);
        let previous = w.previous.unwrap();
        assert_eq!(previous.start, previous.end);
        assert!(!previous.contains(previous.start));
    }

    #[test]
    fn all_time_has_no_previous_window_and_shows_from_the_first_play() {
        let now = at(&Utc, 2026, 11, 25, 12, 0);
        let first = at(&Utc, 2024, 2, 29, 9, 0).timestamp();
        let w = windows(Period::AllTime, &now, Some(first));
        assert!(w.current.contains(0) && w.current.contains(now.timestamp()));
        assert_eq!(w.previous, None);
        assert_eq!(w.shown_from, first);
        assert_eq!(
            dates_text(&Utc, w.shown_from, now.timestamp()),
            "Feb 29, 2024 - Nov 25, 2026"
        );
        assert_eq!(
            windows(Period::AllTime, &now, None).shown_from,
            now.timestamp()
        );
    }

    #[test]
    fn dates_text_uses_the_zone_and_unpadded_days() {
        let zone = FixedOffset::east_opt(10 * 3600).unwrap();
        // 31 Dec 2025 20:00 UTC is already 1 Jan 2026 in UTC+10.
        let from = at(&Utc, 2025, 12, 31, 20, 0).timestamp();
        let to = at(&Utc, 2026, 1, 5, 0, 0).timestamp();
        assert_eq!(dates_text(&zone, from, to), "Jan 1, 2026 - Jan 5, 2026");
    }

    #[test]
    fn periods_parse_from_swing_names() {
        assert_eq!(Period::parse("week"), Some(Period::Week));
        assert_eq!(Period::parse("alltime"), Some(Period::AllTime));
        assert_eq!(Period::parse("decade"), None);
    }
}
