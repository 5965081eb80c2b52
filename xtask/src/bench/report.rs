//! The terminal table, the comparison of two runs, and the target check.

use serde_json::Value;

/// A bound from the report: `{"op": "<=", "limit": 1.05}`.
fn meets(bound: &Value, x: f64) -> Option<bool> {
    let limit = bound["limit"].as_f64()?;
    Some(match bound["op"].as_str()? {
        "<=" => x <= limit,
        ">=" => x >= limit,
        "<" => x < limit,
        ">" => x > limit,
        "==" => (x - limit).abs() < 1e-9,
        _ => return None,
    })
}

fn bound_text(bound: &Value) -> String {
    match (bound["op"].as_str(), bound["limit"].as_f64()) {
        (Some(op), Some(limit)) => {
            let op = match op {
                "<=" => "≤",
                ">=" => "≥",
                other => other,
            };
            format!("{op}{limit}")
        }
        _ => "-".into(),
    }
}

/// What the bounds judge: the ratio when there is one, else the value.
fn judged(figure: &Value) -> Option<f64> {
    figure["ratio"]
        .as_f64()
        .or_else(|| figure["value"].as_f64())
}

/// `goal`, `ok`, `MISS`, or `-` without a target.
fn verdict(figure: &Value) -> &'static str {
    let Some(x) = judged(figure) else {
        return "-";
    };
    match (meets(&figure["target"], x), meets(&figure["goal"], x)) {
        (_, Some(true)) => "goal",
        (Some(true), _) => "ok",
        (Some(false), _) => "MISS",
        (None, _) => "-",
    }
}

/// The verdict as printed: a quick run measures a ratio at a tiny size in the dev profile, so
/// only that it can be measured counts, not how it compares with its target (`-`).
fn shown_verdict(report: &Value, figure: &Value) -> &'static str {
    if report["mode"].as_str() == Some("quick") && figure["ratio"].as_f64().is_some() {
        "-"
    } else {
        verdict(figure)
    }
}

fn number(x: Option<f64>) -> String {
    match x {
        None => "-".into(),
        Some(x) if x.abs() >= 1000.0 => format!("{x:.0}"),
        Some(x) if x.abs() >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.3}"),
    }
}

fn figures(report: &Value) -> &[Value] {
    report["figures"].as_array().map_or(&[], Vec::as_slice)
}

/// Prints every figure, the heaviest dependencies and the notes.
pub fn print_table(report: &Value) {
    println!(
        "\nbench ({}) {} · {} cores · {} · commit {}{}",
        report["mode"].as_str().unwrap_or("?"),
        report["date"].as_str().unwrap_or("?"),
        report["machine"]["nproc"],
        report["machine"]["cpu"].as_str().unwrap_or("unknown CPU"),
        report["commit"]["head"].as_str().unwrap_or("?"),
        if report["commit"]["dirty"].as_bool() == Some(true) {
            " (dirty tree)"
        } else {
            ""
        }
    );
    println!(
        "{:<34} {:>12} {:>12} {:>8} {:>7} {:>7}  {:<5} unit · what",
        "figure", "client", "baseline", "ratio", "target", "goal", ""
    );
    let mut group = "";
    for figure in figures(report) {
        let this = figure["group"].as_str().unwrap_or("");
        if this != group {
            println!("{}", "-".repeat(96));
            group = this;
        }
        println!(
            "{:<34} {:>12} {:>12} {:>8} {:>7} {:>7}  {:<5} {} · {}",
            figure["id"].as_str().unwrap_or("?"),
            number(figure["value"].as_f64()),
            number(figure["baseline"].as_f64()),
            figure["ratio"]
                .as_f64()
                .map_or("-".into(), |r| format!("{r:.3}×")),
            bound_text(&figure["target"]),
            bound_text(&figure["goal"]),
            shown_verdict(report, figure),
            figure["unit"].as_str().unwrap_or(""),
            figure["what"].as_str().unwrap_or(""),
        );
    }
    if let Some(heaviest) = report["heaviest_dependencies"].as_object() {
        println!("\nheaviest units of each provider's clean build (s, from cargo --timings):");
        for (provider, lists) in heaviest {
            let show = |list: &Value| {
                list.as_array()
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| format!("{} {}", i[0].as_str().unwrap_or("?"), i[1]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            };
            println!("  {provider:<10} all: {}", show(&lists["all"]));
            println!(
                "  {:<10} not in the floor ({} s in all): {}",
                "",
                lists["beyond_floor_total_s"],
                show(&lists["beyond_floor"])
            );
        }
    }
    print_peer(report);
    if report["mode"].as_str() == Some("quick") {
        println!(
            "note: quick mode judges no ratio (`-`): tiny sizes in the dev profile only show that \
             every figure can be measured; `cargo xtask bench` judges them"
        );
    }
    for note in report["notes"].as_array().into_iter().flatten() {
        println!("note: {}", note.as_str().unwrap_or(""));
    }
}

/// The peer column (`cargo xtask bench --peer`): what became of each provider's generated
/// client, then each peer figure beside ours, both against the same baseline or floor.
fn print_peer(report: &Value) {
    let Some(peer) = report["peer"].as_object() else {
        return;
    };
    println!(
        "\npeer: {} (generated into {})",
        peer["generator"].as_str().unwrap_or("?"),
        peer["generated_into"].as_str().unwrap_or("?")
    );
    for (provider, outcome) in peer["providers"].as_object().into_iter().flatten() {
        println!(
            "  {provider:<10} {}{}",
            outcome["status"].as_str().unwrap_or("?"),
            outcome["reason"]
                .as_str()
                .map_or_else(String::new, |r| format!(": {r}"))
        );
        for change in outcome["spec_changes"].as_array().into_iter().flatten() {
            println!(
                "  {:<10} peer copy of the spec: {}",
                "",
                change.as_str().unwrap_or("?")
            );
        }
    }
    let rows: Vec<&Value> = figures(report)
        .iter()
        .filter(|f| f["ours"].is_number())
        .collect();
    if rows.is_empty() {
        return;
    }
    println!(
        "{:<40} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10}",
        "figure", "peer", "ours", "baseline", "peer/base", "ours/base", "peer/ours"
    );
    let ratio = |x: Option<f64>| x.map_or("-".into(), |r| format!("{r:.3}×"));
    for figure in rows {
        println!(
            "{:<40} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10}",
            figure["id"].as_str().unwrap_or("?"),
            number(figure["value"].as_f64()),
            number(figure["ours"].as_f64()),
            number(figure["baseline"].as_f64()),
            ratio(figure["ratio"].as_f64()),
            ratio(figure["ours_ratio"].as_f64()),
            ratio(figure["peer_vs_ours"].as_f64()),
        );
    }
}

/// Ids of figures that miss their target.
pub fn missed_targets(report: &Value) -> Vec<String> {
    figures(report)
        .iter()
        .filter(|f| verdict(f) == "MISS")
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect()
}

/// Prints, for every figure in both runs, the old and new judged value and the change.
pub fn print_comparison(old: &Value, new: &Value) {
    println!(
        "\nchange from {} ({}) to {} ({}):",
        old["date"].as_str().unwrap_or("?"),
        old["mode"].as_str().unwrap_or("?"),
        new["date"].as_str().unwrap_or("?"),
        new["mode"].as_str().unwrap_or("?"),
    );
    if old["mode"] != new["mode"] {
        println!("(the runs are of different modes: the changes are not meaningful)");
    }
    println!(
        "{:<34} {:>12} {:>12} {:>9}  compared",
        "figure", "before", "after", "change"
    );
    for figure in figures(new) {
        let id = figure["id"].as_str().unwrap_or("?");
        let before = figures(old).iter().find(|f| f["id"].as_str() == Some(id));
        let (what, after, before) = match (figure["ratio"].as_f64(), before) {
            (Some(ratio), Some(b)) => ("ratio", Some(ratio), b["ratio"].as_f64()),
            (None, Some(b)) => ("value", figure["value"].as_f64(), b["value"].as_f64()),
            (_, None) => ("new", judged(figure), None),
        };
        let change = match (before, after) {
            (Some(b), Some(a)) if b != 0.0 => format!("{:+.1}%", (a / b - 1.0) * 100.0),
            _ => "-".into(),
        };
        println!(
            "{id:<34} {:>12} {:>12} {change:>9}  {what}",
            number(before),
            number(after)
        );
    }
    for figure in figures(old) {
        let id = figure["id"].as_str().unwrap_or("?");
        if !figures(new).iter().any(|f| f["id"].as_str() == Some(id)) {
            println!("{id:<34} (not in the new run)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn verdicts() {
        let f = |ratio: f64| json!({"ratio": ratio, "target": {"op": "<=", "limit": 1.05}, "goal": {"op": "<=", "limit": 1.02}});
        assert_eq!(verdict(&f(1.01)), "goal");
        assert_eq!(verdict(&f(1.04)), "ok");
        assert_eq!(verdict(&f(1.2)), "MISS");
        let single = json!({"value": 1.0, "target": {"op": "==", "limit": 1.0}});
        assert_eq!(verdict(&single), "ok");
        assert_eq!(verdict(&json!({"value": 3.0})), "-");
        let report =
            json!({"figures": [{"id": "a", "ratio": 2.0, "target": {"op": "<=", "limit": 1.3}}]});
        assert_eq!(missed_targets(&report), ["a"]);
        // A quick run prints no verdict for a ratio, and keeps it for an absolute figure.
        let quick = json!({"mode": "quick"});
        assert_eq!(shown_verdict(&quick, &f(1.2)), "-");
        assert_eq!(shown_verdict(&quick, &single), "ok");
        assert_eq!(shown_verdict(&json!({"mode": "full"}), &f(1.2)), "MISS");
    }
}
