//! Numbers as Vietnamese readers write them: a dot between thousands, a
//! comma before decimals ("1.234", "0,8").

/// An integer with a dot between thousands: 20000 → "20.000".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A number with one decimal and a decimal comma: 2.345 → "2,3".
pub fn one_decimal(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    format!("{sign}{},{}", thousands((t / 10) as i64), t % 10)
}

/// A number with at most `places` decimals, trailing zeros dropped:
/// 12.5 → "12,5", 50 → "50", 0.01 → "0,01".
pub fn decimal(x: f64, places: usize) -> String {
    let s = format!("{:.*}", places, x.abs());
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = thousands(int.parse().unwrap_or(0));
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int},{frac}") }
}

/// A rate (0–1) as a percentage with one decimal, without the sign: 0.008 → "0,8".
pub fn percent(rate: f64) -> String {
    one_decimal(rate * 100.0)
}

/// A duration as people say it: "0 giây" for none, "36 mili giây" under a second, "25,2 giây"
/// under a minute, else
/// "m phút s giây" (whole seconds), with hours past an hour.
pub fn duration(ms: i64) -> String {
    if ms <= 0 {
        return "0 giây".to_string();
    }
    if ms < 1000 {
        return format!("{ms} mili giây");
    }
    if ms < 60_000 {
        return format!("{} giây", one_decimal(ms as f64 / 1000.0));
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 { format!("{h} giờ {m} phút {s} giây") } else { format!("{m} phút {s} giây") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20000), "20.000");
        assert_eq!(thousands(1234567), "1.234.567");
        assert_eq!(thousands(-1500), "-1.500");
        assert_eq!(one_decimal(25.184), "25,2");
        assert_eq!(one_decimal(1234.5), "1.234,5");
        assert_eq!(percent(0.008), "0,8");
        assert_eq!(percent(0.5), "50,0");
        assert_eq!(percent(1.0), "100,0");
        assert_eq!(decimal(12.5, 3), "12,5");
        assert_eq!(decimal(50.0, 3), "50");
        assert_eq!(decimal(0.01, 3), "0,01");
        assert_eq!(decimal(12345.678, 1), "12.345,7");
        assert_eq!(duration(36), "36 mili giây");
        assert_eq!(duration(0), "0 giây");
        assert_eq!(duration(25184), "25,2 giây");
        assert_eq!(duration(61_900), "1 phút 1 giây");
        assert_eq!(duration(3_725_000), "1 giờ 2 phút 5 giây");
    }
}
