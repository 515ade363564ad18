//! `banks lint`: questions that give each other away, across all the banks
//! given at once.
//!
//! - **Longest option**: participants learn that the longest option is
//!   usually right. Among single-choice questions with exactly one longest
//!   option (characters after NFC), the share whose key it is should stay
//!   at or below [`MAX_LONGEST_SHARE`] (a quarter would be chance with four
//!   options).
//! - **Key leaks**: a question's correct option, normalized (NFC, case
//!   folded, whitespace collapsed, trailing punctuation trimmed), written
//!   word for word in another question's stem, within a bank or across
//!   banks. Keys shorter than [`MIN_KEY_CHARS`] characters, generic ones
//!   ("Đúng", "Sai", "Cả A, B và C", …) and the keys of true/false
//!   questions are not searched. A leak between two questions of one
//!   exclusion group is covered: they never share a paper.
//! - **Reversed pairs**: X's key in Y's stem and Y's key in X's stem.
//! - **Near-duplicates**: stems whose sets of word 3-grams have a Jaccard
//!   similarity of at least [`NEAR_DUPLICATE_JACCARD`].
//! - **Proposed groups**: the connected components of leaks and
//!   near-duplicates not yet covered by a group, each with a slug to paste
//!   as `group = "…"` under each of its questions.

pub use super::lint_render::render_lint;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{Bank, Kind, Question, TRUE_FALSE_OPTIONS, refers_to_other_options};
use crate::domain::text::{fold_ascii, fold_for_compare, nfc};

/// A bank above this share of "the longest option is the key" fails the lint.
pub const MAX_LONGEST_SHARE: f64 = 0.30;
/// Keys shorter than this (in characters, normalized) are too common to be leaks.
pub const MIN_KEY_CHARS: usize = 6;
/// Stems at least this similar (Jaccard on word 3-grams) are near-duplicates.
/// A fixed rule, not a setting: 0.8 catches a question reworded by a few
/// words and leaves alone two questions that share a long citation.
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.8;
/// Words per shingle for near-duplicates.
const SHINGLE: usize = 3;
/// Keys that say nothing on their own, beyond those that refer to other options.
const GENERIC_KEYS: [&str; 5] = ["không đúng", "không có", "không phải", "không quy định", "chưa quy định"];

/// A question, by bank slug and key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct QuestionRef {
    /// The bank's slug.
    pub bank: String,
    /// The question's key.
    pub key: String,
}

impl std::fmt::Display for QuestionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.bank, self.key)
    }
}

/// How often one bank's longest option is its key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LongestShare {
    /// The bank's slug.
    pub bank: String,
    /// Single-choice questions whose one longest option is the key.
    pub longest_is_key: usize,
    /// Single-choice questions with exactly one longest option.
    pub with_one_longest: usize,
    /// `longest_is_key / with_one_longest` in percent (0 when there are none).
    pub percent: f64,
    /// Above [`MAX_LONGEST_SHARE`].
    pub too_high: bool,
}

/// One question's key written in another question's stem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Leak {
    /// The question whose key leaks.
    pub key_of: QuestionRef,
    /// The key, as written in the option.
    pub key_text: String,
    /// The question whose stem gives it away.
    pub in_stem_of: QuestionRef,
    /// The two are in one exclusion group (never on one paper): not an error.
    pub covered: bool,
}

/// Two questions that each give the other's key away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReversedPair {
    /// One question.
    pub a: QuestionRef,
    /// The other.
    pub b: QuestionRef,
    /// In different banks.
    pub cross_bank: bool,
    /// In one exclusion group.
    pub covered: bool,
}

/// Two stems that say nearly the same thing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearDuplicate {
    /// One question.
    pub a: QuestionRef,
    /// The other.
    pub b: QuestionRef,
    /// Jaccard similarity of their word 3-grams.
    pub similarity: f64,
    /// In one exclusion group.
    pub covered: bool,
}

/// Questions that should share an exclusion group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProposedGroup {
    /// A slug: a group some members already have, else `<bank>-<key>` of the first member.
    pub name: String,
    /// The questions, in bank and file order.
    pub members: Vec<QuestionRef>,
    /// Members that already have this group (nothing to paste for them).
    pub already: Vec<QuestionRef>,
}

/// Everything `banks lint` finds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LintReport {
    /// Banks checked, and questions in all.
    pub banks: usize,
    /// Questions in all.
    pub questions: usize,
    /// Per bank, in the order given.
    pub longest: Vec<LongestShare>,
    /// Every leak, covered or not, by key then stem.
    pub leaks: Vec<Leak>,
    /// Pairs that leak both ways.
    pub reversed: Vec<ReversedPair>,
    /// Near-duplicate stems.
    pub near_duplicates: Vec<NearDuplicate>,
    /// Questions whose own stem holds their key (no group can fix these).
    pub self_leaks: Vec<Leak>,
    /// Groups to add.
    pub proposed: Vec<ProposedGroup>,
}

impl LintReport {
    /// What concerns bank `slug`: its longest-option share, and the leaks,
    /// pairs, near-duplicates and proposed groups one of its questions is in.
    pub fn about(&self, slug: &str) -> LintReport {
        let ours = |q: &QuestionRef| q.bank == slug;
        LintReport {
            banks: self.banks,
            questions: self.questions,
            longest: self.longest.iter().filter(|s| s.bank == slug).cloned().collect(),
            leaks: self.leaks.iter().filter(|l| ours(&l.key_of) || ours(&l.in_stem_of)).cloned().collect(),
            reversed: self.reversed.iter().filter(|p| ours(&p.a) || ours(&p.b)).cloned().collect(),
            near_duplicates: self.near_duplicates.iter().filter(|d| ours(&d.a) || ours(&d.b)).cloned().collect(),
            self_leaks: self.self_leaks.iter().filter(|l| ours(&l.key_of)).cloned().collect(),
            proposed: self.proposed.iter().filter(|g| g.members.iter().any(ours)).cloned().collect(),
        }
    }

    /// Leaks that no exclusion group covers.
    pub fn uncovered_leaks(&self) -> impl Iterator<Item = &Leak> {
        self.leaks.iter().filter(|l| !l.covered)
    }

    /// Whether the banks pass: no bank above the longest-option share and
    /// no leak outside an exclusion group.
    pub fn passes(&self) -> bool {
        self.longest.iter().all(|s| !s.too_high) && self.uncovered_leaks().next().is_none()
    }
}

/// Text as the lint compares it: NFC, case folded, whitespace collapsed,
/// trailing punctuation trimmed.
pub fn normalize(s: &str) -> String {
    fold_for_compare(s).trim_end_matches(|c: char| c.is_whitespace() || ".,;:!?…".contains(c)).to_string()
}

/// Letters, digits and `/` make words (`27/12/2018` is one word, and
/// `12/2018` is not found inside it).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '/'
}

/// Whether `needle` occurs in `hay` with a word boundary on both sides.
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// The correct options of a question worth searching for, normalized, with the text as written.
fn searchable_keys(q: &Question) -> Vec<(String, String)> {
    if q.kind == Kind::TrueFalse {
        return Vec::new();
    }
    let generic: Vec<String> = TRUE_FALSE_OPTIONS.iter().chain(&GENERIC_KEYS).map(|g| normalize(g)).collect();
    q.answer
        .iter()
        .filter_map(|&i| q.options.get(i))
        .filter(|o| !refers_to_other_options(o))
        .map(|o| (normalize(o), o.clone()))
        .filter(|(n, _)| n.chars().count() >= MIN_KEY_CHARS && !generic.contains(n))
        .collect()
}

fn longest_share(bank: &Bank) -> LongestShare {
    let (mut hits, mut total) = (0, 0);
    for q in bank.questions.iter().filter(|q| q.kind == Kind::Single) {
        let lengths: Vec<usize> = q.options.iter().map(|o| nfc(o).chars().count()).collect();
        let Some(&max) = lengths.iter().max() else { continue };
        let longest: Vec<usize> = (0..lengths.len()).filter(|&i| lengths[i] == max).collect();
        if let [one] = longest.as_slice() {
            total += 1;
            hits += usize::from(q.answer == [*one]);
        }
    }
    let share = if total == 0 { 0.0 } else { hits as f64 / total as f64 };
    LongestShare {
        bank: bank.meta.slug.clone(),
        longest_is_key: hits,
        with_one_longest: total,
        percent: if total == 0 { 0.0 } else { hits as f64 * 100.0 / total as f64 },
        too_high: share > MAX_LONGEST_SHARE,
    }
}

/// The word 3-grams of a normalized stem (the whole stem when shorter).
fn shingles(stem: &str) -> HashSet<Vec<&str>> {
    let words: Vec<&str> = stem.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).collect();
    if words.len() < SHINGLE {
        return HashSet::from([words]);
    }
    words.windows(SHINGLE).map(<[&str]>::to_vec).collect()
}

fn jaccard<T: Eq + std::hash::Hash>(a: &HashSet<T>, b: &HashSet<T>) -> f64 {
    let common = a.intersection(b).count();
    let all = a.len() + b.len() - common;
    if all == 0 { 0.0 } else { common as f64 / all as f64 }
}

/// A slug from any key: ASCII, lower case, `-` between words, at most 64 characters.
fn slugify(s: &str) -> String {
    let folded = fold_ascii(s);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(64).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "nhom".into() } else { out }
}

struct Entry<'a> {
    at: QuestionRef,
    question: &'a Question,
    stem: String,
}

impl Entry<'_> {
    fn same_group(&self, other: &Entry<'_>) -> bool {
        self.question.group.is_some() && self.question.group == other.question.group
    }
}

/// Lints banks together (keys leak across banks too).
pub fn lint(banks: &[Bank]) -> LintReport {
    let entries: Vec<Entry<'_>> = banks
        .iter()
        .flat_map(|b| {
            b.questions.iter().map(move |q| Entry {
                at: QuestionRef { bank: b.meta.slug.clone(), key: q.key.clone() },
                question: q,
                stem: normalize(&q.text),
            })
        })
        .collect();
    let mut report = LintReport {
        banks: banks.len(),
        questions: entries.len(),
        longest: banks.iter().map(longest_share).collect(),
        ..LintReport::default()
    };
    // Edges between entries (by index) that no group covers yet.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut leaked: HashSet<(usize, usize)> = HashSet::new();
    for (x, ex) in entries.iter().enumerate() {
        for (key, written) in searchable_keys(ex.question) {
            for (y, ey) in entries.iter().enumerate() {
                if !contains_words(&ey.stem, &key) {
                    continue;
                }
                let leak = Leak {
                    key_of: ex.at.clone(),
                    key_text: written.clone(),
                    in_stem_of: ey.at.clone(),
                    covered: x != y && ex.same_group(ey),
                };
                if x == y {
                    report.self_leaks.push(leak);
                    continue;
                }
                if !leak.covered {
                    edges.push((x, y));
                }
                if leaked.insert((x, y)) && leaked.contains(&(y, x)) {
                    let (a, b) = if x < y { (x, y) } else { (y, x) };
                    report.reversed.push(ReversedPair {
                        a: entries[a].at.clone(),
                        b: entries[b].at.clone(),
                        cross_bank: entries[a].at.bank != entries[b].at.bank,
                        covered: leak.covered,
                    });
                }
                report.leaks.push(leak);
            }
        }
    }
    let grams: Vec<HashSet<Vec<&str>>> = entries.iter().map(|e| shingles(&e.stem)).collect();
    for a in 0..entries.len() {
        for b in a + 1..entries.len() {
            let similarity = jaccard(&grams[a], &grams[b]);
            if similarity >= NEAR_DUPLICATE_JACCARD {
                let covered = entries[a].same_group(&entries[b]);
                if !covered {
                    edges.push((a, b));
                }
                report.near_duplicates.push(NearDuplicate {
                    a: entries[a].at.clone(),
                    b: entries[b].at.clone(),
                    similarity,
                    covered,
                });
            }
        }
    }
    report.proposed = propose(&entries, &edges);
    report
}

/// The connected components of the uncovered edges, each with a name.
/// Questions of one existing group count as connected, so a component that
/// touches a group takes all of it (a question has one group: moving only
/// some members to another group would undo the first).
fn propose(entries: &[Entry<'_>], edges: &[(usize, usize)]) -> Vec<ProposedGroup> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn unite(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (root(parent, a), root(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut parent: Vec<usize> = (0..entries.len()).collect();
    let mut first_of_group: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(g) = e.question.group.as_deref() {
            let first = *first_of_group.entry(g).or_insert(i);
            unite(&mut parent, first, i);
        }
    }
    for &(a, b) in edges {
        unite(&mut parent, a, b);
    }
    let proposed: HashSet<usize> = edges.iter().map(|&(a, _)| root(&mut parent, a)).collect();
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..entries.len() {
        let r = root(&mut parent, i);
        if proposed.contains(&r) {
            components.entry(r).or_default().push(i);
        }
    }
    let mut used: HashSet<String> = entries.iter().filter_map(|e| e.question.group.clone()).collect();
    components
        .into_values()
        .map(|members| {
            // The group most members already have names the component (ties: the first by name).
            let mut existing: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in &members {
                if let Some(g) = entries[i].question.group.as_deref() {
                    *existing.entry(g).or_default() += 1;
                }
            }
            let reuse = existing.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(g, _)| *g);
            let name = match reuse {
                Some(g) => g.to_string(),
                None => {
                    let first = &entries[members[0]].at;
                    let base = slugify(&format!("{}-{}", first.bank, first.key));
                    let mut name = base.clone();
                    let mut n = 2;
                    while used.contains(&name) {
                        let stem: String = base.chars().take(60).collect();
                        name = format!("{}-{n}", stem.trim_end_matches('-'));
                        n += 1;
                    }
                    used.insert(name.clone());
                    name
                }
            };
            let already = members
                .iter()
                .filter(|&&i| entries[i].question.group.as_deref() == Some(name.as_str()))
                .map(|&i| entries[i].at.clone())
                .collect();
            ProposedGroup { name, members: members.iter().map(|&i| entries[i].at.clone()).collect(), already }
        })
        .collect()
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
