#include <regex>

#include "core/data/contrast_pair.h"
#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

const std::string kPro = "pro_stereotyped";
const std::string kAnti = "anti_stereotyped";

/** The file of the other polarity: pro_stereotyped_type1.txt.dev <-> anti_stereotyped_type1.txt.dev. */
std::filesystem::path partner_of(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    for (const auto& [from, to] : {std::pair{kPro, kAnti}, std::pair{kAnti, kPro}})
        if (name.rfind(from, 0) == 0) return path.parent_path() / (to + name.substr(from.size()));
    throw DataError(path.string(), 0, "a WinoBias file name must start with " + kPro + " or " + kAnti +
                                          " so that its paired file can be found");
}

/** "12 [The developer] argued with ..." -> the sentence without its index and brackets. */
std::string read_sentence(std::string_view line) {
    static const std::regex shape(R"(^\s*\d+\s+(.*\[[^\]]+\].*)$)");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(line.begin(), line.end(), m, shape))
        throw RecordError("expected '<index> <sentence with [bracketed] spans>'");
    std::string out;
    for (char c : m[1].str())
        if (c != '[' && c != ']') out += c;
    return out;
}

std::vector<std::string> read_sentences(const std::filesystem::path& path, const ImportOptions& options,
                                        ImportReport& report) {
    std::vector<std::string> sentences;  // by line number - 1; empty where a line was skipped
    TextFile file(path);
    file.for_each_line([&](std::string_view line, std::size_t number) {
        sentences.resize(number);
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        guard_record(file.path(), number, options, report, [&] { sentences[number - 1] = read_sentence(line); });
    });
    return sentences;
}

/** WinoBias bracketed sentence files. Line i of a pro file pairs with line i of the anti file
 *  of the same type and split; the pair prefers the anti-stereotypical sentence. */
class WinobiasImporter final : public Importer {
public:
    std::string format() const override { return "winobias"; }

    bool detect(const FormatSample& s) const override {
        static const std::regex shape(R"(^\s*\d+\s+.*\[[^\]]+\].*\[[^\]]+\].*$)");
        return !s.first_object && std::regex_match(s.first_line, shape);
    }

    std::vector<std::filesystem::path> input_files(const std::filesystem::path& path) const override {
        auto partner = partner_of(path);
        bool pro_first = path.filename().string().rfind(kPro, 0) == 0;
        return pro_first ? std::vector{path, partner} : std::vector{partner, path};
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        auto files = input_files(path);
        auto pro = read_sentences(files[0], options, report);
        auto anti = read_sentences(files[1], options, report);
        if (pro.size() != anti.size())
            throw DataError(files[1].string(), 0, "has " + std::to_string(anti.size()) + " lines but " +
                                                      files[0].filename().string() + " has " + std::to_string(pro.size()));
        std::vector<Prompt> prompts;
        for (std::size_t i = 0; i < pro.size(); ++i) {
            if (pro[i].empty() || anti[i].empty()) continue;
            ++report.lines;
            std::string id = files[0].filename().string() + ":" + std::to_string(i + 1);
            guard_record(files[0].string(), i + 1, options, report,
                         [&] { prompts.push_back(contrast_pair(id, anti[i], pro[i])); });
        }
        return prompts;
    }
};

}  // namespace

std::unique_ptr<Importer> make_winobias_importer() { return std::make_unique<WinobiasImporter>(); }

}  // namespace amalgam
