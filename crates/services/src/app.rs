//! The application handle: store, live index, scan pipeline.
