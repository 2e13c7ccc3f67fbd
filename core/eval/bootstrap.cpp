#include "core/eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace amalgam {
namespace {

/** The p-quantile of sorted values, interpolating between neighbours (numpy's "linear"). */
double quantile(const std::vector<double>& sorted, double p) {
    const double at = p * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(at));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

std::optional<Interval> bootstrap_interval(const std::vector<double>& values, const BootstrapSettings& settings) {
    if (values.empty() || settings.resamples == 0) return std::nullopt;
    std::mt19937_64 rng(settings.seed);
    std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
    std::vector<double> means(settings.resamples);
    for (double& mean : means) {
        double sum = 0;
        for (std::size_t i = 0; i < values.size(); ++i) sum += values[pick(rng)];
        mean = sum / static_cast<double>(values.size());
    }
    std::sort(means.begin(), means.end());
    const double tail = (1 - settings.level) / 2;
    return Interval{quantile(means, tail), quantile(means, 1 - tail)};
}

std::optional<Interval> paired_difference_interval(const ItemScores& a, const ItemScores& b, const BootstrapSettings& settings) {
    if (a.ids != b.ids || a.values.size() != b.values.size()) return std::nullopt;
    std::vector<double> differences(a.values.size());
    for (std::size_t i = 0; i < differences.size(); ++i) differences[i] = a.values[i] - b.values[i];
    return bootstrap_interval(differences, settings);
}

}  // namespace amalgam
