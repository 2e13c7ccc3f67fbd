#include "core/train/prompt_generation.h"

#include <algorithm>
#include <optional>

#include "core/train/seed_mix.h"
#include "core/train/train_data.h"
#include "core/util/data_error.h"

namespace amalgam {

PromptGeneration generate_for_prompts(const TransformerModel& model, const Tokenizer& tokenizer, const std::filesystem::path& data,
                                      const TextFormat& format, std::int64_t batch, const GenerationOptions& options, Progress& progress) {
    const TextEncoder encoder(tokenizer, format, std::nullopt, model.config().context_length());
    PromptGeneration out;
    std::vector<std::vector<std::int32_t>> ids;
    for (TrainRow& row : read_train_rows(data, RowShape::Prompt)) {
        auto prompt = encoder.encode_prompt(row.prompt, static_cast<std::size_t>(options.max_new_tokens), row.context);
        if (!prompt) {
            ++out.skipped;
            continue;
        }
        ids.push_back(std::move(*prompt));
        out.rows.push_back({std::move(row.prompt), row.line, {}});
    }
    if (ids.empty())
        throw DataError(data, 0, "no prompt leaves room for " + std::to_string(options.max_new_tokens) + " new tokens in the model's context of " +
                                     std::to_string(model.config().context_length()) + " positions");
    GenerationOptions with_turn_end = options;
    if (const auto turn_end = encoder.turn_end_token()) with_turn_end.stop_tokens.push_back(*turn_end);  // a chat model ends its turn there
    progress.start("generate", ids.size());
    for (std::size_t start = 0; start < ids.size(); start += static_cast<std::size_t>(batch)) {
        const std::size_t end = std::min(ids.size(), start + static_cast<std::size_t>(batch));
        GenerationOptions o = with_turn_end;
        o.seed = seed_mix(options.seed, start / static_cast<std::size_t>(batch), 0);
        std::vector<Generation> made = generate_from_ids(model, {ids.begin() + start, ids.begin() + end}, o, &tokenizer);
        for (std::size_t i = start; i < end; ++i) out.rows[i].generation = std::move(made[i - start]);
        progress.advance(end);
    }
    progress.finish();
    return out;
}

}  // namespace amalgam
