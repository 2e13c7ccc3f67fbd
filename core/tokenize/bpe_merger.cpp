#include "core/tokenize/bpe_merger.h"

#include <queue>
#include <tuple>

namespace amalgam {
namespace {

std::string key(const std::string& left, const std::string& right) { return left + '\x01' + right; }

}  // namespace

BpeMerger::BpeMerger(const std::vector<std::pair<std::string, std::string>>& merges) {
    rank_.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) rank_.emplace(key(merges[i].first, merges[i].second), static_cast<int>(i));
}

int BpeMerger::rank(const std::string& left, const std::string& right) const {
    auto it = rank_.find(key(left, right));
    return it == rank_.end() ? -1 : it->second;
}

std::vector<std::string> BpeMerger::merge(std::vector<std::string> symbols) const {
    const int n = static_cast<int>(symbols.size());
    if (n < 2) return symbols;
    std::vector<int> prev(n), next(n), version(n, 0);
    for (int i = 0; i < n; ++i) {
        prev[i] = i - 1;
        next[i] = i + 1 < n ? i + 1 : -1;
    }
    // (rank, left, version of left, version of right); stale entries are skipped when popped.
    using Entry = std::tuple<int, int, int, int>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
    auto push = [&](int left) {
        if (left < 0 || next[left] < 0) return;
        int r = rank(symbols[left], symbols[next[left]]);
        if (r >= 0) heap.emplace(r, left, version[left], version[next[left]]);
    };
    for (int i = 0; i + 1 < n; ++i) push(i);
    std::vector<bool> alive(n, true);
    while (!heap.empty()) {
        auto [r, left, left_version, right_version] = heap.top();
        heap.pop();
        int right = next[left];
        if (!alive[left] || right < 0 || version[left] != left_version || version[right] != right_version) continue;
        symbols[left] += symbols[right];
        alive[right] = false;
        next[left] = next[right];
        if (next[right] >= 0) prev[next[right]] = left;
        ++version[left];
        push(prev[left]);
        push(left);
    }
    std::vector<std::string> out;
    for (int i = 0; i >= 0; i = next[i]) out.push_back(std::move(symbols[i]));
    return out;
}

}  // namespace amalgam
