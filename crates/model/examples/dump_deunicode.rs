//! Prints deunicode's transliteration of every code point, one "cp<TAB>escaped" line each (or
//! `<NONE>` where it has none). Input for `tools/gen_unidecode_compat.py`.

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for code_point in 0u32..0x110000 {
        let Some(c) = char::from_u32(code_point) else {
            continue;
        };
        match deunicode::deunicode_char(c) {
            Some(text) => writeln!(out, "{code_point}\t{}", text.escape_default())?,
            None => writeln!(out, "{code_point}\t<NONE>")?,
        }
    }
    out.flush()
}
