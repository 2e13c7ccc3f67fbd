#pragma once

#include <vector>

#include "core/curate/curation.h"
#include "core/recipe/recipe.h"

namespace amalgam {

class Workspace;

/** Reads one dataset of a recipe, through the workspace when one is given; the label is
 *  resolved for training datasets only. */
CurationSource load_source(const DatasetSpec& spec, bool skip_bad_lines, Workspace* workspace);

/** Reads every dataset of a recipe: through the workspace when one is given (unchanged files
 *  come from the store, changed ones are imported into it), from the files otherwise.
 *  Returns the training datasets with their labels resolved; evaluation datasets are read
 *  too, so that a broken one is reported now, and stored for later. */
std::vector<CurationSource> load_sources(const Recipe& recipe, bool skip_bad_lines, Workspace* workspace);

}  // namespace amalgam
