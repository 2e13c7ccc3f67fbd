#include <cstdio>

#include <nlohmann/json.hpp>

#include "arguments.h"
#include "commands.h"
#include "core/eval/comparison_table.h"
#include "core/store/workspace.h"

namespace amalgam::cli {

const char* const kCompareUsage = R"(usage: amalgam-cli compare --workspace FILE [--format md|csv] [--baseline LABEL]
                           [--resamples N] [--seed S] [--last-steps]

Prints the stored evaluations as the paper's Table 1: one row per model or run; columns
Bias, Bias (Entropy), Bias (Cluster) (lower is better), Accuracy, Similarity and WinoGrande
(higher is better). Each value comes with its 95% bootstrap interval over the evaluation's
items (N resamples, 1000 by default, from seed S, 0 by default). Markdown marks the best of
each column in bold; CSV gives each metric's value, _lo and _hi, and ends with a row naming
the best label of each column.

--baseline LABEL adds each row's difference to that row, with a paired bootstrap interval
over the items both were evaluated on: in Markdown a second table, starred where the
interval excludes 0; in CSV the columns _diff, _diff_lo and _diff_hi.

--last-steps keeps, of a run evaluated at several steps (PPO's "LABEL @ step N"), only its
newest evaluation.
)";

int run_compare(const std::vector<std::string>& words) {
    Arguments args(words, {"workspace", "format", "baseline", "resamples", "seed"}, {"last-steps"});
    auto workspace = args.option("workspace");
    if (!workspace) throw UsageError("compare needs --workspace FILE");
    const std::string format = args.option("format").value_or("md");
    if (format != "md" && format != "csv") throw UsageError("--format must be md or csv");
    BootstrapSettings settings;
    settings.resamples = args.unsigned_integer("resamples", settings.resamples);
    settings.seed = args.unsigned_integer("seed", settings.seed);
    if (settings.resamples == 0) throw UsageError("--resamples must be at least 1");
    if (!std::filesystem::exists(*workspace)) throw std::runtime_error(*workspace + ": no such workspace");

    Workspace store(*workspace);
    std::vector<ComparisonRow> rows;
    std::optional<std::size_t> baseline;
    const std::vector<EvalRow> stored = store.evaluations().all();
    for (const auto& r : stored) {
        if (args.flag("last-steps") && superseded(r, stored)) continue;
        if (!baseline && r.label == args.option("baseline")) baseline = rows.size();
        rows.push_back(scored_comparison_row(r.label, nlohmann::json::parse(store.evaluations().document(r.id))));
    }
    if (rows.empty()) throw std::runtime_error(*workspace + ": no evaluations stored yet (amalgam-cli eval ... --workspace FILE)");
    if (auto wanted = args.option("baseline"); wanted && !baseline) {
        std::string labels;
        for (const auto& row : rows) labels += (labels.empty() ? "" : ", ") + row.label;
        throw UsageError("--baseline " + *wanted + ": no stored evaluation has that label (" + labels + ")");
    }
    add_uncertainty(rows, baseline, settings);
    std::fputs((format == "md" ? comparison_markdown(rows, baseline) : comparison_csv(rows, baseline)).c_str(), stdout);
    return 0;
}

}  // namespace amalgam::cli
