#include <cstdio>

#include "arguments.h"
#include "commands.h"
#include "core/eval/comparison_table.h"
#include "core/store/workspace.h"

namespace amalgam::cli {

const char* const kCompareUsage = R"(usage: amalgam-cli compare --workspace FILE [--format md|csv]

Prints the stored evaluations as the paper's Table 1: one row per model or run; columns
Bias, Bias (Entropy), Bias (Cluster) (lower is better), Accuracy, Similarity and WinoGrande
(higher is better). Markdown marks the best of each column in bold; CSV ends with a row
naming the best label of each column.
)";

int run_compare(const std::vector<std::string>& words) {
    Arguments args(words, {"workspace", "format"}, {});
    auto workspace = args.option("workspace");
    if (!workspace) throw UsageError("compare needs --workspace FILE");
    const std::string format = args.option("format").value_or("md");
    if (format != "md" && format != "csv") throw UsageError("--format must be md or csv");
    if (!std::filesystem::exists(*workspace)) throw std::runtime_error(*workspace + ": no such workspace");
    std::vector<ComparisonRow> rows;
    for (const auto& r : Workspace(*workspace).eval_results()) rows.push_back(comparison_row(r.label, r.metrics_json));
    if (rows.empty()) throw std::runtime_error(*workspace + ": no evaluations stored yet (amalgam-cli eval ... --workspace FILE)");
    std::fputs((format == "md" ? comparison_markdown(rows) : comparison_csv(rows)).c_str(), stdout);
    return 0;
}

}  // namespace amalgam::cli
