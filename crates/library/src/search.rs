//! Typo-tolerant, accent- and case-folding search over names and titles.
