#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/curate/curation.h"
#include "core/util/atomic_file.h"

namespace amalgam {

/** D_train: one selected pair per line (id, source, source_id, prompt, context, chosen,
 *  rejected, quality, cluster). */
std::string train_jsonl(const Curation& curation, const std::vector<bool>& selected);

/** The selected unpaired rows, one per line (id, source, source_id, answer, prompt, context,
 *  completion, label: true for desirable, quality, cluster): what KTO trains on. */
std::string unpaired_jsonl(const Curation& curation, const std::vector<bool>& selected);

/** Per-source and per-cluster counts and the hyperparameters, as summary.json. */
std::string summary_json(const Curation& curation, const std::vector<bool>& selected, const std::vector<bool>& unpaired_selected,
                         double fraction);

/** The selection as the workspace keeps it, with its summary.json. */
SelectionRecord selection_record(const Curation& curation, const std::vector<bool>& selected, double fraction);

/** id,source,cluster,x,y,quality,selected for every pair: the map. */
std::string points_csv(const Curation& curation, const std::vector<bool>& selected);

/** Writes train.jsonl, unpaired.jsonl (cut at the same fraction), summary.json and points.csv
 *  into a subfolder of an output folder ("" for its top); they appear, with the rest of the
 *  folder, when it is committed. */
void write_curation(OutputFolder& out, const std::filesystem::path& subfolder, const Curation& curation, const std::vector<bool>& selected,
                    double fraction);

/** Whether a name in an output folder is one curate writes (the four files, fraction-F/):
 *  a folder that holds only these may be replaced by a new curation. */
bool is_curation_output(const std::string& entry);

}  // namespace amalgam
