#include "core/data/transcript.h"

#include "core/util/data_error.h"

namespace amalgam {

std::vector<Turn> parse_transcript(const std::string& t) {
    static const std::pair<const char*, const char*> kMarkers[] = {{"Human:", "user"}, {"Assistant:", "assistant"}};
    std::vector<Turn> turns;
    std::size_t pos = 0;
    auto next_marker = [&](std::size_t from, const char** role, std::size_t* length) {
        std::size_t best = std::string::npos;
        for (const auto& [marker, name] : kMarkers) {
            for (std::size_t at = t.find(marker, from); at != std::string::npos; at = t.find(marker, at + 1)) {
                if (at == 0 || (at >= 2 && t.compare(at - 2, 2, "\n\n") == 0)) {
                    if (at < best) { best = at; *role = name; *length = std::char_traits<char>::length(marker); }
                    break;
                }
            }
        }
        return best;
    };
    const char* role = nullptr;
    std::size_t length = 0;
    pos = next_marker(0, &role, &length);
    if (pos == std::string::npos) throw RecordError("not a Human:/Assistant: transcript");
    while (pos != std::string::npos) {
        const char* this_role = role;
        std::size_t start = pos + length;
        std::size_t end = next_marker(start, &role, &length);
        std::string text = t.substr(start, end == std::string::npos ? std::string::npos : end - start);
        auto first = text.find_first_not_of(" \n");
        auto last = text.find_last_not_of(" \n");
        turns.push_back({this_role, first == std::string::npos ? "" : text.substr(first, last - first + 1)});
        pos = end;
    }
    return turns;
}

}  // namespace amalgam
