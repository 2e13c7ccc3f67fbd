#include "core/recipe/recipe_sources.h"

#include "core/data/importer.h"
#include "core/store/workspace.h"

namespace amalgam {

std::vector<CurationSource> load_sources(const Recipe& recipe, bool skip_bad_lines, Workspace* workspace) {
    std::vector<CurationSource> sources;
    for (const DatasetSpec& spec : recipe.datasets) {
        ImportOptions options = spec.options;
        options.skip_bad_lines = skip_bad_lines;
        Dataset dataset = workspace ? workspace->load_or_import(spec.name, spec.path, spec.format, options).dataset
                                    : import_dataset(spec.path, spec.format, options);
        if (spec.role != "train") continue;
        auto label = resolve_label(spec, dataset.format);
        sources.push_back({spec.name, spec.path.string(), std::move(dataset), std::move(label)});
    }
    return sources;
}

}  // namespace amalgam
