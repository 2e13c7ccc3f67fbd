#include "core/model/generation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include <c10/core/GradMode.h>

namespace amalgam {
namespace {

/** The next token from one row of logits: argmax, or a seeded draw after temperature, top-k
 *  and top-p. Drawn here, not with torch's generator, so that a seed means the same thing in
 *  every libtorch version. */
std::int32_t choose(const at::Tensor& logits_row, const GenerationOptions& o, std::mt19937_64& rng) {
    at::Tensor logits = logits_row.to(at::kFloat).to(at::kCPU).contiguous();
    if (o.greedy) return static_cast<std::int32_t>(logits.argmax().item<std::int64_t>());
    const float* data = logits.data_ptr<float>();
    const std::size_t n = static_cast<std::size_t>(logits.numel());
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return data[a] > data[b] || (data[a] == data[b] && a < b); });
    std::size_t keep = o.top_k > 0 ? std::min<std::size_t>(n, static_cast<std::size_t>(o.top_k)) : n;
    const double t = std::max(o.temperature, 1e-6);
    std::vector<double> p(keep);
    for (std::size_t i = 0; i < keep; ++i) p[i] = std::exp((data[order[i]] - data[order[0]]) / t);
    double total = std::accumulate(p.begin(), p.end(), 0.0);
    if (o.top_p < 1.0) {
        double cumulative = 0;
        std::size_t cut = 0;
        while (cut < keep && cumulative < o.top_p * total) cumulative += p[cut++];
        keep = std::max<std::size_t>(cut, 1);
        p.resize(keep);
        total = std::accumulate(p.begin(), p.end(), 0.0);
    }
    double r = std::uniform_real_distribution<double>(0.0, total)(rng);
    for (std::size_t i = 0; i < keep; ++i)
        if ((r -= p[i]) <= 0) return static_cast<std::int32_t>(order[i]);
    return static_cast<std::int32_t>(order[keep - 1]);
}

}  // namespace

std::vector<Generation> generate(const TransformerModel& model, const Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options) {
    std::vector<std::vector<std::int32_t>> encoded;
    for (const auto& p : prompts) encoded.push_back(tokenizer.encode(p));
    return generate_from_ids(model, encoded, options, &tokenizer);
}

std::vector<Generation> generate_from_ids(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                                          const GenerationOptions& options, const Tokenizer* tokenizer) {
    if (!model.config().is_causal()) throw std::invalid_argument("generation needs a causal language model");
    std::size_t longest = 0;
    for (const auto& p : prompts) {
        if (p.empty()) throw std::invalid_argument("a prompt has no tokens; give some text");
        longest = std::max(longest, p.size());
    }
    if (const auto context = model.config().max_positions; static_cast<std::int64_t>(longest) + options.max_new_tokens > context)
        throw std::invalid_argument("a prompt of " + std::to_string(longest) + " tokens and " + std::to_string(options.max_new_tokens) +
                                    " new ones exceed the model's context of " + std::to_string(context) + " positions");
    auto [ids, mask] = padded_batch(prompts, pad_id(model));
    ids = ids.to(model.device());
    mask = mask.to(model.device());
    std::vector<std::int32_t> stops = options.stop_tokens;
    if (model.config().eos_token_id) stops.push_back(static_cast<std::int32_t>(*model.config().eos_token_id));

    // A vocabulary padded beyond the tokenizer (GPT-NeoX, Qwen2) has rows no text decodes to:
    // the choice is made among the tokenizer's ids only.
    const std::int64_t choosable = tokenizer ? std::min<std::int64_t>(model.config().vocab_size, tokenizer->vocab_size())
                                             : model.config().vocab_size;

    std::vector<Generation> out(prompts.size());
    std::vector<bool> done(prompts.size(), false);
    std::mt19937_64 rng(options.seed);
    KVCache cache;
    c10::NoGradGuard no_grad;
    // Logits at the last position only, [batch, vocab]: the head runs where a token is chosen.
    auto last_logits = [&](const at::Tensor& new_ids) { return model.lm_head(model.hidden_states(new_ids, mask, &cache).select(1, -1)); };
    at::Tensor logits = last_logits(ids);
    // A model whose outputs are not finite (NaN weights, an overflowing adapter) has nothing to choose from.
    if (!at::isfinite(logits).all().item<bool>()) throw std::runtime_error("the model's outputs are not finite: nothing can be generated");
    const double temperature = options.greedy ? 1.0 : std::max(options.temperature, 1e-6);
    const auto batch = static_cast<std::int64_t>(prompts.size());
    for (int step = 0; step < options.max_new_tokens; ++step) {
        // The whole batch's choices and their log-probabilities come to the host at once.
        at::Tensor choosable_logits = logits.slice(1, 0, choosable);
        std::vector<std::int64_t> chosen(static_cast<std::size_t>(batch));
        if (options.greedy) {
            at::Tensor best = choosable_logits.argmax(1).to(at::kCPU).contiguous();
            std::copy(best.data_ptr<std::int64_t>(), best.data_ptr<std::int64_t>() + batch, chosen.begin());
        } else {
            at::Tensor host = choosable_logits.to(at::kCPU, at::kFloat).contiguous();
            for (std::int64_t b = 0; b < batch; ++b) chosen[static_cast<std::size_t>(b)] = choose(host[b], options, rng);
        }
        at::Tensor logprobs;
        if (options.logprobs) {
            at::Tensor scaled = logits.to(at::kFloat) / temperature;
            at::Tensor chosen_ids = at::tensor(chosen, at::kLong).to(model.device()).unsqueeze(1);
            logprobs = (scaled.gather(1, chosen_ids).squeeze(1) - scaled.logsumexp(-1)).to(at::kCPU, at::kDouble);
        }
        at::Tensor next = at::empty({batch, 1}, at::kLong);
        for (std::size_t b = 0; b < prompts.size(); ++b) {
            const auto token = static_cast<std::int32_t>(chosen[b]);
            next[static_cast<std::int64_t>(b)][0] = done[b] ? pad_id(model) : token;
            if (done[b]) continue;
            if (std::find(stops.begin(), stops.end(), token) != stops.end()) {
                done[b] = true;
                out[b].stop_reason = "stop_token";
                out[b].stop_token = token;
                if (options.logprobs) out[b].stop_logprob = logprobs[static_cast<std::int64_t>(b)].item<double>();
                continue;
            }
            out[b].tokens.push_back(token);
            if (options.logprobs) out[b].logprobs.push_back(logprobs[static_cast<std::int64_t>(b)].item<double>());
            if (!tokenizer) continue;
            out[b].text = tokenizer->decode(out[b].tokens);
            for (const auto& s : options.stop_strings) {
                auto at = out[b].text.find(s);
                if (!s.empty() && at != std::string::npos) {
                    out[b].text.resize(at);
                    done[b] = true;
                    out[b].stop_reason = "stop_string";
                    break;
                }
            }
        }
        if (std::all_of(done.begin(), done.end(), [](bool d) { return d; }) || step + 1 == options.max_new_tokens) break;
        mask = at::cat({mask, at::ones({mask.size(0), 1}, mask.options())}, 1);
        logits = last_logits(next.to(model.device()));
    }
    for (auto& g : out)
        if (g.stop_reason.empty()) g.stop_reason = "length";
    return out;
}

RolloutBatch generate_rollouts(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                               GenerationOptions options, const Tokenizer* tokenizer) {
    options.logprobs = true;
    RolloutBatch batch;
    batch.generations = generate_from_ids(model, prompts, options, tokenizer);
    std::vector<std::vector<std::int32_t>> responses;
    std::vector<std::vector<double>> logprobs;
    std::size_t longest = 0;
    for (const Generation& g : batch.generations) {
        responses.push_back(g.tokens);
        logprobs.push_back(g.logprobs);
        if (g.stop_reason == "stop_token") {
            responses.back().push_back(g.stop_token);
            logprobs.back().push_back(g.stop_logprob);
        }
        longest = std::max(longest, responses.back().size());
    }
    auto [prompt_ids, prompt_mask] = padded_batch(prompts, pad_id(model), /*pad_left=*/true);
    auto [response_ids, response_mask] = padded_batch(responses, pad_id(model), /*pad_left=*/false);
    at::Tensor response_logprobs = at::zeros({static_cast<std::int64_t>(prompts.size()), static_cast<std::int64_t>(longest)}, at::kFloat);
    for (std::size_t b = 0; b < logprobs.size(); ++b)
        for (std::size_t k = 0; k < logprobs[b].size(); ++k)
            response_logprobs[static_cast<std::int64_t>(b)][static_cast<std::int64_t>(k)] = logprobs[b][k];
    batch.prompt_width = prompt_ids.size(1);
    batch.ids = at::cat({prompt_ids, response_ids}, 1).to(model.device());
    batch.mask = at::cat({prompt_mask, response_mask}, 1).to(model.device());
    batch.response_mask = at::cat({at::zeros_like(prompt_mask), response_mask}, 1).to(model.device());
    batch.logprobs = at::cat({at::zeros(prompt_mask.sizes(), at::kFloat), response_logprobs}, 1).to(model.device());
    return batch;
}

}  // namespace amalgam
