//! The GIFT parser: one question block at a time.

use super::*;

/// A file being read, question block by question block.
pub(super) struct Parser<'f> {
    pub(super) file: &'f str,
    /// What was read so far.
    pub(super) read: Read,
    /// Questions seen so far, skipped ones included.
    pub(super) ordinal: usize,
    /// From the `// hoithi bank: …`, `// hoithi title: …`, `// hoithi topic: …`
    /// and `// hoithi replaced: …; …` lines.
    pub(super) bank: [Option<String>; 4],
    /// Keys taken from titles, with their lines.
    pub(super) title_keys: HashMap<String, usize>,
    /// Lines of questions whose difficulty defaulted to medium.
    pub(super) defaulted: Vec<usize>,
    /// `$CATEGORY` lines not naming the file's bank: line and category.
    pub(super) categories: Vec<(usize, String)>,
}

impl Parser<'_> {
    /// What was read, with the bank the file names, if it names one.
    pub(super) fn finish(self) -> Read {
        let [slug, title, topic, replaced] = self.bank;
        let bank = slug.map(|slug| BankMeta {
            title: title.unwrap_or_else(|| slug.clone()),
            topic: topic.unwrap_or_else(|| slug.clone()),
            slug,
            replaced_documents: replaced
                .map(|r| r.split(';').map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect())
                .unwrap_or_default(),
        });
        Read { bank, ..self.read }
    }

    /// One warning for every category of the file.
    pub(super) fn categories_warning(&mut self) {
        let Some(&(first, _)) = self.categories.first() else { return };
        // Distinct names in file order, in linear time: a file may hold many thousands.
        let mut seen = std::collections::HashSet::new();
        let names: Vec<&str> = self.categories.iter().map(|(_, c)| c.as_str()).filter(|c| seen.insert(*c)).collect();
        let shown: Vec<String> = names.iter().take(5).map(|c| format!("\"{c}\"")).collect();
        let more = if names.len() > 5 { format!(" và {} danh mục khác", names.len() - 5) } else { String::new() };
        let message = format!(
            "{} dòng $CATEGORY ({}{more}) bị bỏ qua: ngân hàng được chọn khi nhập, không theo danh mục của tệp",
            self.categories.len(),
            shown.join(", ")
        );
        self.push(Severity::Warning, first, None, message);
    }

    pub(super) fn push(&mut self, severity: Severity, line: usize, key: Option<&str>, message: String) {
        self.read.problems.push(Problem {
            severity,
            file: self.file.to_string(),
            line: Some(line),
            key: key.map(str::to_string),
            message,
        });
    }

    /// Reports a question that cannot be read, and skips it.
    fn skip(&mut self, line: usize, key: &str, message: &str) {
        self.read.skipped += 1;
        self.push(Severity::Warning, line, Some(key), format!("{message}; câu hỏi bị bỏ qua"));
    }

    fn unsupported(&mut self, line: usize, key: &str, kind: &str) {
        self.skip(line, key, &format!("dòng {line}: loại câu hỏi {kind} của GIFT không được hoithi hỗ trợ"));
    }

    fn directive(&mut self, d: &mut Directives, line: usize, body: &str) {
        let mut seen = true;
        for (i, name) in ["hoithi bank:", "hoithi title:", "hoithi topic:", "hoithi replaced:"].into_iter().enumerate()
        {
            if let Some(v) = body.strip_prefix(name) {
                self.bank[i] = Some(unescape(v.trim()));
                return;
            }
        }
        // hoithi's exports before the bank named its title this way.
        if let Some(v) = body.strip_prefix("title:")
            && self.bank[0].is_some()
            && self.read.drafts.is_empty()
            && self.ordinal == 0
        {
            self.bank[1].get_or_insert_with(|| unescape(v.trim()));
            return;
        }
        if let Some(v) = body.strip_prefix("source:") {
            d.source = Some(unescape(v.trim()));
        } else if let Some(v) = body.strip_prefix("as_of:") {
            let v = v.trim();
            d.as_of = Some(
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("as_of \"{v}\" (dòng {line}) không phải ngày dạng YYYY-MM-DD")),
            );
        } else if let Some(v) = body.strip_prefix("difficulty:") {
            d.difficulty = Some(v.trim().to_string());
        } else if let Some(v) = body.strip_prefix("group:") {
            d.group = Some(v.trim().to_string());
        } else if let Some(v) = body.strip_prefix("key:") {
            d.key = Some(unescape(v.trim()));
        } else if body == "fixed_order" {
            d.fixed_order = true;
        } else {
            seen = false;
        }
        if seen && d.first_line.is_none() {
            d.first_line = Some(line);
        }
    }

    pub(super) fn block(&mut self, lines: &[(usize, &str)]) {
        let mut d = Directives::default();
        let mut content: Vec<(usize, &str)> = Vec::new();
        for &(no, line) in lines {
            match line.trim().strip_prefix("//") {
                Some(body) => self.directive(&mut d, no, body.trim()),
                None => content.push((no, line)),
            }
        }
        let categories = content.iter().take_while(|(_, l)| l.trim().starts_with("$CATEGORY:")).count();
        for &(no, line) in &content[..categories] {
            let category = line.trim().trim_start_matches("$CATEGORY:").trim();
            if self.bank[0].as_deref() != Some(category) {
                self.categories.push((no, category.to_string()));
            }
        }
        let content = &content[categories..];
        if content.is_empty() {
            if let Some(line) = d.first_line {
                self.push(
                    Severity::Warning,
                    line,
                    None,
                    "dòng chỉ dẫn của hoithi (// source:, // as_of:, // difficulty:, // fixed_order, // group:, // key:) \
                     không đi kèm câu hỏi nào: cần đặt ngay trên câu hỏi, không cách dòng trống"
                        .into(),
                );
            }
            return;
        }
        self.ordinal += 1;
        self.question(d, content);
    }

    /// The key a question's title or `// key:` line gives it; `None`: the
    /// key comes from its text.
    fn key_for(&mut self, d: &Directives, title: Option<&str>, line: usize) -> Option<String> {
        if let Some(key) = &d.key {
            return Some(key.clone());
        }
        let slug = slugify(title?);
        if !is_slug(&slug) {
            return None;
        }
        if let Some(&first) = self.title_keys.get(&slug) {
            self.push(
                Severity::Warning,
                line,
                None,
                format!(
                    "tiêu đề \"{}\" cho khóa \"{slug}\" đã dùng ở dòng {first}; câu này lấy khóa theo nội dung",
                    title.unwrap_or_default()
                ),
            );
            return None;
        }
        self.title_keys.insert(slug.clone(), line);
        Some(slug)
    }

    fn question(&mut self, d: Directives, content: &[(usize, &str)]) {
        let start = content.first().map_or(0, |&(no, _)| no);
        let mut raw = String::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        for (i, &(no, line)) in content.iter().enumerate() {
            if i > 0 {
                raw.push('\n');
            }
            starts.push((raw.len(), no));
            raw.push_str(line);
        }
        let line_at = |offset: usize| starts.iter().rev().find(|(s, _)| *s <= offset).map_or(start, |&(_, no)| no);

        let lead = raw.len() - raw.trim_start().len();
        let body = &raw[lead..];
        let (title, rest, base) = match body.strip_prefix("::") {
            Some(after) => match find(after, 0, "::") {
                Some(end) => (Some(clean(&after[..end])), &after[end + 2..], lead + 2 + end + 2),
                None => {
                    let key = format!("câu {}", self.ordinal);
                    self.skip(start, &key, "tiêu đề mở bằng \"::\" nhưng không có \"::\" đóng");
                    return;
                }
            },
            None => (None, body, lead),
        };
        let given = self.key_for(&d, title.as_deref(), start);
        // Problems name a question by its key, or by its place in the file.
        let key = given.clone().unwrap_or_else(|| format!("câu {}", self.ordinal));
        let key = key.as_str();

        let Some(open) = find(rest, 0, "{") else {
            match find(rest, 0, "}") {
                Some(c) => self.skip(line_at(base + c), key, "dấu \"}\" không có \"{\" mở"),
                None => self.unsupported(start, key, "mô tả (description: không có phần đáp án {…})"),
            }
            return;
        };
        if let Some(c) = find(&rest[..open], 0, "}") {
            self.skip(line_at(base + c), key, "dấu \"}\" không có \"{\" mở");
            return;
        }
        let Some(close) = find(rest, open + 1, "}") else {
            let line = line_at(base + open);
            self.skip(line, key, &format!("thiếu \"}}\" đóng phần đáp án mở ở dòng {line}"));
            return;
        };
        let inner = &rest[open + 1..close];
        if let Some(o) = find(inner, 0, "{") {
            self.skip(line_at(base + open + 1 + o), key, "dấu \"{\" lồng trong phần đáp án");
            return;
        }
        let after = &rest[close + 1..];
        let stray = [find(after, 0, "{"), find(after, 0, "}")].into_iter().flatten().min();
        if let Some(o) = stray {
            self.skip(
                line_at(base + close + 1 + o),
                key,
                "sau phần đáp án {…} còn dấu \"{\" hoặc \"}\": mỗi câu hỏi chỉ có một phần đáp án, \
                 và các câu hỏi phải cách nhau một dòng trống",
            );
            return;
        }
        let before = &rest[..open];
        let format = split_format(before.trim_start()).0.unwrap_or(TextFormat::Html);
        let text = if after.trim().is_empty() {
            clean_as(before, format)
        } else {
            clean_as(&format!("{before}{BLANK}{after}"), format)
        };

        let (answers, explanation) = match find(inner, 0, "####") {
            Some(g) => (&inner[..g], Some(clean_as(&inner[g + 4..], format))),
            None => (inner, None),
        };
        let a = answers.trim();
        let has_eq = find(a, 0, "=").is_some();
        let (kind, options, answer, feedback, partial) = if a.is_empty() {
            self.unsupported(start, key, "tự luận (essay, {})");
            return;
        } else if a.starts_with('#') {
            self.unsupported(start, key, "số (numerical, {#…})");
            return;
        } else if find(a, 0, "~").is_some() {
            let choices = match choices(a, format) {
                Ok(c) => c,
                Err(message) => {
                    self.skip(start, key, &message);
                    return;
                }
            };
            let feedback = choices.iter().any(|c| c.feedback);
            let letters = |keep: &dyn Fn(&Choice) -> bool| -> Vec<String> {
                choices.iter().enumerate().filter(|(_, c)| keep(c)).map(|(i, _)| letter(i).to_string()).collect()
            };
            if !has_eq {
                let total: f64 = choices.iter().filter_map(|c| c.weight).filter(|w| *w > 0.0).sum();
                if (total - 100.0).abs() > 0.5 {
                    self.push(
                        Severity::Warning,
                        start,
                        Some(key),
                        format!(
                            "trọng số các phương án đúng cộng lại {}%, không phải 100%: hoithi chỉ chấm đúng khi \
                             chọn đủ và đúng mọi phương án có trọng số dương, không chấm điểm từng phần",
                            crate::domain::numbers::decimal(total, 2)
                        ),
                    );
                }
            }
            let (kind, answer, partial) = if has_eq {
                let partial = choices.iter().any(|c| match (c.right, c.weight) {
                    (true, Some(w)) => w < 100.0,
                    (false, Some(w)) => w > 0.0,
                    (_, None) => false,
                });
                (Kind::Single, letters(&|c| c.right), partial)
            } else {
                (Kind::Multiple, letters(&|c| c.weight.is_some_and(|w| w > 0.0)), false)
            };
            let options = choices.into_iter().map(|c| c.text).collect();
            (kind, options, answer, feedback, partial)
        } else if has_eq && a.contains("->") {
            self.unsupported(start, key, "ghép đôi (matching, {=a -> b …})");
            return;
        } else if let Some((value, feedback)) = true_false(a) {
            let answer = vec![if value { "A" } else { "B" }.to_string()];
            let options = TRUE_FALSE_OPTIONS.iter().map(|o| o.to_string()).collect();
            (Kind::TrueFalse, options, answer, feedback, false)
        } else if has_eq {
            self.unsupported(start, key, "trả lời ngắn (short answer: chỉ có đáp án =, không có ~)");
            return;
        } else {
            self.skip(
                start,
                key,
                "không nhận ra phần đáp án {…}: cần {=đúng ~sai …}, {~%50%… ~%50%… ~%-100%…} hoặc {T}/{F}",
            );
            return;
        };

        if feedback {
            self.push(
                Severity::Warning,
                start,
                Some(key),
                "phản hồi riêng của từng phương án (#…) bị bỏ qua: hoithi chỉ có giải thích chung (####…)".into(),
            );
        }
        if partial {
            self.push(
                Severity::Warning,
                start,
                Some(key),
                "điểm từng phần (%…%) bị bỏ qua: câu một đáp án chỉ tính phương án \"=\" là đúng".into(),
            );
        }
        let difficulty = match d.difficulty {
            Some(level) => level,
            None => {
                self.defaulted.push(start);
                "medium".to_string()
            }
        };
        self.read.drafts.push(Draft {
            line: start,
            key: given,
            kind: Some(kind.as_str().to_string()),
            difficulty: Some(difficulty),
            text: Some(text),
            options,
            answer: Some(answer),
            explanation: explanation.filter(|e| !e.is_empty()),
            source: d.source,
            fixed_order: d.fixed_order,
            as_of: d.as_of.transpose(),
            group: d.group,
        });
    }
}

/// `T`, `TRUE`, `F` or `FALSE`, optionally followed by feedback: the value,
/// and whether there is feedback.
pub(super) fn true_false(a: &str) -> Option<(bool, bool)> {
    let (head, tail) = match find(a, 0, "#") {
        Some(h) => (&a[..h], &a[h + 1..]),
        None => (a, ""),
    };
    let value = match head.trim().to_ascii_uppercase().as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };
    Some((value, !tail.replace('#', "").trim().is_empty()))
}

/// The answers of a multiple-choice question: `=right`, `~wrong`, `~%50%half`, each with an optional `#feedback`.
pub(super) fn choices(a: &str, format: TextFormat) -> Result<Vec<Choice>, String> {
    let first = scan(a, 0, is_answer_mark).unwrap_or(a.len());
    let lead = a[..first].trim();
    if !lead.is_empty() {
        return Err(format!(
            "có chữ \"{}\" trước phương án đầu tiên (phương án bắt đầu bằng = hoặc ~)",
            unescape(lead)
        ));
    }
    let mut out = Vec::new();
    let mut pos = first;
    while pos < a.len() {
        let right = a.as_bytes()[pos] == b'=';
        let next = scan(a, pos + 1, is_answer_mark).unwrap_or(a.len());
        out.push(choice(right, &a[pos + 1..next], format)?);
        pos = next;
    }
    Ok(out)
}

pub(super) fn choice(right: bool, body: &str, format: TextFormat) -> Result<Choice, String> {
    let trimmed = body.trim_start();
    let (weight, rest) = match trimmed.strip_prefix('%') {
        Some(r) => {
            let Some(end) = find(r, 0, "%") else {
                return Err(format!("trọng số thiếu dấu \"%\" đóng: \"{}\"", unescape(trimmed.trim())));
            };
            let w = r[..end].trim();
            match w.parse::<f64>() {
                Ok(v) if v.is_finite() && (-100.0..=100.0).contains(&v) => (Some(v), &r[end + 1..]),
                _ => return Err(format!("trọng số \"%{w}%\" không phải số từ -100 đến 100")),
            }
        }
        None => (None, body),
    };
    let (text, feedback) = match find(rest, 0, "#") {
        Some(h) => (&rest[..h], !clean(&rest[h + 1..]).is_empty()),
        None => (rest, false),
    };
    Ok(Choice { right, weight, text: clean_as(text, format), feedback })
}

/// The weight of each right option of a multiple-answer question with `n` of them.
pub(super) fn weight(n: usize) -> String {
    let n = n.max(1);
    if 100 % n == 0 { (100 / n).to_string() } else { format!("{:.5}", 100.0 / n as f64) }
}
