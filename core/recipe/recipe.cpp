#include "core/recipe/recipe.h"

#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include <yaml-cpp/yaml.h>

#include "core/data/importer.h"
#include "core/util/data_error.h"
#include "core/util/text_file.h"
#include "core/util/utf8.h"

namespace amalgam {

namespace {

namespace fs = std::filesystem;

/** Raises errors at a YAML node's line. */
struct RecipeReader {
    std::string origin;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const {
        throw DataError(origin, at.Mark().is_null() ? 0 : static_cast<std::size_t>(at.Mark().line + 1), reason);
    }

    void only_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& where) const {
        if (!map.IsMap()) fail(map, where + " must be a mapping");
        std::map<std::string, std::size_t> seen;  // key -> its line
        for (const auto& kv : map) {
            auto key = kv.first.as<std::string>();
            const std::size_t at = kv.first.Mark().is_null() ? 0 : static_cast<std::size_t>(kv.first.Mark().line + 1);
            if (auto [first, fresh] = seen.emplace(key, at); !fresh)
                fail(kv.first, "'" + key + "' is given twice in " + where + " (first on line " + std::to_string(first->second) + ")");
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                fail(kv.first, "unknown key '" + key + "' in " + where + " (expected one of: " + list + ")");
            }
        }
    }

    template <class T>
    T scalar(const YAML::Node& node, const std::string& what) const {
        T value;
        try {
            value = node.as<T>();
        } catch (const YAML::Exception&) {
            fail(node, what + " has the wrong type");
        }
        // YAML's escapes can make bytes that are not UTF-8 out of a file that is.
        if constexpr (std::is_same_v<T, std::string>)
            if (find_invalid_utf8(value)) fail(node, what + " is not valid UTF-8 text (a control character or escape?)");
        return value;
    }

    /** The enum value a scalar names, failing at its line otherwise. */
    template <class E>
    E choice(const YAML::Node& node, const std::string& what) const {
        try {
            return parse_name<E>(scalar<std::string>(node, what));
        } catch (const std::invalid_argument& e) {
            fail(node, e.what());
        }
    }

    fs::path resolve(const YAML::Node& node, const fs::path& base, const std::optional<fs::path>& data_dir) const {
        std::string raw = scalar<std::string>(node, "path");
        const std::string token = "${data}";
        if (auto at = raw.find(token); at != std::string::npos) {
            if (!data_dir) fail(node, "path uses ${data}: pass --data DIR");
            raw.replace(at, token.size(), fs::absolute(*data_dir).string());
        }
        fs::path p(raw);
        return (p.is_absolute() ? p : base / p).lexically_normal();
    }
};

}  // namespace

Recipe parse_recipe(const std::string& text, const fs::path& origin, const fs::path& base_dir,
                    const std::optional<fs::path>& data_dir) {
    RecipeReader reader{origin.string()};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        throw DataError(origin.string(), static_cast<std::size_t>(e.mark.line + 1), e.msg);
    }
    Recipe recipe;
    recipe.path = origin;
    recipe.text = text;
    if (!root.IsMap()) throw DataError(origin.string(), 0, "a recipe is a mapping with datasets: and curate:");
    reader.only_keys(root, {"datasets", "curate"}, "the recipe");

    const YAML::Node datasets = root["datasets"];
    if (!datasets || !datasets.IsSequence() || datasets.size() == 0)
        reader.fail(datasets ? datasets : root, "datasets: must be a non-empty list");
    std::set<std::string> names;
    for (const auto& d : datasets) {
        reader.only_keys(d, {"name", "path", "format", "role", "label", "direction", "threshold", "fields"}, "a dataset");
        DatasetSpec spec;
        if (!d["path"]) reader.fail(d, "a dataset needs a path");
        spec.path = reader.resolve(d["path"], base_dir, data_dir);
        spec.name = d["name"] ? reader.scalar<std::string>(d["name"], "name") : spec.path.stem().string();
        if (!names.insert(spec.name).second) reader.fail(d, "two datasets are named '" + spec.name + "'");
        if (d["format"]) {
            spec.format = reader.scalar<std::string>(d["format"], "format");
            if (spec.format != "auto") {
                try {
                    importer_for(spec.format);
                } catch (const std::invalid_argument& e) {
                    reader.fail(d["format"], e.what());
                }
            }
        }
        if (d["role"]) spec.role = reader.choice<DatasetRole>(d["role"], "role");
        if (d["label"]) spec.label = reader.scalar<std::string>(d["label"], "label");
        if (d["direction"]) spec.direction = reader.choice<Direction>(d["direction"], "direction");
        if (d["threshold"]) {
            spec.threshold = reader.scalar<double>(d["threshold"], "threshold");
            if (!std::isfinite(*spec.threshold)) reader.fail(d["threshold"], "threshold must be a finite number");
        }
        if (d["fields"]) {
            if (!d["fields"].IsMap()) reader.fail(d["fields"], "fields: maps our names to the file's, e.g. prompt: question");
            reader.only_keys(d["fields"],
                             {"prompt", "response", "chosen", "rejected", "responses", "instruction", "input", "output", "id", "thumbs"},
                             "fields:");
            for (const auto& kv : d["fields"])
                spec.options.fields[reader.scalar<std::string>(kv.first, "a field name")] = reader.scalar<std::string>(kv.second, "a field name");
        }
        recipe.datasets.push_back(std::move(spec));
    }

    if (const YAML::Node c = root["curate"]) {
        reader.only_keys(c, {"embedder", "model", "clusters", "restarts", "fraction", "seed", "dedup"}, "curate:");
        CurationSettings& s = recipe.curate;
        if (c["embedder"]) s.embedder = reader.choice<EmbedderKind>(c["embedder"], "embedder");
        if (c["model"]) s.model = reader.resolve(c["model"], base_dir, data_dir).string();
        if (c["clusters"]) s.clusters = reader.scalar<int>(c["clusters"], "clusters");
        if (c["restarts"]) s.restarts = reader.scalar<int>(c["restarts"], "restarts");
        if (c["seed"]) {
            const std::string text = reader.scalar<std::string>(c["seed"], "seed");
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
                reader.fail(c["seed"], "seed must be a whole number from 0 to 9999999999999999999, not '" + text + "'");
            s.seed = std::stoull(text);
        }
        if (const YAML::Node d = c["dedup"]) {
            if (!d.IsMap() || !d["threshold"]) reader.fail(d, "dedup: needs a threshold, e.g. dedup: {threshold: 0.95}");
            reader.only_keys(d, {"threshold"}, "dedup:");
            s.dedup = reader.scalar<double>(d["threshold"], "threshold");
            if (!(*s.dedup > 0.0 && *s.dedup <= 1.0)) reader.fail(d["threshold"], "the dedup threshold is a cosine in (0, 1]");
        }
        if (s.clusters < 1 || s.clusters > 100000) reader.fail(c["clusters"], "clusters must be from 1 to 100000");
        if (s.restarts < 1 || s.restarts > 1000) reader.fail(c["restarts"], "restarts must be from 1 to 1000");
        if (const YAML::Node f = c["fraction"]) {
            recipe.fractions.clear();
            if (f.IsSequence()) {
                for (const auto& v : f) recipe.fractions.push_back(reader.scalar<double>(v, "fraction"));
            } else {
                recipe.fractions.push_back(reader.scalar<double>(f, "fraction"));
            }
            for (double v : recipe.fractions)
                if (!(v > 0.0 && v <= 1.0)) reader.fail(f, "a fraction must be in (0, 1]");
            if (recipe.fractions.empty()) reader.fail(f, "fraction: needs at least one value");
        }
    }
    return recipe;
}

Recipe load_recipe(const fs::path& path, const std::optional<fs::path>& data_dir) {
    TextFile file(path);
    return parse_recipe(file.content(), path, fs::absolute(path).parent_path(), data_dir);
}

std::string to_yaml(const Recipe& recipe) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "datasets" << YAML::Value << YAML::BeginSeq;
    for (const DatasetSpec& d : recipe.datasets) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << d.name;
        out << YAML::Key << "path" << YAML::Value << d.path.string();
        out << YAML::Key << "format" << YAML::Value << d.format;
        if (d.role != DatasetRole::Train) out << YAML::Key << "role" << YAML::Value << to_string(d.role);
        if (d.label) out << YAML::Key << "label" << YAML::Value << *d.label;
        if (d.direction) out << YAML::Key << "direction" << YAML::Value << to_string(*d.direction);
        if (d.threshold) out << YAML::Key << "threshold" << YAML::Value << *d.threshold;
        if (!d.options.fields.empty()) {
            out << YAML::Key << "fields" << YAML::Value << YAML::BeginMap;
            for (const auto& [canonical, field] : d.options.fields) out << YAML::Key << canonical << YAML::Value << field;
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    const CurationSettings& c = recipe.curate;
    out << YAML::Key << "curate" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "embedder" << YAML::Value << to_string(c.embedder);
    if (!c.model.empty()) out << YAML::Key << "model" << YAML::Value << c.model;
    out << YAML::Key << "clusters" << YAML::Value << c.clusters;
    out << YAML::Key << "restarts" << YAML::Value << c.restarts;
    out << YAML::Key << "fraction" << YAML::Value;
    if (recipe.fractions.size() == 1) out << recipe.fractions.front();
    else out << YAML::Flow << recipe.fractions;
    out << YAML::Key << "seed" << YAML::Value << c.seed;
    if (c.dedup) out << YAML::Key << "dedup" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "threshold" << YAML::Value
                     << *c.dedup << YAML::EndMap;
    out << YAML::EndMap << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

std::optional<LabelChoice> resolve_label(const DatasetSpec& spec, const std::string& format) {
    std::optional<LabelChoice> label;
    if (!spec.label) {
        label = importer_for(format).default_label();
        if (label && spec.direction) label->direction = *spec.direction;
    } else if (*spec.label == kRankLabel) {
        label = LabelChoice{kRankLabel, spec.direction.value_or(Direction::LowerIsBetter)};
    } else if (*spec.label == kThumbsLabel) {
        label = LabelChoice{kThumbsLabel, spec.direction.value_or(Direction::HigherIsBetter)};
    } else if (!spec.direction) {
        throw std::invalid_argument("dataset '" + spec.name + "': label " + *spec.label +
                                    " needs a direction (lower_is_better or higher_is_better)");
    } else {
        label = LabelChoice{*spec.label, *spec.direction};
    }
    if (spec.threshold) {
        if (!label || label->name == kRankLabel)
            throw std::invalid_argument("dataset '" + spec.name + "': threshold needs a numerical label" +
                                        (label ? ", and ranks are ordinal (their best and worst answers are the unpaired rows)" : ""));
        label->threshold = spec.threshold;
    }
    return label;
}

}  // namespace amalgam
