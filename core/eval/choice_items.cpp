#include "core/eval/choice_items.h"

#include <cctype>
#include <set>
#include <sstream>

#include "core/util/data_error.h"
#include "core/util/text_file.h"

namespace amalgam {

std::vector<ChoiceItem> winogrande_choice_items(const std::vector<Prompt>& prompts) {
    std::vector<ChoiceItem> items;
    for (const Prompt& p : prompts) {
        if (p.supervision != Supervision::Binary || p.responses.size() != 2) continue;  // unanswered items cannot be scored
        std::size_t blank = p.text.find('_');
        if (blank == std::string::npos) continue;
        std::string tail = p.text.substr(blank + 1);
        tail.erase(0, tail.find_first_not_of(' '));
        ChoiceItem item{p.source_id, {}, 0};
        for (const Response& r : p.responses) item.options.emplace_back(p.text.substr(0, blank) + r.text, " " + tail);
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<ChoiceItem> winogender_choice_items(const std::filesystem::path& path) {
    static const std::set<std::string> kPronouns = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs"};
    TextFile file(path);
    std::vector<ChoiceItem> items;
    file.for_each_line([&](std::string_view line, std::size_t number) {
        if (number == 1 || line.empty()) return;
        std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos) throw DataError(file.path(), number, "expected sentid<TAB>sentence");
        std::string id(line.substr(0, tab)), sentence(line.substr(tab + 1));
        std::vector<std::string> parts;
        std::istringstream split(id);
        for (std::string part; std::getline(split, part, '.');) parts.push_back(part);
        if (parts.size() != 5 || (parts[2] != "0" && parts[2] != "1"))
            throw DataError(file.path(), number, "sentid '" + id + "' is not occupation.participant.answer.gender.txt");
        std::string lowered, pronoun;
        for (char c : sentence) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::istringstream words(lowered);
        for (std::string w; words >> w && pronoun.empty();) {
            while (!w.empty() && !std::isalpha(static_cast<unsigned char>(w.back()))) w.pop_back();
            if (kPronouns.count(w)) pronoun = w;
        }
        if (pronoun.empty()) throw DataError(file.path(), number, "no pronoun in the sentence");
        std::string context = lowered + " \"" + pronoun + "\" refers to:";
        // answer 0: the pronoun refers to the occupation; 1: to the other participant.
        items.push_back({id, {{context, " " + parts[0]}, {context, " " + parts[1]}}, parts[2] == "0" ? 0 : 1});
    });
    return items;
}

}  // namespace amalgam
