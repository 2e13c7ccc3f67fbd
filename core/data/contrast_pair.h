#pragma once

#include <string>

#include "core/data/record.h"

namespace amalgam {

/** Two sentences that differ only in a few words (a pro- and an anti-stereotypical one) as a
 *  preference pair: the shared leading words are the prompt, and the rest of each sentence is
 *  an answer, the anti-stereotypical one preferred. Throws RecordError when they are equal. */
Prompt contrast_pair(const std::string& source_id, const std::string& anti, const std::string& pro);

}  // namespace amalgam
