//! LRC lyrics parsing (helper: lyrics).
