#include "core/recipe/recipe_sources.h"

#include "core/data/importer.h"
#include "core/store/workspace.h"
#include "core/util/data_error.h"

namespace amalgam {

ImportOptions import_options(const DatasetSpec& spec, bool skip_bad_lines) {
    ImportOptions options = spec.options;
    options.skip_bad_lines = skip_bad_lines;
    if (spec.role == DatasetRole::Train) options.label = spec.label.value_or("");
    return options;
}

CurationSource load_source(const DatasetSpec& spec, bool skip_bad_lines, Workspace* workspace, bool store) {
    const ImportOptions options = import_options(spec, skip_bad_lines);
    std::optional<LoadedDataset> stored;
    if (workspace) stored = store ? workspace->datasets().load_or_import(spec.name, spec.path, spec.format, options)
                                  : workspace->datasets().stored(spec.path, spec.format, options);
    Dataset dataset = stored ? std::move(stored->dataset) : import_dataset(spec.path, spec.format, options);
    if (!options.label.empty() && !dataset.prompts.empty()) {
        const auto names = label_names(dataset.prompts);
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        if (!names.count(options.label))
            throw DataError(spec.path.string(), 0,
                            "no record has the label '" + options.label + "' (" + (known.empty() ? "it has no labels" : "its labels: " + known) + ")");
    }
    auto label = spec.role == DatasetRole::Train ? resolve_label(spec, dataset.format) : std::nullopt;
    return {spec.name, spec.path.string(), std::move(dataset), std::move(label)};
}

void store_source(const DatasetSpec& spec, const CurationSource& source, bool skip_bad_lines, Workspace& workspace) {
    workspace.datasets().store(spec.name, spec.path, source.dataset, import_options(spec, skip_bad_lines));
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
