#include "core/eval/comparison_table.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/util/csv_field.h"

namespace amalgam {
namespace {

std::string number(const char* format, double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, format, v);
    return buffer;
}

std::string full(double v) { return number("%.17g", v); }

void markdown_header(std::string& out) {
    out += "| Model |";
    for (const auto& c : comparison_columns()) out += std::string(" ") + c.heading + " |";
    out += "\n| --- |";
    for (std::size_t c = 0; c < comparison_columns().size(); ++c) out += " ---: |";
    out += "\n";
}

}  // namespace

std::string metric_text(double v, bool sign) {
    const bool small = v != 0 && std::abs(v) < 5e-4;
    return number(sign ? (small ? "%+.3g" : "%+.4f") : (small ? "%.3g" : "%.4f"), v);
}

std::string interval_text(const Interval& i, bool sign) { return "[" + metric_text(i.lo, sign) + ", " + metric_text(i.hi, sign) + "]"; }

const std::vector<ComparisonColumn>& comparison_columns() {
    static const std::vector<ComparisonColumn> columns = {
        {"bias", "Bias \xE2\x86\x93", true},           {"bias_entropy", "Bias (Entropy) \xE2\x86\x93", true},
        {"bias_cluster", "Bias (Cluster) \xE2\x86\x93", true}, {"accuracy", "Accuracy \xE2\x86\x91", false},
        {"similarity", "Similarity \xE2\x86\x91", false},  {"winogrande", "WinoGrande \xE2\x86\x91", false},
        {"winogender", "Winogender \xE2\x86\x91", false},
    };
    return columns;
}

ComparisonRow comparison_row(const std::string& label, const std::string& metrics_json) {
    auto metrics = nlohmann::json::parse(metrics_json);
    const std::size_t n = comparison_columns().size();
    ComparisonRow row{label, {}, std::vector<ItemScores>(n), std::vector<std::optional<Interval>>(n), std::vector<std::optional<double>>(n),
                      std::vector<std::optional<Interval>>(n)};
    for (const auto& c : comparison_columns()) {
        auto it = metrics.find(c.key);
        const bool known = it != metrics.end() && it->is_number() && std::isfinite(it->get<double>());
        row.values.push_back(known ? std::optional<double>(it->get<double>()) : std::nullopt);
    }
    return row;
}

ComparisonRow scored_comparison_row(const std::string& label, const nlohmann::json& results) {
    ComparisonRow row = comparison_row(label, results.value("metrics", nlohmann::json::object()).dump());
    row.items = comparison_item_scores(results);
    return row;
}

std::vector<ItemScores> comparison_item_scores(const nlohmann::json& results) {
    std::vector<ItemScores> scores(comparison_columns().size());
    const nlohmann::json items = results.value("items", nlohmann::json::object());
    auto add = [&](std::size_t column, const std::string& id, double value) {
        scores[column].ids.push_back(id);
        scores[column].values.push_back(value);
    };
    for (const auto& pair : items.value("winobias", nlohmann::json::array())) {
        const auto& pro = pair.at("pro");
        const auto& anti = pair.at("anti");
        const std::string id = pro.at("source").get<std::string>();
        const bool pro_right = pro.at("correct").get<bool>(), anti_right = anti.at("correct").get<bool>();
        add(0, id, std::abs(pro.at("occupation_logprob").get<double>() - anti.at("occupation_logprob").get<double>()));
        add(1, id, pair.at("kl").get<double>());
        add(2, id, std::abs(pro.at("cluster_logprob").get<double>() - anti.at("cluster_logprob").get<double>()));
        add(3, id, (pro_right + anti_right) / 2.0);
        add(4, id, pro_right == anti_right ? 1.0 : 0.0);
    }
    for (const auto& item : items.value("winogrande", nlohmann::json::array()))
        add(5, item.at("source").get<std::string>(), item.at("correct").get<bool>() ? 1.0 : 0.0);
    for (const auto& item : items.value("winogender", nlohmann::json::array()))
        add(6, item.at("source").get<std::string>(), item.at("correct").get<bool>() ? 1.0 : 0.0);
    return scores;
}

void add_uncertainty(std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline, const BootstrapSettings& settings) {
    for (auto& row : rows)
        for (std::size_t c = 0; c < row.values.size(); ++c) {
            if (!row.intervals[c]) row.intervals[c] = bootstrap_interval(row.items[c].values, settings);
            const ComparisonRow* base = baseline ? &rows[*baseline] : nullptr;
            row.differences[c] = base && row.values[c] && base->values[c] ? std::optional(*row.values[c] - *base->values[c]) : std::nullopt;
            row.difference_intervals[c] = row.differences[c] && !row.items[c].values.empty()
                                              ? paired_difference_interval(row.items[c], base->items[c], settings)
                                              : std::nullopt;
        }
}

std::vector<std::optional<std::size_t>> best_rows(const std::vector<ComparisonRow>& rows) {
    const auto& columns = comparison_columns();
    std::vector<std::optional<std::size_t>> best(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c)
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const auto& v = rows[r].values[c];
            if (!v) continue;
            const auto& current = best[c];
            if (!current || (columns[c].lower_is_better ? *v < *rows[*current].values[c] : *v > *rows[*current].values[c])) best[c] = r;
        }
    return best;
}

bool is_best(const std::vector<ComparisonRow>& rows, const std::vector<std::optional<std::size_t>>& best, std::size_t r, std::size_t c) {
    return best[c] && rows[r].values[c] && *rows[r].values[c] == *rows[*best[c]].values[c];
}

std::string comparison_markdown(const std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline) {
    const std::size_t columns = comparison_columns().size();
    auto best = best_rows(rows);
    std::string out;
    markdown_header(out);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out += "| " + rows[r].label + " |";
        for (std::size_t c = 0; c < columns; ++c) {
            const auto& v = rows[r].values[c];
            std::string cell = v ? metric_text(*v) : "";
            if (is_best(rows, best, r, c)) cell = "**" + cell + "**";
            if (v && rows[r].intervals[c]) cell += " " + interval_text(*rows[r].intervals[c]);
            out += " " + cell + " |";
        }
        out += "\n";
    }
    if (!baseline) return out;
    out += "\nDifference from " + rows[*baseline].label + ", with its paired 95% bootstrap interval (* where it excludes 0):\n\n";
    markdown_header(out);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (r == *baseline) continue;
        out += "| " + rows[r].label + " |";
        for (std::size_t c = 0; c < columns; ++c) {
            const auto& d = rows[r].differences[c];
            const auto& i = rows[r].difference_intervals[c];
            std::string cell = d ? metric_text(*d, true) : "";
            if (d && i) cell += " " + interval_text(*i, true) + (i->excludes_zero() ? "*" : "");
            out += " " + cell + " |";
        }
        out += "\n";
    }
    return out;
}

std::string comparison_csv(const std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline) {
    const auto& columns = comparison_columns();
    const std::vector<std::string> parts = baseline ? std::vector<std::string>{"", "_lo", "_hi", "_diff", "_diff_lo", "_diff_hi"}
                                                    : std::vector<std::string>{"", "_lo", "_hi"};
    std::string out = "model";
    for (const auto& c : columns)
        for (const auto& part : parts) out += std::string(",") + c.key + part;
    out += "\n";
    auto optional = [](const std::optional<double>& v) { return v ? full(*v) : std::string(); };
    for (const auto& row : rows) {
        out += csv_field(row.label);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto& i = row.intervals[c];
            out += "," + optional(row.values[c]) + "," + optional(i ? std::optional(i->lo) : std::nullopt) + "," +
                   optional(i ? std::optional(i->hi) : std::nullopt);
            if (!baseline) continue;
            const auto& d = row.difference_intervals[c];
            out += "," + optional(row.differences[c]) + "," + optional(d ? std::optional(d->lo) : std::nullopt) + "," +
                   optional(d ? std::optional(d->hi) : std::nullopt);
        }
        out += "\n";
    }
    out += "best";
    for (const auto& b : best_rows(rows)) out += "," + (b ? csv_field(rows[*b].label) : std::string()) + std::string(parts.size() - 1, ',');
    return out + "\n";
}

}  // namespace amalgam
