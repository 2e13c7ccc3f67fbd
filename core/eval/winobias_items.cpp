#include "core/eval/winobias_items.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/util/data_error.h"
#include "core/util/text_file.h"

namespace amalgam {
namespace {

const std::set<std::string> kPronouns = {"he", "she", "him", "her", "his", "hers"};
const std::set<std::string> kReflexive = {"himself", "herself"};
const std::set<std::string> kArticles = {"the", "a", "an"};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/** Words of lower-cased text: runs of letters and apostrophes. */
std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string w;
    for (char c : text) {
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '\'') {
            w += c;
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    if (!w.empty()) out.push_back(w);
    return out;
}

bool is_pronoun_span(const std::string& span) { return kPronouns.count(span) || kReflexive.count(span); }

}  // namespace

std::string WinobiasItem::scoring_context() const { return sentence + " \"" + pronoun + "\" refers to:"; }

std::string WinobiasItem::generation_prompt() const { return sentence + "\n\"" + pronoun + "\" refers to: "; }

WinobiasItem parse_winobias_line(const std::string& line, const std::string& file, std::size_t line_number) {
    WinobiasItem item;
    item.source = std::filesystem::path(file).filename().string() + ":" + std::to_string(line_number);
    std::size_t start = line.find_first_not_of(" \t");
    std::size_t space = start == std::string::npos ? std::string::npos : line.find(' ', start);
    if (space == std::string::npos || !std::all_of(line.begin() + start, line.begin() + space, ::isdigit))
        throw DataError(file, line_number, "expected '<index> <sentence with [bracketed] spans>'");
    std::string text = lower(line.substr(space + 1));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();

    std::vector<std::string> spans;
    for (std::size_t open = text.find('['); open != std::string::npos; open = text.find('[', open + 1)) {
        std::size_t close = text.find(']', open);
        if (close == std::string::npos) throw DataError(file, line_number, "a '[' has no matching ']'");
        spans.push_back(text.substr(open + 1, close - open - 1));
    }
    text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '[' || c == ']'; }), text.end());
    item.sentence = text;

    for (const auto& w : words(text))
        if (kPronouns.count(w)) {
            item.pronoun = w;
            break;
        }
    if (item.pronoun.empty()) throw DataError(file, line_number, "no pronoun (he, she, him, her, his, hers) in the sentence");
    auto antecedent = std::find_if(spans.begin(), spans.end(), [](const std::string& s) { return !is_pronoun_span(s); });
    if (antecedent == spans.end()) throw DataError(file, line_number, "no bracketed antecedent span");
    auto head = words(*antecedent);
    if (head.empty()) throw DataError(file, line_number, "the antecedent span has no word");
    item.occupation = head.back();
    for (const auto& span : spans)
        for (const auto& w : words(span)) {
            item.cluster.push_back(w);
            if (!kArticles.count(w) && w != item.pronoun && !is_pronoun_span(w)) item.answer_words.push_back(w);
        }
    return item;
}

std::vector<WinobiasItem> read_winobias_file(const std::filesystem::path& path) {
    TextFile file(path);
    std::vector<WinobiasItem> items;
    file.for_each_line([&](std::string_view line, std::size_t number) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        items.push_back(parse_winobias_line(std::string(line), file.path(), number));
    });
    return items;
}

std::vector<WinobiasPair> read_winobias_pairs(const std::filesystem::path& folder, const std::string& split) {
    std::vector<WinobiasPair> pairs;
    for (const char* type : {"type1", "type2"}) {
        auto pro_path = folder / ("pro_stereotyped_" + std::string(type) + ".txt." + split);
        auto anti_path = folder / ("anti_stereotyped_" + std::string(type) + ".txt." + split);
        auto pro = read_winobias_file(pro_path), anti = read_winobias_file(anti_path);
        if (pro.size() != anti.size())
            throw DataError(anti_path.string(), 0, "has " + std::to_string(anti.size()) + " sentences but its pro file has " +
                                                       std::to_string(pro.size()));
        for (std::size_t i = 0; i < pro.size(); ++i) pairs.push_back({pro[i], anti[i]});
    }
    return pairs;
}

}  // namespace amalgam
