#include "core/data/contrast_pair.h"

#include <sstream>
#include <vector>

#include "core/util/data_error.h"

namespace amalgam {
namespace {

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string join(const std::vector<std::string>& w, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) out += (i > from ? " " : "") + w[i];
    return out;
}

}  // namespace

Prompt contrast_pair(const std::string& source_id, const std::string& anti, const std::string& pro) {
    auto a = words(anti), p = words(pro);
    std::size_t shared = 0;
    while (shared < a.size() && shared < p.size() && a[shared] == p[shared]) ++shared;
    if (shared == a.size() && shared == p.size())
        throw RecordError("the pro- and anti-stereotypical sentences are identical");
    Prompt prompt;
    prompt.source_id = source_id;
    prompt.text = join(a, 0, shared);
    prompt.supervision = Supervision::Binary;
    prompt.responses = {{join(a, shared, a.size()), {}}, {join(p, shared, p.size()), {}}};
    return prompt;
}

}  // namespace amalgam
