//! Track rules (reference §5.2, §5.3): artist splitting, featured artists, title cleaning, genres,
//! filename fallbacks, lenient dates.
