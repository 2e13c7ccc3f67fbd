#include "core/curate/curation_output.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/data/prompt_json.h"
#include "core/util/atomic_file.h"
#include "core/util/csv_field.h"

namespace amalgam {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
}

}  // namespace

std::string train_jsonl(const Curation& c, const std::vector<bool>& selected) {
    std::string out;
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        if (!selected[i]) continue;
        const PreferencePair& p = c.pairs[i];
        ordered_json line = {{"id", i},
                             {"source", p.source},
                             {"source_id", p.source_id},
                             {"prompt", p.prompt},
                             {"context", ordered_json(to_json(p.context))},
                             {"chosen", p.chosen},
                             {"rejected", p.rejected},
                             {"quality", p.quality ? ordered_json(*p.quality) : ordered_json(nullptr)},
                             {"cluster", c.cluster[i]}};
        out += line.dump() + "\n";
    }
    return out;
}

std::string unpaired_jsonl(const Curation& c, const std::vector<bool>& selected) {
    std::string out;
    for (std::size_t i = 0; i < c.unpaired.size(); ++i) {
        if (!selected[i]) continue;
        const UnpairedRow& r = c.unpaired[i];
        ordered_json line = {{"id", i},
                             {"source", r.source},
                             {"source_id", r.source_id},
                             {"answer", r.answer},
                             {"prompt", r.prompt},
                             {"context", ordered_json(to_json(r.context))},
                             {"completion", r.completion},
                             {"label", r.desirable},
                             {"quality", r.quality ? ordered_json(*r.quality) : ordered_json(nullptr)},
                             {"cluster", c.unpaired_cluster[i]}};
        out += line.dump() + "\n";
    }
    return out;
}

std::string summary_json(const Curation& c, const std::vector<bool>& selected, const std::vector<bool>& unpaired_selected,
                         double fraction) {
    const SelectionCounts counts = count_selection(c, selected, unpaired_selected);
    const std::vector<DuplicateCounts> duplicates = count_duplicates(c);
    ordered_json sources = ordered_json::object();
    for (std::size_t index = 0; index < c.sources.size(); ++index) {
        const SourceReport& s = c.sources[index];
        ordered_json entry = {{"format", s.format},
                              {"path", s.path},
                              {"sha256", s.content_hash},
                              {"records", s.import.lines},
                              {"skipped_lines", s.import.skipped_lines}};
        if (s.label) {
            entry["label"] = s.label->name;
            entry["direction"] = to_string(s.label->direction);
        }
        entry["prompts"] = s.counts.prompts;
        entry["dropped_single_answer"] = s.counts.dropped_single_answer;
        entry["dropped_ties"] = s.counts.dropped_ties;
        entry["pairs"] = s.counts.pairs;
        if (c.settings.dedup)
            entry["duplicates"] = {{"exact", duplicates[index].exact}, {"near", duplicates[index].near}};
        entry["selected"] = counts.source_selected[index];
        ordered_json unpaired = {{"desirable", s.counts.desirable}, {"undesirable", s.counts.undesirable}};
        if (s.threshold) {
            unpaired["threshold"] = *s.threshold;
            unpaired["at_threshold"] = s.counts.at_threshold;
        }
        unpaired["prompts_pairing_drops"] = s.counts.unpaired_only_prompts;
        unpaired["selected"] = counts.source_unpaired_selected[index];
        entry["unpaired"] = unpaired;
        sources[s.name] = entry;
    }
    ordered_json clusters = ordered_json::array();
    for (std::size_t k = 0; k < counts.cluster_pairs.size(); ++k)
        clusters.push_back({{"cluster", k}, {"size", counts.cluster_pairs[k]}, {"selected", counts.cluster_selected[k]}});
    ordered_json hyperparameters = {{"embedder", to_string(c.settings.embedder)},
                                    {"clusters", c.settings.clusters},
                                    {"clusters_used", c.clusters_used},
                                    {"restarts", c.settings.restarts},
                                    {"fraction", fraction},
                                    {"seed", c.settings.seed}};
    if (c.settings.dedup) hyperparameters["dedup"] = {{"threshold", *c.settings.dedup}};
    ordered_json summary = {
        {"hyperparameters", hyperparameters},
        {"sources", sources},
        {"clusters", clusters},
        {"total",
         {{"pairs", c.pairs.size()},
          {"selected", counts.selected},
          {"unpaired", c.unpaired.size()},
          {"unpaired_selected", counts.unpaired_selected}}}};
    return summary.dump(2) + "\n";
}

SelectionRecord selection_record(const Curation& c, const std::vector<bool>& selected, double fraction) {
    SelectionRecord record;
    for (const auto& s : c.sources) record.inputs.push_back({s.name, s.path, s.format, s.content_hash});
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        const auto& p = c.pairs[i];
        const Duplicate duplicate = c.duplicate.empty() ? Duplicate::None : c.duplicate[i];
        record.pairs.push_back({{p.source, p.source_id, c.cluster[i], c.xy[2 * i], c.xy[2 * i + 1], duplicate}, p.quality, selected[i]});
    }
    record.prompt_placements = c.prompt_placements;
    record.fraction = fraction;
    record.seed = c.settings.seed;
    record.summary_json = summary_json(c, selected, c.select_unpaired(fraction), fraction);
    return record;
}

std::string points_csv(const Curation& c, const std::vector<bool>& selected) {
    std::string out = "id,source,cluster,x,y,quality,selected\n";
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        const auto& p = c.pairs[i];
        out += std::to_string(i) + "," + csv_field(p.source) + "," + std::to_string(c.cluster[i]) + "," +
               number(c.xy[2 * i]) + "," + number(c.xy[2 * i + 1]) + "," + (p.quality ? number(*p.quality) : "") + "," +
               (selected[i] ? "1" : "0") + "\n";
    }
    return out;
}

void write_curation(OutputFolder& out, const std::filesystem::path& subfolder, const Curation& c, const std::vector<bool>& selected,
                    double fraction) {
    const std::vector<bool> unpaired_selected = c.select_unpaired(fraction);
    out.write(subfolder / "train.jsonl", train_jsonl(c, selected));
    out.write(subfolder / "unpaired.jsonl", unpaired_jsonl(c, unpaired_selected));
    out.write(subfolder / "summary.json", summary_json(c, selected, unpaired_selected, fraction));
    out.write(subfolder / "points.csv", points_csv(c, selected));
}

bool is_curation_output(const std::string& entry) {
    return entry == "train.jsonl" || entry == "unpaired.jsonl" || entry == "summary.json" || entry == "points.csv" ||
           entry.rfind("fraction-", 0) == 0;
}

}  // namespace amalgam
