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

std::int32_t pad_id(const TransformerModel& model) {
    const ModelConfig& c = model.config();
    return static_cast<std::int32_t>(c.pad_token_id.value_or(c.eos_token_id.value_or(0)));
}

}  // namespace

std::pair<at::Tensor, at::Tensor> padded_batch(const std::vector<std::vector<std::int32_t>>& sequences, std::int32_t pad,
                                               bool pad_left) {
    std::size_t longest = 0;
    for (const auto& s : sequences) longest = std::max(longest, s.size());
    at::Tensor ids = at::full({static_cast<std::int64_t>(sequences.size()), static_cast<std::int64_t>(longest)}, pad, at::kLong);
    at::Tensor mask = at::zeros_like(ids);
    auto id = ids.accessor<std::int64_t, 2>();
    auto m = mask.accessor<std::int64_t, 2>();
    for (std::size_t b = 0; b < sequences.size(); ++b) {
        std::size_t offset = pad_left ? longest - sequences[b].size() : 0;
        for (std::size_t t = 0; t < sequences[b].size(); ++t) {
            id[b][offset + t] = sequences[b][t];
            m[b][offset + t] = 1;
        }
    }
    return {ids, mask};
}

std::vector<Generation> generate(const TransformerModel& model, const Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options) {
    std::vector<std::vector<std::int32_t>> encoded;
    for (const auto& p : prompts) encoded.push_back(tokenizer.encode(p));
    return generate_from_ids(model, encoded, options, &tokenizer);
}

std::vector<Generation> generate_from_ids(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                                          const GenerationOptions& options, const Tokenizer* tokenizer) {
    if (!model.config().is_causal()) throw std::invalid_argument("generation needs a causal language model");
    for (const auto& p : prompts)
        if (p.empty()) throw std::invalid_argument("a prompt has no tokens; give some text");
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
    at::Tensor logits = model.logits(ids, mask, &cache);
    for (int step = 0; step < options.max_new_tokens; ++step) {
        at::Tensor next = at::empty({static_cast<std::int64_t>(prompts.size()), 1}, at::kLong);
        for (std::size_t b = 0; b < prompts.size(); ++b) {
            std::int32_t token = done[b] ? pad_id(model) : choose(logits[b][-1].slice(0, 0, choosable), options, rng);
            next[b][0] = token;
            if (done[b]) continue;
            if (std::find(stops.begin(), stops.end(), token) != stops.end()) {
                done[b] = true;
                out[b].stop_reason = "stop_token";
                continue;
            }
            out[b].tokens.push_back(token);
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
        logits = model.logits(next.to(model.device()), mask, &cache);
    }
    for (auto& g : out)
        if (g.stop_reason.empty()) g.stop_reason = "length";
    return out;
}

std::vector<ContinuationScore> score_continuations(const TransformerModel& model, const Tokenizer& tokenizer,
                                                   const std::vector<std::pair<std::string, std::string>>& pairs,
                                                   std::size_t batch_size) {
    std::vector<ContinuationScore> scores(pairs.size());
    c10::NoGradGuard no_grad;
    for (std::size_t start = 0; start < pairs.size(); start += batch_size) {
        std::size_t end = std::min(pairs.size(), start + batch_size);
        std::vector<std::vector<std::int32_t>> sequences;
        for (std::size_t i = start; i < end; ++i) {
            ContinuationScore& s = scores[i];
            s.context_ids = tokenizer.encode(pairs[i].first);
            s.continuation_ids = tokenizer.encode(pairs[i].second, /*add_special_tokens=*/false);
            if (s.context_ids.empty()) throw std::invalid_argument("the context encodes to no tokens, so nothing predicts the continuation");
            if (s.continuation_ids.empty()) throw std::invalid_argument("the continuation encodes to no tokens");
            std::vector<std::int32_t> all = s.context_ids;
            all.insert(all.end(), s.continuation_ids.begin(), s.continuation_ids.end());
            sequences.push_back(std::move(all));
        }
        auto [ids, mask] = padded_batch(sequences, pad_id(model));
        at::Tensor logprobs = at::log_softmax(model.logits(ids.to(model.device()), mask.to(model.device())).to(at::kFloat), -1).to(at::kCPU);
        const std::int64_t width = ids.size(1);
        for (std::size_t i = start; i < end; ++i) {
            ContinuationScore& s = scores[i];
            const std::int64_t b = static_cast<std::int64_t>(i - start);
            const std::int64_t first = width - static_cast<std::int64_t>(s.continuation_ids.size());  // column of the first continuation token
            for (std::size_t k = 0; k < s.continuation_ids.size(); ++k) {
                double lp = logprobs[b][first + static_cast<std::int64_t>(k) - 1][s.continuation_ids[k]].item<float>();
                s.logprobs.push_back(lp);
                s.total += lp;
            }
        }
    }
    return scores;
}

at::Tensor next_token_logits(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<std::string>& contexts,
                             std::size_t batch_size) {
    std::vector<at::Tensor> rows;
    c10::NoGradGuard no_grad;
    for (std::size_t start = 0; start < contexts.size(); start += batch_size) {
        std::vector<std::vector<std::int32_t>> encoded;
        for (std::size_t i = start; i < std::min(contexts.size(), start + batch_size); ++i) {
            encoded.push_back(tokenizer.encode(contexts[i]));
            if (encoded.back().empty()) throw std::invalid_argument("a context encodes to no tokens");
        }
        auto [ids, mask] = padded_batch(encoded, pad_id(model));
        rows.push_back(model.logits(ids.to(model.device()), mask.to(model.device())).select(1, -1).to(at::kCPU, at::kFloat));
    }
    return rows.empty() ? at::empty({0, model.config().vocab_size}) : at::cat(rows, 0);
}

}  // namespace amalgam
