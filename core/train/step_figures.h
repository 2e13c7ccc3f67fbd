#pragma once

#include <vector>

namespace amalgam {

/** What a step of a stage that samples its own completions (PPO, GRPO, RLOO) gives the run:
 *  its figures in the stage's metric order, its real tokens and its gradient norm. */
struct StepFigures {
    std::vector<double> values;
    double tokens = 0, grad_norm = 0;
};

}  // namespace amalgam
