#include <cstdio>
#include <iostream>
#include <memory>

#include "arguments.h"
#include "commands.h"
#include "core/curate/curation_output.h"
#include "core/embed/embedders.h"
#include "core/recipe/recipe.h"
#include "core/recipe/recipe_sources.h"
#include "core/store/sqlite_db.h"
#include "core/store/workspace.h"
#include "core/util/data_home.h"
#include "json_lines_progress.h"

namespace amalgam::cli {

const char* const kCurateUsage = R"(usage: amalgam-cli curate RECIPE.yaml --out DIR [options]

Unifies the recipe's training datasets into preference pairs, embeds and clusters the
prompts, and keeps the best fraction of every (source, cluster) stratum.

Writes DIR/train.jsonl (the selected pairs), DIR/unpaired.jsonl (the selected answers
labelled desirable or undesirable on their own, for KTO), DIR/summary.json (counts per
source and cluster, hyperparameters) and DIR/points.csv (every pair on the 2D map). With
several fractions in the recipe, each goes to DIR/fraction-F/.

The table counts per source the prompts, those dropped with a single answer or tied
answers, the pairs and the selected ones, then the unpaired rows, the prompts that
pairing drops but whose answers are unpaired rows ("rescued"), and the selected rows.

options:
  --out DIR           where the outputs go (required)
  --data DIR          stands in for ${data} in dataset paths (default: the data folder of
                      `amalgam-cli data get`, see `amalgam-cli data path`)
  --fraction F        keep this fraction (0 < F <= 1) instead of the recipe's
  --seed S            seed for k-means and for ordering pairs without quality
  --workspace FILE    store datasets, the recipe and the selection in this workspace;
                      pairs excluded from or forced into D_train there stay so
  --progress STYLE    bar (default) or json: one JSON object per line on stdout
  --skip-bad-lines    pass over malformed records (counted in the summary)
)";

namespace {

std::string fraction_label(double f) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", f);
    return buffer;
}

void print_table(const Curation& c, const std::vector<bool>& selected, double fraction) {
    const SelectionCounts counts = count_selection(c, selected, c.select_unpaired(fraction));
    const std::vector<DuplicateCounts> duplicates = count_duplicates(c);
    std::printf("fraction %s, %d clusters, embedder %s, seed %llu\n", fraction_label(fraction).c_str(), c.clusters_used,
                to_string(c.settings.embedder), static_cast<unsigned long long>(c.settings.seed));
    std::printf("%-16s %-11s %8s %8s %6s %8s %9s %9s %8s %9s\n", "source", "format", "prompts", "single", "ties", "pairs", "selected",
                "unpaired", "rescued", "selected");
    std::size_t rescued = 0;
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        const SourceReport& s = c.sources[i];
        std::printf("%-16s %-11s %8zu %8zu %6zu %8zu %9zu %9zu %8zu %9zu\n", s.name.c_str(), s.format.c_str(), s.counts.prompts,
                    s.counts.dropped_single_answer, s.counts.dropped_ties, s.counts.pairs, counts.source_selected[i],
                    counts.source_unpaired[i], s.counts.unpaired_only_prompts, counts.source_unpaired_selected[i]);
        if (s.import.skipped_lines)
            std::printf("  %zu bad lines skipped, first: %s\n", s.import.skipped_lines, s.import.first_skipped.c_str());
        if (duplicates[i].exact + duplicates[i].near)
            std::printf("  %zu exact and %zu near duplicates left out\n", duplicates[i].exact, duplicates[i].near);
        rescued += s.counts.unpaired_only_prompts;
    }
    std::printf("%-16s %-11s %8s %8s %6s %8zu %9zu %9zu %8zu %9zu\n", "total", "", "", "", "", c.pairs.size(), counts.selected,
                c.unpaired.size(), rescued, counts.unpaired_selected);
}

}  // namespace

int run_curate(const std::vector<std::string>& words) {
    Arguments args(words, {"out", "data", "fraction", "seed", "workspace", "progress"}, {"skip-bad-lines"});
    if (args.positional().size() != 1) throw UsageError("curate takes one recipe file");
    auto out = args.option("out");
    if (!out) throw UsageError("curate needs --out DIR");
    if (out->empty()) throw UsageError("--out needs a folder");

    const std::filesystem::path data_dir = args.option("data").value_or(default_data_dir().string());
    Recipe recipe = load_recipe(args.positional()[0], data_dir);
    for (const auto& d : recipe.datasets)  // a ${data} path into a data folder never filled
        if (!std::filesystem::exists(d.path) && !std::filesystem::exists(data_dir) && d.path.string().rfind(std::filesystem::absolute(data_dir).string(), 0) == 0)
            throw std::runtime_error(d.path.string() + " does not exist: the data folder " + data_dir.string() +
                                     " is missing; `amalgam-cli data get` fetches the public datasets there, or pass --data DIR");
    if (args.option("fraction")) {
        double f = args.number("fraction", 1.0);
        if (!(f > 0.0 && f <= 1.0)) throw UsageError("--fraction must be in (0, 1]");
        recipe.fractions = {f};
    }
    recipe.curate.seed = args.unsigned_integer("seed", recipe.curate.seed);
    const bool skip = args.flag("skip-bad-lines");

    // Everything that can be refused is checked before the work: the output folder, the workspace, every dataset.
    OutputFolder folder(*out, is_curation_output);
    std::unique_ptr<Workspace> workspace;
    if (auto w = args.option("workspace")) workspace = std::make_unique<Workspace>(*w);
    auto progress = make_progress(args.option("progress"));
    std::vector<CurationSource> read, sources;  // every dataset (stored at the end), the training ones (lent to curate)
    std::vector<std::size_t> training;
    for (const DatasetSpec& spec : recipe.datasets) {
        read.push_back(load_source(spec, skip, workspace.get(), /*store=*/false));
        if (spec.role == DatasetRole::Train) training.push_back(read.size() - 1);
    }
    if (training.empty()) throw std::invalid_argument("the recipe has no dataset with role: train");
    for (std::size_t i : training) sources.push_back(std::move(read[i]));
    auto embedder = make_embedder(recipe.curate.embedder, recipe.curate.model);
    Curation curation = curate(sources, recipe.curate, *embedder, *progress);
    for (std::size_t k = 0; k < training.size(); ++k) read[training[k]] = std::move(sources[k]);
    const PairOverrides overrides = workspace ? workspace->selections().overrides() : PairOverrides{};

    std::vector<std::vector<bool>> selections;
    for (double fraction : recipe.fractions) {
        const std::filesystem::path sub = recipe.fractions.size() > 1 ? "fraction-" + fraction_label(fraction) : "";
        selections.push_back(curation.select(fraction, overrides));
        write_curation(folder, sub, curation, selections.back(), fraction);
    }
    // The workspace's changes are one transaction; then the new outputs replace the old in one rename.
    if (workspace) {
        SqliteDb::Transaction all(workspace->db());
        for (std::size_t i = 0; i < recipe.datasets.size(); ++i) store_source(recipe.datasets[i], read[i], skip, *workspace);
        const std::int64_t recipe_id = workspace->selections().save_recipe(std::filesystem::absolute(recipe.path).string(), recipe.text);
        for (std::size_t f = 0; f < recipe.fractions.size(); ++f)
            workspace->selections().save(recipe_id, selection_record(curation, selections[f], recipe.fractions[f]));
        all.commit();
    }
    folder.commit();
    for (std::size_t f = 0; f < recipe.fractions.size(); ++f) {
        std::filesystem::path dir = *out;
        if (recipe.fractions.size() > 1) dir /= "fraction-" + fraction_label(recipe.fractions[f]);
        print_table(curation, selections[f], recipe.fractions[f]);
        std::printf("wrote %s\n\n", (dir / "{train.jsonl,unpaired.jsonl,summary.json,points.csv}").string().c_str());
    }
    return 0;
}

}  // namespace amalgam::cli
