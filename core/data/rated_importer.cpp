#include <cctype>
#include <cmath>
#include <set>
#include <unordered_map>

#include "core/data/csv_reader.h"
#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** Collects rated rows into prompts: every row is one answer, rows with the same prompt text
 *  are answers to the same prompt (paper 2.3), in the order the prompts first appear. */
class PromptGroups {
public:
    void add(const std::string& id, const std::string& prompt, Response response) {
        auto [it, fresh] = index_.try_emplace(prompt, prompts_.size());
        if (fresh) prompts_.push_back(Prompt{id, prompt, {}, {}, Supervision::Graded});
        prompts_[it->second].responses.push_back(std::move(response));
    }
    std::vector<Prompt> take() { return std::move(prompts_); }

private:
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<Prompt> prompts_;
};

bool is_csv_header(const std::string& line, const ImportOptions& options) {
    std::set<std::string> names;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
        names.insert(line.substr(start, comma - start));
    names.insert(line.substr(start));
    return names.count(options.field("prompt")) && names.count(options.field("response"));
}

/** A cell's finite number; an empty cell or text is none. */
std::optional<double> parse_number(const std::string& cell) {
    if (cell.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        double v = std::stod(cell, &used);
        if (used == cell.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

/** A thumbs field's text as 1 (up) or 0 (down); an empty one is none. */
std::optional<double> thumbs_value(const std::string& field, const std::string& text) {
    std::string word;
    for (unsigned char c : text) word += static_cast<char>(std::tolower(c));
    if (word.empty()) return std::nullopt;
    if (word == "up" || word == "true" || word == "1" || word == "+1") return 1.0;
    if (word == "down" || word == "false" || word == "0" || word == "-1") return 0.0;
    throw RecordError("thumbs field '" + field + "' is '" + text + "', not up/down, true/false, 1/0 or -1");
}

/** The same from JSON: a boolean, a number or a word; null is none. */
std::optional<double> thumbs_value(const std::string& field, const nlohmann::json& value) {
    if (value.is_null()) return std::nullopt;
    if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
    if (value.is_string()) return thumbs_value(field, value.get<std::string>());
    if (value.is_number()) return thumbs_value(field, value.dump());
    throw RecordError("thumbs field '" + field + "' is " + value.dump() + ", not up/down, true/false, 1/0 or -1");
}

/** Rated answers, one per JSONL record or CSV row: prompt, response and numeric label columns
 *  (nested JSON objects give dotted names). Non-numeric or empty cells are no label. A thumbs
 *  field (canonical name "thumbs") is binary feedback per answer: the label "thumbs", 1 or 0. */
class RatedImporter final : public Importer {
public:
    std::string format() const override { return "rated"; }

    bool detect(const FormatSample& s) const override {
        if (s.first_object) return s.has("prompt") && s.has("response");
        return is_csv_header(s.first_line, {});
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        TextFile file(path, Utf8Check::PerLine);
        auto first = file.content().find_first_not_of(" \t\r\n\xEF\xBB\xBF");
        if (first == std::string::npos) throw DataError(file.path(), 0, "holds no records");
        if (file.content()[first] == '{') return read_jsonl(file, options, report);
        file.require_valid_utf8();  // a quoted CSV field may span lines: no line of it can be passed over alone
        return read_csv_rows(file, options, report);
    }

private:
    static std::vector<Prompt> read_jsonl(const TextFile& file, const ImportOptions& options, ImportReport& report) {
        PromptGroups groups;
        const std::string thumbs = options.field(kThumbsLabel);
        const std::set<std::string> text_fields{options.field("prompt"), options.field("response"), options.field("id"), thumbs};
        for_each_json_record(file, options, report, [&](const nlohmann::json& r, std::size_t line) {
            Response response{require_string(r, options.field("response")), {}};
            nlohmann::json labels = nlohmann::json::object();
            for (const auto& [key, value] : r.items())
                if (!text_fields.count(key)) labels[key] = value;
            collect_numbers(labels, "", response.labels, options);
            if (r.contains(thumbs))
                if (auto v = thumbs_value(thumbs, r[thumbs])) response.labels[kThumbsLabel] = *v;
            groups.add(record_id(r, options, file.path(), line), require_string(r, options.field("prompt")), std::move(response));
        });
        return groups.take();
    }

    static std::vector<Prompt> read_csv_rows(const TextFile& file, const ImportOptions& options, ImportReport& report) {
        auto rows = read_csv(file);
        const auto& header = rows.front().cells;
        auto column = [&](const std::string& name) -> int {
            for (std::size_t i = 0; i < header.size(); ++i)
                if (header[i] == name) return static_cast<int>(i);
            return -1;
        };
        int prompt = column(options.field("prompt")), answer = column(options.field("response")), id = column(options.field("id")),
            thumbs = column(options.field(kThumbsLabel));
        if (prompt < 0 || answer < 0)
            throw DataError(file.path(), 1, "header needs columns '" + options.field("prompt") + "' and '" +
                                                options.field("response") + "'");
        PromptGroups groups;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            const CsvRow& row = rows[r];
            ++report.lines;
            guard_record(file.path(), row.line, options, report, [&] {
                if (row.cells.size() != header.size())
                    throw RecordError("has " + std::to_string(row.cells.size()) + " columns, the header has " +
                                      std::to_string(header.size()));
                Response response{row.cells[answer], {}};
                for (std::size_t c = 0; c < header.size(); ++c) {
                    if (static_cast<int>(c) == prompt || static_cast<int>(c) == answer || static_cast<int>(c) == id) continue;
                    if (static_cast<int>(c) == thumbs) {
                        if (auto v = thumbs_value(header[c], row.cells[c])) response.labels[kThumbsLabel] = *v;
                        continue;
                    }
                    if (auto v = parse_number(row.cells[c])) response.labels[header[c]] = *v;
                    else if (header[c] == options.label && !row.cells[c].empty())
                        throw RecordError("label '" + header[c] + "' is '" + row.cells[c] + "', not a finite number");
                }
                std::string source_id = id >= 0 ? row.cells[id]
                                                : std::filesystem::path(file.path()).filename().string() + ":" + std::to_string(row.line);
                groups.add(source_id, row.cells[prompt], std::move(response));
            });
        }
        if (report.lines == 0) throw DataError(file.path(), 0, "has a header but no rows");
        return groups.take();
    }
};

}  // namespace

std::unique_ptr<Importer> make_rated_importer() { return std::make_unique<RatedImporter>(); }

}  // namespace amalgam
