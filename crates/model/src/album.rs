//! Album rules (reference §5.4): title cleaning, version labels and album types.
