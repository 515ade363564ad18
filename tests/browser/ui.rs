//! What the browser tests that fill forms share: the two window sizes and
//! typing, clicking, waiting for a text and measuring a sideways scroll.

use std::time::Duration;

use serde_json::Value;

use crate::driver::Browser;

/// A desktop window and a phone's, with the name their screenshots carry.
pub const SIZES: [((u32, u32), &str); 2] = [((1280, 800), "desktop"), ((360, 740), "phone")];

/// Types `value` into the field `css` names, over what it held.
pub async fn fill(b: &Browser, css: &str, value: &str) {
    let input = b.find(css).await;
    input.clear().await.ok();
    input.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Clicks what `css` names.
pub async fn click(b: &Browser, css: &str) {
    b.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits until what `css` names says `needle`; its whole text.
pub async fn wait_text(b: &Browser, css: &str, needle: &str) -> String {
    b.wait_for(&format!("{css} to say “{needle}”"), Duration::from_secs(15), async || {
        b.text_of(css).await.filter(|t| t.contains(needle))
    })
    .await
}

/// Whether the page is wider than the window (a sideways scroll of the whole page).
pub async fn overflows(b: &Browser) -> bool {
    let v = b
        .client
        .execute("return document.documentElement.scrollWidth > window.innerWidth + 1;", vec![])
        .await
        .expect("measure the page");
    v == Value::Bool(true)
}
