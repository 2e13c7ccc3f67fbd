#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/curate/curation.h"

namespace amalgam {

/** D_train: one selected pair per line (id, source, source_id, prompt, context, chosen,
 *  rejected, quality, cluster). */
std::string train_jsonl(const Curation& curation, const std::vector<bool>& selected);

/** Per-source and per-cluster counts and the hyperparameters, as summary.json. */
std::string summary_json(const Curation& curation, const std::vector<bool>& selected, double fraction);

/** id,source,cluster,x,y,quality,selected for every pair: the map. */
std::string points_csv(const Curation& curation, const std::vector<bool>& selected);

/** Writes train.jsonl, summary.json and points.csv into `dir`, all or none. */
void write_curation(const std::filesystem::path& dir, const Curation& curation, const std::vector<bool>& selected,
                    double fraction);

}  // namespace amalgam
