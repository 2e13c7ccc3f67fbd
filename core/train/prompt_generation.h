#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/model/generation.h"
#include "core/train/train_data.h"
#include "core/util/progress.h"

namespace amalgam {

/** A prompt of a data file and what the model made of it. */
struct PromptResponse {
    std::string prompt;     ///< as the file gives it, before the template
    std::size_t line = 0;   ///< its line in the file
    Generation generation;
};

struct PromptGeneration {
    std::vector<PromptResponse> rows;  ///< in the file's order
    std::size_t skipped = 0;           ///< prompts that left no room for max_new_tokens in the model's context
};

/** Generates for every prompt of a data file that training reads (curate's train.jsonl, prompt
 *  and response rows, instruction rows), each put through `format` as training puts it before
 *  the response (under a chat template: its generation prompt, stopping at its end of turn),
 *  `batch` prompts at a time. Batch i samples with seed_mix(seed, i, 0), so a seed gives the
 *  same file again. Reports the stage "generate" in prompts. */
PromptGeneration generate_for_prompts(const TransformerModel& model, const Tokenizer& tokenizer, const std::filesystem::path& data,
                                      const TextFormat& format, std::int64_t batch, const GenerationOptions& options, Progress& progress);

}  // namespace amalgam
