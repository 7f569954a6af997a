//! `start`/`limit` slicing as Swing's routes do it, minus the off-by-one: a negative limit (the
//! clients send -1) means "everything from `start`", never "all but the last item".

/// The window `[start, start + limit)` of `items`, clamped to the slice. A negative `limit` means
/// no limit.
pub fn page<T>(items: &[T], start: usize, limit: i64) -> &[T] {
    let start = start.min(items.len());
    let rest = &items[start..];
    match usize::try_from(limit) {
        Ok(limit) => &rest[..limit.min(rest.len())],
        Err(_) => rest,
    }
}

/// True when items remain after the window `[start, start + limit)`.
pub fn has_more(total: usize, start: usize, limit: i64) -> bool {
    match usize::try_from(limit) {
        Ok(limit) => start.saturating_add(limit) < total,
        Err(_) => false,
    }
}

/// Turns an optional cap into a `take` count: negative or absent means unlimited.
pub(crate) fn cap(limit: i64) -> usize {
    usize::try_from(limit).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_clamp_and_negative_means_all() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(page(&items, 0, 2), &[1, 2]);
        assert_eq!(page(&items, 3, 10), &[4, 5]);
        assert_eq!(page(&items, 0, -1), &items);
        assert_eq!(page(&items, 4, -1), &[5]);
        assert_eq!(page(&items, 9, 2), &[] as &[i32]);
        assert_eq!(page(&items, 0, 0), &[] as &[i32]);
    }

    #[test]
    fn more_is_reported_only_when_items_remain() {
        assert!(has_more(5, 0, 4));
        assert!(!has_more(5, 0, 5));
        assert!(!has_more(5, 3, -1));
        assert!(!has_more(0, 0, 30));
    }
}
