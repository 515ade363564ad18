//! The contest rules ("thể lệ") are Markdown written by organizers; raw HTML
//! in them is shown as text, never interpreted.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"].iter().any(|s| lower.starts_with(s)) { CowStr::Borrowed("#") } else { url }
}

/// Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
        }
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn raw_html_is_escaped() {
        let h = to_html("**Thể lệ**\n\n<script>alert(1)</script>");
        assert!(h.contains("<strong>Thể lệ</strong>"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;"));
    }

    #[test]
    fn links_cannot_run_script() {
        let h = to_html("[x](javascript:alert(1))");
        assert!(!h.contains("href=\"javascript:"), "{h}");
    }
}
