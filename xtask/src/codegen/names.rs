//! Turning wire names into Rust names: fields in snake_case, types and enum
//! variants in PascalCase, keywords escaped.

/// Splits a wire name into lowercase words at `_`, `-`, spaces, punctuation
/// and case changes (`diskSizeGB` → `disk`, `size`, `gb`; `H100_80GB` →
/// `h100`, `80gb`).
fn words(wire: &str) -> Vec<String> {
    let chars: Vec<char> = wire.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (index, &character) in chars.iter().enumerate() {
        if !character.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if character.is_ascii_uppercase() && !current.is_empty() {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(char::is_ascii_lowercase);
            // `fooBar` and the `B` of `GPUBar` both start a word; `GPU` does not.
            if previous.is_ascii_lowercase() || (previous.is_ascii_uppercase() && next_is_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(character.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `isFile` → `is_file`, `{GPUType}` → `gpu_type`, `amount_usd` → `amount_usd`.
pub(crate) fn snake_case(wire: &str) -> String {
    let joined = words(wire).join("_");
    match joined.chars().next() {
        Some(first) if first.is_ascii_digit() => format!("n_{joined}"),
        Some(_) => joined,
        None => "value".to_owned(),
    }
}

/// `ip` → `Ip`, `RTX3070_8GB` → `Rtx3070_8gb`, `on-demand` → `OnDemand`.
///
/// Words are joined without a separator, except between two digits, where
/// an underscore keeps `3070` and `8` apart (rustc's camel-case lint allows it).
pub(crate) fn pascal_case(wire: &str) -> String {
    let mut out = String::new();
    for word in words(wire) {
        let ends_with_digit = out.chars().last().is_some_and(|c| c.is_ascii_digit());
        if ends_with_digit && word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    match out.chars().next() {
        Some(first) if first.is_ascii_digit() => format!("N{out}"),
        Some(_) => out,
        None => "Empty".to_owned(),
    }
}

/// Whether a field name needs the raw-identifier form (`r#type`).
pub(crate) fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_snake_case_fields() {
        for (wire, field) in [
            ("isFile", "is_file"),
            ("diskSizeGB", "disk_size_gb"),
            ("amount_usd", "amount_usd"),
            ("{GPUType}", "gpu_type"),
            ("sshConnection", "ssh_connection"),
            ("HTTPBearer", "http_bearer"),
            ("priceHr", "price_hr"),
            ("8x", "n_8x"),
        ] {
            assert_eq!(snake_case(wire), field, "{wire}");
        }
    }

    #[test]
    fn enum_values_become_pascal_case_variants() {
        for (wire, variant) in [
            ("ACTIVE", "Active"),
            ("RTX3070_8GB", "Rtx3070_8gb"),
            ("H100_80GB", "H100_80gb"),
            ("on-demand", "OnDemand"),
            ("linux/amd64", "LinuxAmd64"),
            ("1x", "N1x"),
            ("", "Empty"),
        ] {
            assert_eq!(pascal_case(wire), variant, "{wire}");
        }
    }
}
