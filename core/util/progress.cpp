#include "core/util/progress.h"

namespace amalgam {

double overall_share(const std::vector<Progress::Stage>& plan, const std::string& stage, double share) {
    double before = 0, total = 0, current = -1;
    for (const auto& s : plan) {
        if (s.name == stage && current < 0) current = s.work;
        else if (current < 0) before += s.work;
        total += s.work;
    }
    if (current < 0 || total <= 0) return share;
    return (before + share * current) / total;
}

}  // namespace amalgam
