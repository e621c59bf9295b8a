//! Dates for readers: a front matter date in the words of a language ("2 March 2026",
//! "2 marzo 2026", "2026年3月2日"), from the `date.*` UI strings. Feeds and `datetime`
//! attributes keep the ISO form.

use crate::content::front_matter::Date;
use crate::i18n::Strings;

/// The UI string keys `format_date` reads: the pattern and the twelve month names.
pub fn date_keys() -> Vec<String> {
    let mut keys = vec!["date.format".to_string()];
    keys.extend((1..=12).map(|m| format!("date.month_{m}")));
    keys
}

/// `date` written for readers of `lang`: `date.format` with `{day}`, `{month}` (the month's
/// name, `date.month_N`) and `{year}` filled in. Missing strings fall back to the source
/// language like every UI string, and to ISO 8601 when no language has them.
pub fn format_date(strings: &Strings, lang: &str, date: &Date) -> String {
    let (Some(pattern), Some(month)) =
        (strings.get(lang, "date.format"), strings.get(lang, &format!("date.month_{}", date.month)))
    else {
        return date.to_string();
    };
    pattern.replace("{day}", &date.day.to_string()).replace("{month}", month).replace("{year}", &date.year.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn strings() -> Strings {
        let mut s = Strings { source_lang: "en".into(), ..Strings::default() };
        let en = "[date]\nformat = \"{day} {month} {year}\"\nmonth_3 = \"March\"\n";
        let zh = "[date]\nformat = \"{year}年{month}月{day}日\"\nmonth_3 = \"3\"\n";
        s.by_lang.insert("en".into(), crate::i18n::parse_strings(Path::new("en.toml"), en).unwrap());
        s.by_lang.insert("zh".into(), crate::i18n::parse_strings(Path::new("zh.toml"), zh).unwrap());
        s.by_lang.insert("it".into(), Default::default());
        s
    }

    #[test]
    fn dates_follow_the_language_pattern() {
        let s = strings();
        let d = Date { year: 2026, month: 3, day: 2 };
        assert_eq!(format_date(&s, "en", &d), "2 March 2026");
        assert_eq!(format_date(&s, "zh", &d), "2026年3月2日");
        // Italian has no date strings: English, like any missing UI string.
        assert_eq!(format_date(&s, "it", &d), "2 March 2026");
        // No month name anywhere: the ISO date, never a half-filled pattern.
        assert_eq!(format_date(&s, "en", &Date { year: 2026, month: 4, day: 1 }), "2026-04-01");
    }
}
