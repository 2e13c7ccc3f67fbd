#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/curate/curation.h"
#include "core/data/import_options.h"
#include "core/data/label_choice.h"

namespace amalgam {

/** What a dataset is for: curated into D_train, or kept for evaluation. */
enum class DatasetRole { Train, Eval };
inline constexpr NameTable<DatasetRole, 2> dataset_role_names{"role", {{{DatasetRole::Train, "train"}, {DatasetRole::Eval, "eval"}}}};
constexpr const auto& names(DatasetRole) { return dataset_role_names; }

/** One dataset entry of a recipe. */
struct DatasetSpec {
    std::string name;
    std::filesystem::path path;  ///< resolved: ${data} substituted, relative to the recipe
    std::string format = "auto";
    DatasetRole role = DatasetRole::Train;
    std::optional<std::string> label;
    std::optional<Direction> direction;
    std::optional<double> threshold;  ///< where a numerical label turns desirable (unpaired rows)
    ImportOptions options;       ///< field mapping
};

/** What to curate and how: the YAML recipe of DESIGN.md. */
struct Recipe {
    std::filesystem::path path;
    std::string text;  ///< the YAML as written, stored with every selection
    std::vector<DatasetSpec> datasets;
    CurationSettings curate;
    std::vector<double> fractions{1.0};  ///< one selection per fraction
};

/** Reads a recipe. `data_dir` stands in for a ${data} prefix of dataset paths. Throws
 *  DataError naming the recipe, the line and the problem. */
Recipe load_recipe(const std::filesystem::path& path, const std::optional<std::filesystem::path>& data_dir);

/** The same from text; relative dataset paths are taken from `base_dir`. */
Recipe parse_recipe(const std::string& text, const std::filesystem::path& origin, const std::filesystem::path& base_dir,
                    const std::optional<std::filesystem::path>& data_dir);

/** The recipe as YAML that parse_recipe reads back to the same recipe; dataset paths are
 *  written as the recipe holds them (resolved). */
std::string to_yaml(const Recipe& recipe);

/** The label that orders a dataset of `format`: the recipe's, else the format's default, with
 *  the recipe's threshold. A label other than rank and thumbs needs a direction, and only a
 *  numerical label takes a threshold; throws std::invalid_argument naming the dataset. */
std::optional<LabelChoice> resolve_label(const DatasetSpec& spec, const std::string& format);

}  // namespace amalgam
