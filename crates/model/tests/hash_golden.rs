//! Hashes of 500 mixed-script, symbol and whitespace inputs, checked against values computed by an
//! independent Python implementation of reference §5.1 (Python's own `str` semantics, Unidecode,
//! xxhash). Guards the byte-for-byte compatibility that clients' stored hashes depend on.

use swingfly_model::hash::{hash_hex, hash_strings};

const GOLDEN: &str = include_str!("data/hash_golden.tsv");

#[test]
fn hashes_match_the_python_reference() {
    let mut checked = 0;
    for (number, line) in GOLDEN.split('\n').enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let transliterated = fields.next().expect("transliterated hash");
        let plain = fields.next().expect("plain hash");
        let parts: Vec<&str> = fields.collect();
        assert_eq!(
            hash_hex(hash_strings(&parts, true)),
            transliterated,
            "line {}: {parts:?}",
            number + 1
        );
        assert_eq!(
            hash_hex(hash_strings(&parts, false)),
            plain,
            "line {}: {parts:?}",
            number + 1
        );
        checked += 1;
    }
    assert_eq!(checked, 500);
}
