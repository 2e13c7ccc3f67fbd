#include "core/eval/comparison_table.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/util/csv_field.h"

namespace amalgam {
namespace {

std::string fixed4(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", v);
    return buffer;
}

}  // namespace

const std::vector<ComparisonColumn>& comparison_columns() {
    static const std::vector<ComparisonColumn> columns = {
        {"bias", "Bias \xE2\x86\x93", true},           {"bias_entropy", "Bias (Entropy) \xE2\x86\x93", true},
        {"bias_cluster", "Bias (Cluster) \xE2\x86\x93", true}, {"accuracy", "Accuracy \xE2\x86\x91", false},
        {"similarity", "Similarity \xE2\x86\x91", false},  {"winogrande", "WinoGrande \xE2\x86\x91", false},
    };
    return columns;
}

ComparisonRow comparison_row(const std::string& label, const std::string& metrics_json) {
    auto metrics = nlohmann::json::parse(metrics_json);
    ComparisonRow row{label, {}};
    for (const auto& c : comparison_columns()) {
        auto it = metrics.find(c.key);
        row.values.push_back(it != metrics.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt);
    }
    return row;
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

std::string comparison_markdown(const std::vector<ComparisonRow>& rows) {
    const auto& columns = comparison_columns();
    auto best = best_rows(rows);
    std::string out = "| Model |";
    for (const auto& c : columns) out += std::string(" ") + c.heading + " |";
    out += "\n| --- |";
    for (std::size_t c = 0; c < columns.size(); ++c) out += " ---: |";
    out += "\n";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out += "| " + rows[r].label + " |";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto& v = rows[r].values[c];
            std::string cell = v ? fixed4(*v) : "";
            if (v && best[c] == r) cell = "**" + cell + "**";
            out += " " + cell + " |";
        }
        out += "\n";
    }
    return out;
}

std::string comparison_csv(const std::vector<ComparisonRow>& rows) {
    const auto& columns = comparison_columns();
    std::string out = "model";
    for (const auto& c : columns) out += std::string(",") + c.key;
    out += "\n";
    for (const auto& row : rows) {
        out += csv_field(row.label);
        for (const auto& v : row.values) {
            out += ",";
            if (v) {
                char buffer[32];
                std::snprintf(buffer, sizeof buffer, "%.17g", *v);
                out += buffer;
            }
        }
        out += "\n";
    }
    out += "best";
    for (const auto& b : best_rows(rows)) out += "," + (b ? csv_field(rows[*b].label) : std::string());
    return out + "\n";
}

}  // namespace amalgam
