#include "core/recipe/recipe_sources.h"

#include "core/data/importer.h"
#include "core/store/workspace.h"

namespace amalgam {

CurationSource load_source(const DatasetSpec& spec, bool skip_bad_lines, Workspace* workspace) {
    ImportOptions options = spec.options;
    options.skip_bad_lines = skip_bad_lines;
    Dataset dataset = workspace ? workspace->load_or_import(spec.name, spec.path, spec.format, options).dataset
                                : import_dataset(spec.path, spec.format, options);
    auto label = spec.role == DatasetRole::Train ? resolve_label(spec, dataset.format) : std::nullopt;
    return {spec.name, spec.path.string(), std::move(dataset), std::move(label)};
}

std::vector<CurationSource> load_sources(const Recipe& recipe, bool skip_bad_lines, Workspace* workspace) {
    std::vector<CurationSource> sources;
    for (const DatasetSpec& spec : recipe.datasets) {
        CurationSource source = load_source(spec, skip_bad_lines, workspace);
        if (spec.role == DatasetRole::Train) sources.push_back(std::move(source));
    }
    return sources;
}

}  // namespace amalgam
