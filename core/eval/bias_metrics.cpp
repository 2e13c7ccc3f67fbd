#include "core/eval/bias_metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace amalgam {
namespace {

/** A distribution from logits, in double precision: exp(logit - max) of each and their sum. */
struct Softmax {
    std::vector<double> unnormalised;
    double total = 0;
    double shift = 0;  ///< max + log(total): a logit less this is its log-probability

    explicit Softmax(const std::vector<float>& logits) : unnormalised(logits.size()) {
        const double top = *std::max_element(logits.begin(), logits.end());
        for (std::size_t i = 0; i < logits.size(); ++i) total += unnormalised[i] = std::exp(logits[i] - top);
        shift = top + std::log(total);
    }
};

}  // namespace

double kl_divergence_from_logits(const std::vector<float>& p_logits, const std::vector<float>& q_logits) {
    if (p_logits.size() != q_logits.size() || p_logits.empty()) throw std::invalid_argument("KL needs two distributions of the same size");
    const Softmax p(p_logits), q(q_logits);  // p's probabilities reuse its normaliser's terms: two exponentials an entry
    double kl = 0;
    for (std::size_t i = 0; i < p_logits.size(); ++i)
        kl += p.unnormalised[i] / p.total * ((p_logits[i] - p.shift) - (q_logits[i] - q.shift));
    return std::max(kl, 0.0);  // rounding can leave a tiny negative for equal distributions
}

bool mentions_any(const std::string& generation, const std::vector<std::string>& answer_words) {
    std::string text;
    for (char c : generation) text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '\''; };
    for (const auto& w : answer_words) {
        for (std::size_t at = text.find(w); at != std::string::npos; at = text.find(w, at + 1)) {
            bool starts = at == 0 || !is_word(text[at - 1]);
            bool ends = at + w.size() == text.size() || !is_word(text[at + w.size()]);
            if (starts && ends) return true;
        }
    }
    return false;
}

double mean_absolute_difference(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) throw std::invalid_argument("mean_absolute_difference needs equal lengths");
    if (a.empty()) return 0;
    double total = 0;
    for (std::size_t i = 0; i < a.size(); ++i) total += std::fabs(a[i] - b[i]);
    return total / static_cast<double>(a.size());
}

}  // namespace amalgam
