#include <cctype>
#include <optional>
#include <string_view>

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

/** The text after a line's "<index> ", or nullopt where the line does not start so. */
std::optional<std::string_view> after_index(std::string_view line) {
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::size_t at = 0;
    while (at < line.size() && space(line[at])) ++at;
    const std::size_t digits = at;
    while (at < line.size() && std::isdigit(static_cast<unsigned char>(line[at]))) ++at;
    if (at == digits || at == line.size() || !space(line[at])) return std::nullopt;
    while (at < line.size() && space(line[at])) ++at;
    return line.substr(at);
}

/** How many "[...]" spans with something inside the text holds, left to right. A scan, not a
 *  std::regex: the regex engine recurses once a character and overflows the stack on long lines. */
std::size_t bracket_spans(std::string_view text) {
    std::size_t spans = 0;
    for (std::size_t open = text.find('['); open != std::string_view::npos;) {
        const std::size_t close = text.find(']', open + 1);
        if (close == std::string_view::npos) break;
        if (close > open + 1) ++spans;
        open = text.find('[', close > open + 1 ? close + 1 : open + 1);
    }
    return spans;
}

/** "12 [The developer] argued with ..." -> the sentence without its index and brackets. */
std::string read_sentence(std::string_view line) {
    const std::optional<std::string_view> sentence = after_index(line);
    if (!sentence || bracket_spans(*sentence) == 0) throw RecordError("expected '<index> <sentence with [bracketed] spans>'");
    std::string out;
    for (char c : *sentence)
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
        const std::optional<std::string_view> sentence = after_index(s.first_line);
        return !s.first_object && sentence && bracket_spans(*sentence) >= 2;
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
