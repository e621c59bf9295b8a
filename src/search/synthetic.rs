//! A deterministic synthetic corpus for benchmarks and the search parity test: pages in en,
//! it, nl, zh and pl (a language without a Tantivy stemmer) with Zipf-distributed words,
//! inflected forms (so that stemmers merge them), accents, Chinese without spaces and Latin
//! words inside Chinese text.
//!
//! Not part of a site build: `gen-corpus` writes it as Markdown, tests use it in memory.

use super::SearchDoc;

/// A small deterministic generator (SplitMix64): the same seed gives the same corpus everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The words of a language, most frequent first, and how to join them.
pub struct LangModel {
    pub lang: String,
    pub words: Vec<String>,
    cumulative: Vec<f64>,
    /// Chinese: no spaces between words.
    pub cjk: bool,
}

const EN_HEAD: &str = "the of and to a in is for on that with as be by this are or it data patient hospital \
    security backup backups network patients hospitals systems system staff access password \
    passwords ransomware attack attacks incident incidents device devices medical training \
    phishing email server servers update updates updating updated encryption encrypted \
    restore restoring restored recovery risk risks clinic clinics vulnerability \
    vulnerabilities connected connection connections monitoring monitor manager management \
    records record care naïve café résumé test tests tested testing offline cloud supplier \
    suppliers contract contracts policy policies report reporting reported";
const EN_SYLLABLES: &str = "pro con ter ment sec ur dat val port form net work med ic al ca tion ver sys gen tra in \
    ex re de cor bal";
const EN_SUFFIXES: &str = "- - s ed ing ion er ly";

const IT_HEAD: &str = "il la di e che per un una in del della le i con non sono è si al dei dati sicurezza \
    ospedale ospedali paziente pazienti rete reti attacco attacchi password incidente \
    incidenti sistema sistemi dispositivo dispositivi medico medici accesso personale \
    formazione città attività perché più già può crittografia ripristino ripristinare \
    ripristinato vulnerabilità aggiornamento aggiornamenti aggiornare aggiornato backup \
    copia copie sanitaria sanitarie sanitario struttura strutture rischio rischi verifica \
    verificare verificato qualità identità responsabilità così né fornitore fornitori \
    contratto contratti segnalazione segnalare";
const IT_SYLLABLES: &str = "pro con ter men si cu da va por for re ti me di ca zio ver ge tra in es ri de co ba lo \
    sa";
const IT_SUFFIXES: &str = "o a i e are ato ati zione zioni mente ità ità";

const NL_HEAD: &str = "de het een en van in is op te dat die voor met zijn niet aan er ook als gegevens \
    beveiliging ziekenhuis ziekenhuizen patiënt patiënten netwerk netwerken wachtwoord \
    wachtwoorden aanval aanvallen incident incidenten systeem systemen apparaat apparaten \
    medische toegang personeel opleiding opleidingen back-up back-ups herstel herstellen \
    hersteld versleuteling versleuteld kwetsbaarheid kwetsbaarheden één geïnstalleerd \
    installeren controle controleren gecontroleerd zorg zorgverlener zorgverleners risico \
    risico's beleid leverancier leveranciers melding melden gemeld ideeën reëel";
const NL_SYLLABLES: &str = "be ver ge ont zorg werk lijk heid stel houd sla drij ke wa ter mo na ri vo ken sch aal \
    oor ui ee";
const NL_SUFFIXES: &str = "- en ing heid lijk te s de";

const PL_HEAD: &str = "i w na z do się nie to że jest dane bezpieczeństwo szpital szpitale szpitala pacjent \
    pacjenci pacjentów sieć sieci hasło hasła atak ataki system systemy urządzenie \
    urządzenia kopia zapasowa zapasowe łączność źródło żądanie szyfrowanie przywracanie \
    podatność aktualizacja aktualizacje personel szkolenie szkolenia ryzyko dostawca \
    dostawcy umowa zgłoszenie incydent incydenty Łódź zażółć";
const PL_SYLLABLES: &str = "prze sta wie dzia ło ść rzy czy ko na po wa ni ze ża bez pie cze ńst wo my ką";
const PL_SUFFIXES: &str = "- a y ie ów ami ość ach";

const ZH_HEAD: &str = "的 了 和 是 在 对 与 为 中 等 医院 网络 安全 数据 患者 备份 勒索软件 密码 攻击 事件 系统 设备 医疗 访问 员工 培训 网络钓鱼 电子邮件 服务器 更新 \
    加密 恢复 风险 诊所 漏洞 连接 监控 管理 信息 保护 检查 测试 定期 使用 需要 应该 可以 我们 供应商 合同 报告 网络安全 信息安全 数据保护 访问控制 应急响应";
const ZH_CHARS: &str = "人民国家会社时业发展经济工作方面主要问题政府企业市场技术产品服务质量标准规定制度\
组织部门单位机构环境资源能源交通建设城市农村教育文化科学研究开发生产销售价格成本投资金融银行\
保险证券财务计划目标任务措施办法条件基础设施设计实施运行维护控制处理分析评估结果效果影响作用\
关系内容形式方法过程阶段水平能力条例法律规则要求原则意见建议方案项目活动会议文件资料记录";
const ZH_LATIN: &[&str] = &["VPN", "USB", "Windows", "IT", "2FA", "ICT", "Wi-Fi", "PACS", "HIS", "NIS2"];

const KINDS: &[&str] =
    &["guidance", "guidance", "guidance", "tool", "checklist", "template", "training", "news", "news", "page"];
const AUDIENCES: &[&str] = &["hospital", "clinic", "small-practice", "it-staff", "management"];
const TOPICS: &[&str] = &["backup", "ransomware", "phishing", "access", "network", "incident", "devices", "suppliers"];
const SECTIONS: &[&str] = &["guidance", "tools", "training", "news"];

/// Languages of the synthetic corpus.
pub const LANGS: &[&str] = &["en", "it", "nl", "zh", "pl"];

impl LangModel {
    /// The model of `lang` (en, it, nl, zh, pl; anything else gets the English words).
    pub fn new(lang: &str) -> Self {
        let mut rng = Rng::new(0x5eed ^ lang.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        let cjk = lang == "zh";
        let mut words: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Word lists are space-separated; an empty suffix is written as `-`.
        let (head, syllables, suffixes) = match lang {
            "it" => (IT_HEAD, IT_SYLLABLES, IT_SUFFIXES),
            "nl" => (NL_HEAD, NL_SYLLABLES, NL_SUFFIXES),
            "pl" => (PL_HEAD, PL_SYLLABLES, PL_SUFFIXES),
            "zh" => (ZH_HEAD, "", ""),
            _ => (EN_HEAD, EN_SYLLABLES, EN_SUFFIXES),
        };
        let head: Vec<&str> = head.split_whitespace().collect();
        let syllables: Vec<&str> = syllables.split_whitespace().collect();
        let suffixes: Vec<&str> = suffixes.split_whitespace().map(|s| if s == "-" { "" } else { s }).collect();
        for word in &head {
            if seen.insert(word.to_string()) {
                words.push(word.to_string());
            }
        }
        let han: Vec<char> = ZH_CHARS.chars().collect();
        let target = if cjk { 6000 } else { 9000 };
        while words.len() < target {
            let word = if cjk {
                let len = 2 + usize::from(rng.below(4) == 0);
                (0..len).map(|_| *rng.pick(&han)).collect::<String>()
            } else {
                // Stems recur with several endings, as inflected words do.
                let parts = 2 + rng.below(2);
                let stem: String = (0..parts).map(|_| *rng.pick(&syllables)).collect();
                let forms = 1 + rng.below(3);
                for _ in 1..forms {
                    let form = format!("{stem}{}", rng.pick(&suffixes));
                    if seen.insert(form.clone()) {
                        words.push(form);
                    }
                }
                format!("{stem}{}", rng.pick(&suffixes))
            };
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Zipf-like: weight of rank r is 1 / (r + 2.7).
        let mut cumulative = Vec::with_capacity(words.len());
        let mut sum = 0.0;
        for rank in 0..words.len() {
            sum += 1.0 / (rank as f64 + 2.7);
            cumulative.push(sum);
        }
        LangModel { lang: lang.to_string(), words, cumulative, cjk }
    }

    pub fn word(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        let rank = self.cumulative.partition_point(|&c| c < x).min(self.words.len() - 1);
        &self.words[rank]
    }

    /// `n` words as running text, with sentence punctuation.
    pub fn text(&self, rng: &mut Rng, n: usize) -> String {
        let mut out = String::new();
        let mut since_stop = 0;
        for i in 0..n {
            let word = if self.cjk && rng.below(40) == 0 {
                rng.pick(ZH_LATIN).to_string()
            } else {
                self.word(rng).to_string()
            };
            let capitalize = !self.cjk && since_stop == 0;
            if self.cjk {
                out.push_str(&word);
            } else {
                if i > 0 {
                    out.push(' ');
                }
                if capitalize {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        out.extend(first.to_uppercase());
                        out.push_str(chars.as_str());
                    }
                } else {
                    out.push_str(&word);
                }
            }
            since_stop += 1;
            if since_stop > 6 && rng.below(8) == 0 || i + 1 == n {
                out.push_str(if self.cjk { "。" } else { "." });
                since_stop = 0;
            } else if since_stop > 3 && rng.below(10) == 0 {
                out.push_str(if self.cjk { "，" } else { "," });
            }
        }
        out
    }

    /// A short title-like phrase.
    pub fn phrase(&self, rng: &mut Rng, n: usize) -> String {
        let text = self.text(rng, n);
        text.trim_end_matches(['.', '。']).to_string()
    }
}

/// One synthetic page.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: String,
    pub section: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub audience: Vec<String>,
    pub topics: Vec<String>,
    pub weight: usize,
    pub lead: String,
    /// (heading, body)
    pub sections: Vec<(String, String)>,
}

/// `count` pages of `lang` with about `words` words each.
pub fn generate_pages(lang: &str, count: usize, words: usize, seed: u64) -> Vec<Page> {
    let model = LangModel::new(lang);
    let mut rng = Rng::new(seed ^ 0xC0FFEE ^ model.words.len() as u64);
    (0..count)
        .map(|n| {
            let len = 2 + rng.below(4);
            let title = model.phrase(&mut rng, len);
            let len = 8 + rng.below(10);
            let description = model.phrase(&mut rng, len);
            let mut audience: Vec<String> =
                AUDIENCES.iter().filter(|_| rng.below(3) == 0).map(|a| a.to_string()).collect();
            if audience.is_empty() {
                audience.push(rng.pick(AUDIENCES).to_string());
            }
            let mut topics: Vec<String> = TOPICS.iter().filter(|_| rng.below(4) == 0).map(|t| t.to_string()).collect();
            topics.truncate(3);
            let num_sections = 3 + rng.below(4);
            let lead_words = words / (num_sections + 1);
            let lead = model.text(&mut rng, lead_words.max(10));
            let sections = (0..num_sections)
                .map(|_| {
                    let len = 2 + rng.below(3);
                    let heading = model.phrase(&mut rng, len);
                    let body_words = (words - lead_words) / num_sections;
                    let body = model.text(&mut rng, body_words.max(10));
                    (heading, body)
                })
                .collect();
            Page {
                lang: lang.to_string(),
                section: SECTIONS[n % SECTIONS.len()].to_string(),
                slug: format!("page-{n:05}"),
                title,
                description,
                kind: rng.pick(KINDS).to_string(),
                audience,
                topics,
                weight: n,
                lead,
                sections,
            }
        })
        .collect()
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn toml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", "))
}

/// The page as Markdown with TOML front matter (the content layout of the README).
pub fn page_markdown(page: &Page) -> String {
    let mut out = format!(
        "+++\ntitle = {}\ndescription = {}\nkind = {}\naudience = {}\ntopics = {}\nweight = {}\n+++\n\n",
        toml_string(&page.title),
        toml_string(&page.description),
        toml_string(&page.kind),
        toml_list(&page.audience),
        toml_list(&page.topics),
        page.weight
    );
    out.push_str(&paragraphs(&page.lead));
    for (i, (heading, body)) in page.sections.iter().enumerate() {
        out.push_str(&format!("## {heading} {{#s{}}}\n\n", i + 1));
        out.push_str(&paragraphs(body));
    }
    out
}

/// Splits running text into paragraphs of a few sentences.
fn paragraphs(text: &str) -> String {
    let mut out = String::new();
    let mut sentences = 0;
    for piece in text.split_inclusive(['.', '。']) {
        out.push_str(piece.trim_start());
        sentences += 1;
        if sentences % 5 == 0 {
            out.push_str("\n\n");
        } else if !piece.ends_with('。') {
            out.push(' ');
        }
    }
    format!("{}\n\n", out.trim_end())
}

/// The search documents of a page: its lead and each section, as the pipeline makes them.
pub fn search_docs(page: &Page) -> Vec<SearchDoc> {
    let base = format!("{}/{}/{}.html", page.lang, page.section, page.slug);
    let doc = |url: String, section: &str, body: &str| SearchDoc {
        url,
        page_title: page.title.clone(),
        section: section.to_string(),
        body: body.to_string(),
        description: page.description.clone(),
        kind: page.kind.clone(),
        audience: page.audience.clone(),
        topics: page.topics.clone(),
        reference: false,
    };
    let mut docs = vec![doc(base.clone(), "", &page.lead)];
    for (i, (heading, body)) in page.sections.iter().enumerate() {
        docs.push(doc(format!("{base}#s{}", i + 1), heading, body));
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_deterministic() {
        let a = generate_pages("it", 3, 100, 7);
        let b = generate_pages("it", 3, 100, 7);
        assert_eq!(page_markdown(&a[2]), page_markdown(&b[2]));
    }

    #[test]
    fn chinese_text_has_no_spaces_between_words() {
        let model = LangModel::new("zh");
        let text = model.text(&mut Rng::new(1), 50);
        assert!(text.chars().filter(|c| *c == ' ').count() == 0);
    }
}
