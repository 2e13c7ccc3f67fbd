#include "core/data/unify.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace amalgam {
namespace {

bool better(double a, double b, Direction direction) { return direction == Direction::LowerIsBetter ? a < b : a > b; }

/** The label's value on an answer, when it carries one. */
std::optional<double> value_of(const Response& r, const std::string& label) {
    auto it = r.labels.find(label);
    if (it == r.labels.end() || std::isnan(it->second)) return std::nullopt;
    return it->second;
}

/** Where a numerical label is cut into desirable and undesirable: the recipe's threshold, else
 *  the median of the graded answers' values, or halfway between a label's only two values. */
std::optional<double> label_threshold(const std::vector<Prompt>& prompts, const LabelChoice& label) {
    if (label.threshold) return label.threshold;
    std::vector<double> values;
    for (const Prompt& p : prompts)
        if (p.supervision == Supervision::Graded)
            for (const Response& r : p.responses)
                if (auto v = value_of(r, label.name)) values.push_back(*v);
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    std::size_t distinct = 1;
    for (std::size_t i = 1; i < values.size(); ++i) distinct += values[i] != values[i - 1];
    if (distinct == 2) return (values.front() + values.back()) / 2;
    const std::size_t m = values.size() / 2;
    return values.size() % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** One prompt's pair, if it gives one, and its unpaired rows. */
void add_prompt(const std::string& source, const Prompt& p, const std::optional<LabelChoice>& label, UnifiedSource& out) {
    auto pair = [&](const Response& chosen, const Response& rejected, std::optional<double> quality) {
        out.pairs.push_back({source, p.source_id, p.text, p.context, chosen.text, rejected.text, quality});
    };
    auto row = [&](const Response& r, bool desirable, std::optional<double> quality) {
        const auto answer = static_cast<std::size_t>(&r - p.responses.data());
        out.unpaired.push_back({source, p.source_id, answer, p.text, p.context, r.text, desirable, quality});
        ++(desirable ? out.counts.desirable : out.counts.undesirable);
    };
    const bool single = p.responses.size() < 2;
    switch (p.supervision) {
        case Supervision::Binary:
            if (single) break;
            pair(p.responses[0], p.responses[1], std::nullopt);
            row(p.responses[0], true, std::nullopt);
            row(p.responses[1], false, std::nullopt);
            return;
        case Supervision::Unlabelled:
            if (single) break;
            throw std::invalid_argument("dataset '" + source + "' has answers without a preference (" + p.source_id +
                                        "); it can only be used for evaluation (role: eval)");
        case Supervision::Graded:
            if (single && !label) break;
            if (!label) throw std::invalid_argument("dataset '" + source + "' is graded: name its label and direction");
            // Best and worst among the answers that carry the label; the first wins a tie.
            const Response* best = nullptr;
            const Response* worst = nullptr;
            double best_value = 0, worst_value = 0;
            std::size_t labelled = 0;
            const bool numerical = label->name != kRankLabel;
            for (const Response& r : p.responses) {
                const auto v = value_of(r, label->name);
                if (!v) continue;
                ++labelled;
                if (!best || better(*v, best_value, label->direction)) { best = &r; best_value = *v; }
                if (!worst || better(worst_value, *v, label->direction)) { worst = &r; worst_value = *v; }
                if (!numerical || !out.threshold) continue;
                if (*v == *out.threshold) ++out.counts.at_threshold;
                else row(r, better(*v, *out.threshold, label->direction), std::fabs(*v - *out.threshold));
            }
            if (labelled < 2) break;
            if (best_value == worst_value) {
                ++out.counts.dropped_ties;
                return;
            }
            pair(*best, *worst, numerical ? std::optional<double>(std::fabs(best_value - worst_value)) : std::nullopt);
            if (!numerical) {
                row(*best, true, std::nullopt);
                row(*worst, false, std::nullopt);
            }
            return;
    }
    ++out.counts.dropped_single_answer;
}

}  // namespace

UnifiedSource unify(const std::string& source, const std::vector<Prompt>& prompts, const std::optional<LabelChoice>& label) {
    UnifiedSource out;
    out.counts.prompts = prompts.size();
    if (label && label->name != kRankLabel) out.threshold = label_threshold(prompts, *label);
    for (const Prompt& p : prompts) {
        const std::size_t pairs = out.pairs.size(), rows = out.unpaired.size();
        add_prompt(source, p, label, out);
        if (out.pairs.size() == pairs && out.unpaired.size() > rows) ++out.counts.unpaired_only_prompts;
    }
    out.counts.pairs = out.pairs.size();
    return out;
}

}  // namespace amalgam
