#include <map>
#include <sstream>

#include "core/data/contrast_pair.h"
#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

const char* kStatsFile = "occupations-stats.tsv";

std::vector<std::string> split_tabs(std::string_view line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
        out.emplace_back(line.substr(start, tab - start));
    out.emplace_back(line.substr(start));
    return out;
}

/** occupation -> whether the female pronoun is the stereotypical one (BLS share above 50%). */
std::map<std::string, bool> read_female_majority(const std::filesystem::path& path) {
    TextFile file(path);
    std::map<std::string, bool> out;
    int bls_column = -1;
    file.for_each_line([&](std::string_view line, std::size_t number) {
        if (line.empty()) return;
        auto cells = split_tabs(line);
        if (number == 1) {
            for (std::size_t i = 0; i < cells.size(); ++i)
                if (cells[i] == "bls_pct_female") bls_column = static_cast<int>(i);
            if (bls_column < 0) throw DataError(file.path(), 1, "no bls_pct_female column");
            return;
        }
        if (static_cast<int>(cells.size()) <= bls_column) throw DataError(file.path(), number, "missing bls_pct_female");
        try {
            out[cells[0]] = std::stod(cells[bls_column]) > 50.0;
        } catch (const std::exception&) {
            throw DataError(file.path(), number, "bls_pct_female is not a number: '" + cells[bls_column] + "'");
        }
    });
    return out;
}

/** Winogender schemas: all_sentences.tsv, with occupations-stats.tsv beside it to tell which
 *  pronoun is stereotypical for each occupation. The male and female sentences of one
 *  (occupation, participant, answer) make a pair preferring the anti-stereotypical one;
 *  neutral sentences are not used for training. */
class WinogenderImporter final : public Importer {
public:
    std::string format() const override { return "winogender"; }

    bool detect(const FormatSample& s) const override { return s.first_line.rfind("sentid\tsentence", 0) == 0; }

    std::vector<std::filesystem::path> input_files(const std::filesystem::path& path) const override {
        return {path, path.parent_path() / kStatsFile};
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        auto female_majority = read_female_majority(path.parent_path() / kStatsFile);
        struct Versions { std::string male, female; std::size_t line = 0; };
        std::map<std::string, Versions> schemas;
        std::vector<std::string> order;
        TextFile file(path);
        file.for_each_line([&](std::string_view line, std::size_t number) {
            if (number == 1 || line.empty()) return;
            ++report.lines;
            guard_record(file.path(), number, options, report, [&] {
                auto cells = split_tabs(line);
                if (cells.size() != 2) throw RecordError("expected two tab-separated columns: sentid, sentence");
                // sentid: occupation.participant.answer.gender.txt
                std::vector<std::string> parts;
                std::istringstream id(cells[0]);
                for (std::string part; std::getline(id, part, '.');) parts.push_back(part);
                if (parts.size() != 5) throw RecordError("sentid '" + cells[0] + "' is not occupation.participant.answer.gender.txt");
                if (!female_majority.count(parts[0]))
                    throw RecordError("occupation '" + parts[0] + "' is not in " + std::string(kStatsFile));
                std::string key = parts[0] + "." + parts[1] + "." + parts[2];
                auto [it, fresh] = schemas.try_emplace(key);
                if (fresh) { order.push_back(key); it->second.line = number; }
                if (parts[3] == "male") it->second.male = cells[1];
                else if (parts[3] == "female") it->second.female = cells[1];
                else if (parts[3] != "neutral") throw RecordError("gender must be male, female or neutral, not '" + parts[3] + "'");
            });
        });
        std::vector<Prompt> prompts;
        for (const auto& key : order) {
            const Versions& v = schemas[key];
            if (v.male.empty() || v.female.empty()) continue;
            bool female_pro = female_majority[key.substr(0, key.find('.'))];
            guard_record(file.path(), v.line, options, report, [&] {
                prompts.push_back(contrast_pair(key, female_pro ? v.male : v.female, female_pro ? v.female : v.male));
            });
        }
        return prompts;
    }
};

}  // namespace

std::unique_ptr<Importer> make_winogender_importer() { return std::make_unique<WinogenderImporter>(); }

}  // namespace amalgam
