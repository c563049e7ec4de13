//! The markdown the benchmark writes: tables whose cells are figures, ratios or the reason a
//! peer could not run, and the line saying which machine measured them.

use crate::check::Spread;

/// A markdown table, built row by row.
pub struct Table {
    text: String,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        let mut text = format!("| {} |\n|", header.join(" | "));
        text.push_str(&" --- |".repeat(header.len()));
        text.push('\n');
        Table { text }
    }

    pub fn row(&mut self, cells: &[String]) {
        self.text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }

    pub fn done(self) -> String {
        self.text
    }
}

/// A peer's figure, or why there is none.
pub type Outcome<T> = Result<T, String>;

/// `63 ms (p95 79)`.
pub fn ms(s: Spread) -> String {
    format!("{} ms (p95 {})", round(s.median), round(s.p95))
}

/// A figure to a sensible number of digits: 1234, 56.7, 0.503.
pub fn round(value: f64) -> String {
    if !value.is_finite() {
        "–".to_string()
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// `peer / codemode` as `2.31×`; for rates (higher is better) pass them the other way round.
pub fn ratio(peer: f64, ours: f64) -> String {
    format!("{:.2}×", peer / ours)
}

/// A peer's cell: `show` of its figures, or `not run: reason`.
pub fn versus<T>(peer: &Outcome<T>, show: impl Fn(&T) -> String) -> String {
    match peer {
        Ok(figures) => show(figures),
        Err(reason) => format!("not run: {reason}"),
    }
}

/// `2 cores, AMD EPYC 7B13, 24 GB, Linux 6.1` from /proc.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(String::new, |kb| {
            format!(", {:.0} GB", kb / 1024.0 / 1024.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| String::new(), |v| format!(", Linux {}", v.trim()));
    format!("{cores} cores, {cpu}{memory}{kernel}")
}
