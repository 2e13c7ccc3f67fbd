#pragma once

#include <optional>
#include <string>
#include <vector>

namespace amalgam {

/** One column of the paper's Table 1: the metric key in results.json, its heading, and
 *  which way is better. */
struct ComparisonColumn {
    const char* key;
    const char* heading;
    bool lower_is_better;
};

/** Bias, Bias (Entropy), Bias (Cluster) (lower is better), Accuracy, Similarity, WinoGrande. */
const std::vector<ComparisonColumn>& comparison_columns();

/** A row: a model or run and its metrics (absent where its suite did not run). */
struct ComparisonRow {
    std::string label;
    std::vector<std::optional<double>> values;  ///< one per comparison column
};

/** Rows from stored results: label and the metrics JSON object of each. */
ComparisonRow comparison_row(const std::string& label, const std::string& metrics_json);

/** The index of the best row per column (none where no row has a value). */
std::vector<std::optional<std::size_t>> best_rows(const std::vector<ComparisonRow>& rows);

/** Table 1 as Markdown, best of each column in bold, values to 4 decimals. */
std::string comparison_markdown(const std::vector<ComparisonRow>& rows);
/** The same as CSV, full precision, with a last row naming the best label per column. */
std::string comparison_csv(const std::vector<ComparisonRow>& rows);

}  // namespace amalgam
