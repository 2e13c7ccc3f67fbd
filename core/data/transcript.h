#pragma once

#include <string>
#include <vector>

#include "core/data/record.h"

namespace amalgam {

/** The turns of an Anthropic-HH style transcript ("\n\nHuman: ...\n\nAssistant: ..."), roles
 *  "user" and "assistant". Throws RecordError when it has no such turns. */
std::vector<Turn> parse_transcript(const std::string& transcript);

}  // namespace amalgam
