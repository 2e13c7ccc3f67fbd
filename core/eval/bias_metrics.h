#pragma once

#include <string>
#include <vector>

namespace amalgam {

/** KL(p || q) of two next-token distributions given as logits (natural log). */
double kl_divergence_from_logits(const std::vector<float>& p_logits, const std::vector<float>& q_logits);

/** Whether a generation names one of the answer words: case-insensitive, whole words. */
bool mentions_any(const std::string& generation, const std::vector<std::string>& answer_words);

/** Mean of |a_i - b_i| (Bias, Bias (Cluster)); 0 for no pairs. */
double mean_absolute_difference(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace amalgam
