#include "core/data/unify.h"

#include <cmath>
#include <stdexcept>

namespace amalgam {

UnifiedSource unify(const std::string& source, const std::vector<Prompt>& prompts,
                    const std::optional<LabelChoice>& label) {
    UnifiedSource out;
    out.counts.prompts = prompts.size();
    auto emit = [&](const Prompt& p, const std::string& chosen, const std::string& rejected, std::optional<double> quality) {
        out.pairs.push_back({source, p.source_id, p.text, p.context, chosen, rejected, quality});
    };
    for (const Prompt& p : prompts) {
        if (p.responses.size() < 2) {
            ++out.counts.dropped_single_answer;
            continue;
        }
        switch (p.supervision) {
            case Supervision::Binary:
                emit(p, p.responses[0].text, p.responses[1].text, std::nullopt);
                continue;
            case Supervision::Unlabelled:
                throw std::invalid_argument("dataset '" + source + "' has answers without a preference (" +
                                            p.source_id + "); it can only be used for evaluation (role: eval)");
            case Supervision::Graded:
                break;
        }
        if (!label) throw std::invalid_argument("dataset '" + source + "' is graded: name its label and direction");
        // Best and worst among the answers that carry the label; the first wins a tie.
        const Response* best = nullptr;
        const Response* worst = nullptr;
        double best_value = 0, worst_value = 0;
        std::size_t labelled = 0;
        bool lower = label->direction == Direction::LowerIsBetter;
        for (const Response& r : p.responses) {
            auto it = r.labels.find(label->name);
            if (it == r.labels.end() || std::isnan(it->second)) continue;
            double v = it->second;
            ++labelled;
            if (!best || (lower ? v < best_value : v > best_value)) { best = &r; best_value = v; }
            if (!worst || (lower ? v > worst_value : v < worst_value)) { worst = &r; worst_value = v; }
        }
        if (labelled < 2) {
            ++out.counts.dropped_single_answer;
            continue;
        }
        if (best_value == worst_value) {
            ++out.counts.dropped_ties;
            continue;
        }
        std::optional<double> quality;
        if (label->name != kRankLabel) quality = std::fabs(best_value - worst_value);
        emit(p, best->text, worst->text, quality);
    }
    out.counts.pairs = out.pairs.size();
    return out;
}

}  // namespace amalgam
