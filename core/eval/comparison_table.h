#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/eval/bootstrap.h"

namespace amalgam {

/** One column of the paper's Table 1: the metric key in results.json, its heading, and
 *  which way is better. */
struct ComparisonColumn {
    const char* key;
    const char* heading;
    bool lower_is_better;
};

/** Bias, Bias (Entropy), Bias (Cluster) (lower is better), Accuracy, Similarity, WinoGrande,
 *  Winogender: every metric results.json carries. */
const std::vector<ComparisonColumn>& comparison_columns();

/** A row: a model or run and its metrics (absent where its suite did not run). With the items
 *  behind them, add_uncertainty() gives each metric an interval and, against a baseline row,
 *  the paired interval of the difference. Every vector has one entry per comparison column. */
struct ComparisonRow {
    std::string label;
    std::vector<std::optional<double>> values;
    std::vector<ItemScores> items;                     ///< empty where unknown
    std::vector<std::optional<Interval>> intervals;             ///< of the value
    std::vector<std::optional<double>> differences;             ///< value - the baseline's value
    std::vector<std::optional<Interval>> difference_intervals;  ///< of the difference, paired
};

/** A row from stored metrics alone (a metrics JSON object): no items, so no intervals. */
ComparisonRow comparison_row(const std::string& label, const std::string& metrics_json);
/** A row from a whole results.json: its metrics and the per-item scores behind each. */
ComparisonRow scored_comparison_row(const std::string& label, const nlohmann::json& results);

/** Each metric's per-item scores in a results.json, one entry per column: WinoBias pairs give
 *  |Δ log p| of the occupation (Bias) and of the cluster (Bias (Cluster)), the KL (Bias
 *  (Entropy)), the share of the pair's two answers that are right (Accuracy) and whether they
 *  agree (Similarity); WinoGrande and Winogender items give 1 for right, 0 for wrong. */
std::vector<ItemScores> comparison_item_scores(const nlohmann::json& results);

/** Fills the rows' missing intervals and sets, given a baseline row, each row's paired
 *  differences to it (none where the two rows were evaluated on different items). */
void add_uncertainty(std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline, const BootstrapSettings& settings);

/** A metric as the tables print it: 4 decimals as in the paper, or 3 significant digits for
 *  values too small for them; `sign` for differences. */
std::string metric_text(double v, bool sign = false);
/** "[lo, hi]" in metric_text's form. */
std::string interval_text(const Interval& i, bool sign = false);

/** The index of the best row per column (none where no row has a value); ties go to the first. */
std::vector<std::optional<std::size_t>> best_rows(const std::vector<ComparisonRow>& rows);
/** Whether row r holds the best value of column c (a tie with the best row counts). */
bool is_best(const std::vector<ComparisonRow>& rows, const std::vector<std::optional<std::size_t>>& best, std::size_t r, std::size_t c);

/** Table 1 as Markdown, best of each column in bold, values to 4 decimals, each with its
 *  interval where known. With a baseline, a second table gives each row's difference to it
 *  with its paired interval, starred where the interval excludes 0. */
std::string comparison_markdown(const std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline = std::nullopt);
/** The same as CSV at full precision: per metric its value, _lo and _hi, and with a baseline
 *  _diff, _diff_lo and _diff_hi; a last row names the best label per metric. */
std::string comparison_csv(const std::vector<ComparisonRow>& rows, std::optional<std::size_t> baseline = std::nullopt);

}  // namespace amalgam
