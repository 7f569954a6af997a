//! Users, password hashing, tokens and sessions.
