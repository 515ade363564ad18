//! Text written in Moodle's editor arrives as HTML (`[html]<p dir="ltr">…</p>`).
//! hoithi shows question texts as plain text, so HTML becomes the text a
//! reader saw: tags dropped, block elements (`p`, `div`, `br`, `li`, headings,
//! table rows) as line breaks, list items with a leading "- ", entities
//! decoded (`&quot;` → `"`), and the content of `script`, `style` and the
//! like dropped entirely. Nothing of the markup survives, so nothing unsafe
//! can: the result is escaped like any other text when shown.

/// Elements whose content is not text a reader saw.
const DROPPED: [&str; 6] = ["script", "style", "head", "title", "template", "noscript"];
/// Elements that start and end a line.
const BLOCKS: [&str; 16] =
    ["p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"];

/// The plain text an HTML fragment shows.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut dropping: Option<&'static str> = None;
    while let Some(lt) = rest.find('<') {
        if dropping.is_none() {
            out.push_str(&decode(&rest[..lt]));
        }
        let after = &rest[lt..];
        if let Some(end) = after.strip_prefix("<!--").and_then(|c| c.find("-->")) {
            rest = &after[4 + end + 3..];
            continue;
        }
        let Some(tag) = tag(after) else {
            if dropping.is_none() {
                out.push('<');
            }
            rest = &after[1..];
            continue;
        };
        rest = &after[tag.len..];
        match dropping {
            Some(name) if tag.closing && tag.name == name => dropping = None,
            Some(_) => {}
            None => {
                if let Some(&name) = DROPPED.iter().find(|d| **d == tag.name) {
                    if !tag.closing && !tag.self_closing {
                        dropping = Some(name);
                    }
                } else if BLOCKS.contains(&tag.name.as_str()) {
                    line_break(&mut out);
                    if tag.name == "li" && !tag.closing {
                        out.push_str("- ");
                    }
                }
            }
        }
    }
    if dropping.is_none() {
        out.push_str(&decode(rest));
    }
    tidy(&out)
}

/// One tag at the start of `s` (which starts with `<`).
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    /// Bytes, `<` to `>` included.
    len: usize,
}

fn tag(s: &str) -> Option<Tag> {
    let body = &s[1..];
    let (closing, body) = match body.strip_prefix('/') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let name: String = body.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // The end of the tag, skipping `>` inside quoted attribute values.
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                let self_closing = s[..i].ends_with('/');
                return Some(Tag { name: name.to_ascii_lowercase(), closing, self_closing, len: i + 1 });
            }
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).replace('\u{a0}', " ")
}

fn line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Runs of spaces as one, lines trimmed, no empty lines.
fn tidy(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn moodle_editor_text_becomes_what_the_reader_saw() {
        let html = "<p dir=\"ltr\" style=\"text-align: left;\">Theo &quot;Nghị định&quot; số <strong>61/2018</strong>,</p>\
                    <p>bộ phận nào&nbsp;tiếp nhận?<br>Chọn một.</p>";
        assert_eq!(to_text(html), "Theo \"Nghị định\" số 61/2018,\nbộ phận nào tiếp nhận?\nChọn một.");
    }

    #[test]
    fn unsafe_content_is_dropped_and_lists_keep_their_items() {
        let html = "<script>alert('x')</script><ul><li>Một</li><li onclick=\"a>b\">Hai</li></ul><style>p{}</style>";
        assert_eq!(to_text(html), "- Một\n- Hai");
        assert_eq!(to_text("<img src=x onerror=alert(1)>Ảnh"), "Ảnh");
        assert_eq!(to_text("<!-- ghi chú -->Chữ"), "Chữ");
    }

    #[test]
    fn text_that_only_looks_like_html_is_kept() {
        assert_eq!(to_text("a < b và c > d"), "a < b và c > d");
        assert_eq!(to_text("5 &lt; 6 &amp; &#7853;"), "5 < 6 & ậ");
        assert_eq!(to_text("<1 năm"), "<1 năm");
        assert_eq!(to_text("mở <b chưa đóng"), "mở <b chưa đóng");
    }
}
