#pragma once

#include <vector>

#include "core/curate/curation.h"
#include "core/recipe/recipe.h"

namespace amalgam {

class Workspace;

/** How a recipe's dataset is read: its field mapping, and whether bad lines are skipped. */
ImportOptions import_options(const DatasetSpec& spec, bool skip_bad_lines);

/** Reads one dataset of a recipe, through the workspace when one is given: an unchanged file
 *  comes from the stored copy; a changed one is imported and, if `store`, stored at once (else
 *  store_source() stores it later). The label is resolved for training datasets only. */
CurationSource load_source(const DatasetSpec& spec, bool skip_bad_lines, Workspace* workspace, bool store = true);

/** Stores a dataset read with load_source(..., store = false); a current copy stays as it is. */
void store_source(const DatasetSpec& spec, const CurationSource& source, bool skip_bad_lines, Workspace& workspace);

/** Reads every dataset of a recipe: through the workspace when one is given (unchanged files
 *  come from the store, changed ones are imported into it), from the files otherwise.
 *  Returns the training datasets with their labels resolved; evaluation datasets are read
 *  too, so that a broken one is reported now, and stored for later. */
std::vector<CurationSource> load_sources(const Recipe& recipe, bool skip_bad_lines, Workspace* workspace);

}  // namespace amalgam
