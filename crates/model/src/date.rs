//! Lenient parsing of date tags into unix seconds (UTC), as Swing's year parsing does:
//! "2020" → 2020-01-01T00:00:00Z, full dates and date-times too.

/// Parses a date tag: "YYYY", "YYYY-MM", "YYYY-MM-DD" (separators "-", "/" or "."),
/// "YYYYMMDD", "MM/DD/YYYY" (day first when the first number exceeds 12), each optionally
/// followed by a time "HH:MM[:SS[.fff]]" and a zone ("Z", "UTC", "±HH[:MM]"). `None` when the
/// text is not a valid date.
pub fn parse_date(raw: &str) -> Option<i64> {
    let text = raw.trim();
    let date_len = text
        .find(|c: char| c == 'T' || c == 't' || c.is_whitespace())
        .unwrap_or(text.len());
    let (date_part, time_part) = text.split_at(date_len);
    let (year, month, day) = parse_calendar_date(date_part)?;
    let (seconds, offset) = parse_time_and_zone(time_part.get(1..).unwrap_or("").trim())?;
    Some(days_from_civil(year, month, day) * 86_400 + seconds - offset)
}

fn parse_calendar_date(text: &str) -> Option<(i64, u32, u32)> {
    let mut split = text.split(['-', '/', '.']);
    let mut fields = [""; 3];
    let mut count = 0;
    for field in split.by_ref().take(3) {
        fields[count] = field;
        count += 1;
    }
    if split.next().is_some() {
        return None;
    }
    let (year, month, day) = match &fields[..count] {
        [compact] if compact.len() == 8 => (
            number(&compact[..4])?,
            number(&compact[4..6])?,
            number(&compact[6..])?,
        ),
        [year] if year.len() == 4 => (number(year)?, 1, 1),
        [year, month] if year.len() == 4 => (number(year)?, number(month)?, 1),
        [year, month, day] if year.len() == 4 => (number(year)?, number(month)?, number(day)?),
        [first, second, year] if year.len() == 4 && first.len() <= 2 && second.len() <= 2 => {
            let (first, second) = (number(first)?, number(second)?);
            if first > 12 {
                (number(year)?, second, first)
            } else {
                (number(year)?, first, second)
            }
        }
        _ => return None,
    };
    let valid = (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month);
    valid.then_some((i64::from(year), month, day))
}

/// Seconds since midnight and the zone offset in seconds, from "HH:MM[:SS[.fff]][zone]".
fn parse_time_and_zone(text: &str) -> Option<(i64, i64)> {
    if text.is_empty() {
        return Some((0, 0));
    }
    let zone_at = text
        .find(|c: char| c == 'Z' || c == 'z' || c == '+' || c == '-' || c.is_whitespace())
        .unwrap_or(text.len());
    let (clock, zone) = text.split_at(zone_at);
    let mut split = clock.split(':');
    let fields = [split.next(), split.next(), split.next(), split.next()];
    let (hour, minute, second) = match fields {
        [Some(hour), Some(minute), None, None] => (number(hour)?, number(minute)?, 0),
        [Some(hour), Some(minute), Some(second), None] => {
            let whole = second.split(['.', ',']).next().unwrap_or(second);
            (number(hour)?, number(minute)?, number(whole)?)
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some((seconds, parse_zone(zone.trim())?))
}

fn parse_zone(zone: &str) -> Option<i64> {
    if zone.is_empty()
        || zone.eq_ignore_ascii_case("z")
        || zone.eq_ignore_ascii_case("utc")
        || zone.eq_ignore_ascii_case("gmt")
    {
        return Some(0);
    }
    let sign = match zone.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|&c| c != ':').collect();
    let (hours, minutes) = match digits.len() {
        2 => (number(&digits)?, 0),
        4 => (number(&digits[..2])?, number(&digits[2..])?),
        _ => return None,
    };
    (hours <= 23 && minutes <= 59).then_some(sign * i64::from(hours * 3600 + minutes * 60))
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

// `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
#[allow(clippy::manual_is_multiple_of)]
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The UTC calendar date `(year, month, day)` of a unix timestamp (the inverse of
/// `days_from_civil`, Howard Hinnant's algorithm).
pub fn civil_from_unix(timestamp: i64) -> (i64, u32, u32) {
    let z = timestamp.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_become_new_year_midnight_utc() {
        assert_eq!(parse_date("2020"), Some(1_577_836_800));
        assert_eq!(parse_date(" 1970 "), Some(0));
        assert_eq!(parse_date("1969"), Some(-31_536_000));
    }

    #[test]
    fn full_dates_and_times() {
        assert_eq!(parse_date("2020-03-01"), Some(1_583_020_800));
        assert_eq!(parse_date("2020/03/01"), Some(1_583_020_800));
        assert_eq!(parse_date("2020.03.01"), Some(1_583_020_800));
        assert_eq!(parse_date("20200301"), Some(1_583_020_800));
        assert_eq!(parse_date("2020-03"), Some(1_583_020_800));
        assert_eq!(parse_date("03/01/2020"), Some(1_583_020_800));
        assert_eq!(parse_date("31/01/2020"), Some(1_580_428_800));
        assert_eq!(
            parse_date("2020-03-01T12:30:15Z"),
            Some(1_583_020_800 + 45_015)
        );
        assert_eq!(parse_date("2020-03-01 12:30"), Some(1_583_020_800 + 45_000));
        assert_eq!(
            parse_date("2020-03-01T12:30:15.250+02:00"),
            Some(1_583_020_800 + 45_015 - 7_200)
        );
        assert_eq!(parse_date("2020-02-29"), Some(1_582_934_400));
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "Unknown",
            "20",
            "2020-13-01",
            "2019-02-29",
            "0000",
            "2020-03-01T25:00",
            "abcd",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for (timestamp, date) in [
            (0, (1970, 1, 1)),
            (951_782_400, (2000, 2, 29)),
            (1_699_920_000, (2023, 11, 14)),
            (-86_400, (1969, 12, 31)),
        ] {
            assert_eq!(civil_from_unix(timestamp), date);
            assert_eq!(civil_from_unix(timestamp + 86_399), date);
            let (year, month, day) = date;
            assert_eq!(days_from_civil(year, month, day) * 86_400, timestamp);
        }
    }
}
