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

StratifiedOrder::StratifiedOrder(const std::vector<SelectionItem>& items, std::uint64_t seed) {
    if (items.size() > UINT32_MAX) throw std::invalid_argument("selection: more than 4,294,967,295 items");
    std::map<std::pair<std::string, int>, std::vector<std::uint32_t>> strata;
    // Items come source by source: look a source's strata up again only when the source changes.
    const std::string* source = nullptr;
    std::map<int, std::vector<std::uint32_t>*> of_source;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!source || *source != items[i].source) {
            source = &items[i].source;
            of_source.clear();
        }
        auto& members = of_source[items[i].cluster];
        if (!members) members = &strata[{items[i].source, items[i].cluster}];
        members->push_back(static_cast<std::uint32_t>(i));
    }
    std::vector<std::uint64_t> key(items.size());
    order_.reserve(items.size());
    for (auto& [stratum, members] : strata) {
        for (std::uint32_t i : members) key[i] = seeded_key(seed, items[i].source, items[i].source_id);
        std::sort(members.begin(), members.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (items[a].duplicate != items[b].duplicate) return items[b].duplicate;  // duplicates last
            const auto& qa = items[a].quality;
            const auto& qb = items[b].quality;
            if (qa.has_value() != qb.has_value()) return qa.has_value();  // scored items first
            if (qa && *qa != *qb) return *qa > *qb;                          // best quality first
            if (key[a] != key[b]) return key[a] < key[b];                    // then seeded order
            return a < b;
        });
        const auto duplicates = static_cast<std::size_t>(
            std::count_if(members.begin(), members.end(), [&](std::uint32_t i) { return items[i].duplicate; }));
        strata_.push_back({stratum.first, stratum.second, order_.size(), order_.size() + members.size(),
                           order_.size() + members.size() - duplicates});
        order_.insert(order_.end(), members.begin(), members.end());
    }
}

std::vector<bool> StratifiedOrder::cut(double fraction) const {
    if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("fraction must be between 0 and 1");
    std::vector<bool> keep(order_.size(), false);
    for (const Stratum& s : strata_) {
        const std::size_t quota = stratum_quota(fraction, s.cut_end - s.begin);
        for (std::size_t r = s.begin; r < s.begin + quota; ++r) keep[order_[r]] = true;
    }
    return keep;
}

std::vector<bool> select_pairs(const std::vector<SelectionItem>& items, double fraction, std::uint64_t seed) {
    if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("fraction must be between 0 and 1");
    return StratifiedOrder(items, seed).cut(fraction);
}

}  // namespace amalgam
