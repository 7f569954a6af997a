//! Human strings that Swing Music produces server-side and clients show verbatim
//! ("3 hrs, 2 mins", "2 days ago", "5 plays").

fn plural(count: u64, singular: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {singular}s")
    }
}

/// A duration as "3 hrs, 2 mins", "1 hr", "45 mins" or "30 secs".
pub fn duration_text(seconds: u64) -> String {
    let hours = seconds / 3600;
    let minutes = (seconds % 3600) / 60;
    if hours > 0 {
        if minutes > 0 {
            format!("{}, {}", plural(hours, "hr"), plural(minutes, "min"))
        } else {
            plural(hours, "hr")
        }
    } else if minutes > 0 {
        plural(minutes, "min")
    } else {
        plural(seconds, "sec")
    }
}

/// "N play(s)", or `never` when there were none.
pub fn plays_text(playcount: u32, never: &str) -> String {
    if playcount == 0 {
        never.to_owned()
    } else {
        plural(u64::from(playcount), "play")
    }
}

/// "N tracks" / "1 track".
pub fn count_text(count: usize, singular: &str) -> String {
    plural(count as u64, singular)
}

/// How long ago `timestamp` was, relative to `now` (both unix seconds), in the style of
/// pendulum's `diff_for_humans`: "a few seconds ago", "1 minute ago", "3 days ago", "2 years ago".
/// A timestamp in the future reads as "a few seconds ago".
pub fn time_ago(timestamp: i64, now: i64) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const WEEK: i64 = 7 * DAY;
    const MONTH: i64 = 30 * DAY;
    const YEAR: i64 = 365 * DAY;

    let elapsed = now.saturating_sub(timestamp).max(0);
    let (count, unit) = if elapsed < 10 {
        return "a few seconds ago".to_owned();
    } else if elapsed < MINUTE {
        (elapsed, "second")
    } else if elapsed < HOUR {
        (elapsed / MINUTE, "minute")
    } else if elapsed < DAY {
        (elapsed / HOUR, "hour")
    } else if elapsed < WEEK {
        (elapsed / DAY, "day")
    } else if elapsed < MONTH {
        (elapsed / WEEK, "week")
    } else if elapsed < YEAR {
        (elapsed / MONTH, "month")
    } else {
        (elapsed / YEAR, "year")
    };
    format!("{} ago", plural(count as u64, unit))
}

/// The current time in unix seconds (0 if the clock is before 1970).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// The calendar year (UTC) of a unix timestamp.
pub fn year_of(timestamp: i64) -> i64 {
    swingfly_model::civil_from_unix(timestamp).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_swing() {
        assert_eq!(duration_text(3 * 3600 + 2 * 60 + 5), "3 hrs, 2 mins");
        assert_eq!(duration_text(3600), "1 hr");
        assert_eq!(duration_text(3600 + 60), "1 hr, 1 min");
        assert_eq!(duration_text(45 * 60), "45 mins");
        assert_eq!(duration_text(30), "30 secs");
        assert_eq!(duration_text(1), "1 sec");
        assert_eq!(duration_text(0), "0 secs");
    }

    #[test]
    fn time_ago_picks_the_largest_unit() {
        let now = 1_700_000_000;
        assert_eq!(time_ago(now - 3, now), "a few seconds ago");
        assert_eq!(time_ago(now + 100, now), "a few seconds ago");
        assert_eq!(time_ago(now - 30, now), "30 seconds ago");
        assert_eq!(time_ago(now - 60, now), "1 minute ago");
        assert_eq!(time_ago(now - 3 * 3600, now), "3 hours ago");
        assert_eq!(time_ago(now - 2 * 86_400, now), "2 days ago");
        assert_eq!(time_ago(now - 14 * 86_400, now), "2 weeks ago");
        assert_eq!(time_ago(now - 95 * 86_400, now), "3 months ago");
        assert_eq!(time_ago(now - 800 * 86_400, now), "2 years ago");
    }

    #[test]
    fn plays_and_counts_pluralise() {
        assert_eq!(plays_text(0, "unplayed"), "unplayed");
        assert_eq!(plays_text(1, "unplayed"), "1 play");
        assert_eq!(plays_text(7, "unplayed"), "7 plays");
        assert_eq!(count_text(1, "track"), "1 track");
        assert_eq!(count_text(0, "track"), "0 tracks");
    }

    #[test]
    fn years_follow_the_calendar() {
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(1_577_836_800), 2020); // 2020-01-01T00:00:00Z
        assert_eq!(year_of(1_577_836_799), 2019);
        assert_eq!(year_of(951_782_400), 2000); // 2000-02-29
        assert_eq!(year_of(-1), 1969);
    }
}
