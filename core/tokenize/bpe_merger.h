#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace amalgam {

/** The merge step of BPE: repeatedly joins the adjacent pair with the best (lowest) merge
 *  rank, the leftmost first among equals, until no adjacent pair has a rank. A heap over a
 *  linked list keeps it O(n log n), so a whole unsplit text (SentencePiece style) is fine. */
class BpeMerger {
public:
    /// `merges` in priority order.
    explicit BpeMerger(const std::vector<std::pair<std::string, std::string>>& merges);

    std::vector<std::string> merge(std::vector<std::string> symbols) const;

private:
    int rank(const std::string& left, const std::string& right) const;
    std::unordered_map<std::string, int> rank_;  // "left\x01right" -> priority
};

}  // namespace amalgam
