#include "core/curate/selection.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace amalgam {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t seeded_key(std::uint64_t seed, const std::string& source, const std::string& id) {
    std::uint64_t h = mix(seed);
    for (unsigned char c : source) h = mix(h ^ c);
    h = mix(h ^ 0xff);
    for (unsigned char c : id) h = mix(h ^ c);
    return h;
}

}  // namespace

std::size_t stratum_quota(double fraction, std::size_t n) {
    // The epsilon lets a product meant to be x.5 that lands just below it round up as written.
    return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n) + 1e-9));
}

std::vector<bool> select_pairs(const std::vector<SelectionItem>& items, double fraction, std::uint64_t seed) {
    if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("fraction must be between 0 and 1");
    std::map<std::pair<std::string, int>, std::vector<std::size_t>> strata;
    for (std::size_t i = 0; i < items.size(); ++i) strata[{items[i].source, items[i].cluster}].push_back(i);

    std::vector<bool> keep(items.size(), false);
    std::vector<std::uint64_t> key(items.size());
    for (auto& [stratum, members] : strata) {
        for (std::size_t i : members) key[i] = seeded_key(seed, items[i].source, items[i].source_id);
        std::sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
            const auto& qa = items[a].quality;
            const auto& qb = items[b].quality;
            if (qa.has_value() != qb.has_value()) return qa.has_value();  // scored items first
            if (qa && *qa != *qb) return *qa > *qb;                          // best quality first
            if (key[a] != key[b]) return key[a] < key[b];                    // then seeded order
            return a < b;
        });
        std::size_t quota = stratum_quota(fraction, members.size());
        for (std::size_t r = 0; r < quota; ++r) keep[members[r]] = true;
    }
    return keep;
}

}  // namespace amalgam
