#include "core/model/scoring.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <c10/core/GradMode.h>

namespace amalgam {
namespace {

/** log p(target) at each of `hidden`'s rows [n, hidden], in float32: the head runs on these rows alone. */
at::Tensor target_logprobs(const TransformerModel& model, const at::Tensor& hidden, const at::Tensor& targets) {
    at::Tensor logits = model.lm_head(hidden).to(at::kFloat);
    return logits.gather(1, targets.unsqueeze(1)).squeeze(1) - logits.logsumexp(-1);
}

std::vector<double> to_doubles(const at::Tensor& t) {
    at::Tensor host = t.to(at::kCPU, at::kDouble).contiguous();
    return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

/** A continuation of a context in the batch: where its context is and its tokens. */
struct Pending {
    std::size_t request, continuation;
    std::int64_t row;  ///< the context's row in the batch
    const std::vector<std::int32_t>* tokens;
};

/** Scores the tokens after the first of each continuation: the continuations, less their last
 *  token, run after their contexts' cached keys and values. */
void score_rest(const TransformerModel& model, const std::vector<Pending>& pending, const KVCache& cache, const at::Tensor& mask,
                std::vector<ScoredContext>& out) {
    std::vector<std::vector<std::int32_t>> inputs;
    std::vector<std::int64_t> rows, score_rows, score_columns, targets;
    for (std::size_t i = 0; i < pending.size(); ++i) {
        const auto& tokens = *pending[i].tokens;
        inputs.emplace_back(tokens.begin(), tokens.end() - 1);
        rows.push_back(pending[i].row);
        for (std::size_t k = 1; k < tokens.size(); ++k) {  // token k is predicted at input position k - 1
            score_rows.push_back(static_cast<std::int64_t>(i));
            score_columns.push_back(static_cast<std::int64_t>(k) - 1);
            targets.push_back(tokens[k]);
        }
    }
    const at::Device device = model.device();
    auto [ids, new_mask] = padded_batch(inputs, pad_id(model), /*pad_left=*/false);
    at::Tensor row_index = at::tensor(rows, at::kLong).to(device);
    KVCache shared;
    for (std::size_t l = 0; l < cache.keys.size(); ++l) {
        shared.keys.push_back(cache.keys[l].index_select(0, row_index));
        shared.values.push_back(cache.values[l].index_select(0, row_index));
    }
    at::Tensor full_mask = at::cat({mask.index_select(0, row_index), new_mask.to(device)}, 1);
    at::Tensor hidden = model.hidden_states(ids.to(device), full_mask, &shared);
    at::Tensor picked = hidden.index({at::tensor(score_rows, at::kLong).to(device), at::tensor(score_columns, at::kLong).to(device)});
    const std::vector<double> logprobs = to_doubles(target_logprobs(model, picked, at::tensor(targets, at::kLong).to(device)));
    for (std::size_t j = 0; j < logprobs.size(); ++j) {
        const Pending& p = pending[static_cast<std::size_t>(score_rows[j])];
        out[p.request].logprobs[p.continuation].push_back(logprobs[j]);
    }
}

}  // namespace

std::int32_t pad_id(const TransformerModel& model) {
    const ModelConfig& c = model.config();
    return static_cast<std::int32_t>(c.pad_token_id.value_or(c.eos_token_id.value_or(0)));
}

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

std::vector<ScoredContext> score_requests(const TransformerModel& model, const std::vector<ScoringRequest>& requests,
                                          std::size_t batch_size, bool next_distribution, const ScoredSoFar& scored_so_far) {
    if (!model.config().is_causal()) throw std::invalid_argument("scoring needs a causal language model");
    batch_size = std::max<std::size_t>(batch_size, 1);
    std::vector<ScoredContext> out(requests.size());
    c10::NoGradGuard no_grad;
    const at::Device device = model.device();
    for (std::size_t start = 0; start < requests.size(); start += batch_size) {
        const std::size_t end = std::min(requests.size(), start + batch_size);
        std::vector<std::vector<std::int32_t>> contexts;
        for (std::size_t i = start; i < end; ++i) {
            if (requests[i].context.empty()) throw std::invalid_argument("a context has no tokens, so nothing predicts what follows");
            for (const auto& c : requests[i].continuations)
                if (c.empty()) throw std::invalid_argument("a continuation has no tokens");
            contexts.push_back(requests[i].context);
        }
        auto [ids, mask] = padded_batch(contexts, pad_id(model));
        mask = mask.to(device);
        KVCache cache;
        at::Tensor last = model.hidden_states(ids.to(device), mask, &cache).select(1, -1);
        at::Tensor next = at::log_softmax(model.lm_head(last).to(at::kFloat), -1);  // [contexts, vocab]

        // First tokens come from the contexts' last positions; the rest need a pass of their own.
        std::vector<Pending> pending;
        std::vector<std::int64_t> first_rows, first_tokens;
        for (std::size_t i = start; i < end; ++i) {
            out[i].logprobs.resize(requests[i].continuations.size());
            for (std::size_t j = 0; j < requests[i].continuations.size(); ++j) {
                const auto& tokens = requests[i].continuations[j];
                first_rows.push_back(static_cast<std::int64_t>(i - start));
                first_tokens.push_back(tokens[0]);
                if (tokens.size() > 1) pending.push_back({i, j, static_cast<std::int64_t>(i - start), &tokens});
            }
        }
        const std::vector<double> first = to_doubles(
            next.index({at::tensor(first_rows, at::kLong).to(device), at::tensor(first_tokens, at::kLong).to(device)}));
        std::size_t k = 0;
        for (std::size_t i = start; i < end; ++i)
            for (auto& logprobs : out[i].logprobs) logprobs.push_back(first[k++]);
        for (std::size_t p = 0; p < pending.size(); p += batch_size)
            score_rest(model, std::vector<Pending>(pending.begin() + p, pending.begin() + std::min(pending.size(), p + batch_size)), cache,
                       mask, out);
        if (next_distribution) {
            at::Tensor host = next.to(at::kCPU).contiguous();
            for (std::size_t i = start; i < end; ++i) {
                const float* row = host[static_cast<std::int64_t>(i - start)].data_ptr<float>();
                out[i].next_logprobs.assign(row, row + host.size(1));
            }
        }
        if (scored_so_far) scored_so_far(end);
    }
    return out;
}

std::vector<ContinuationScore> score_continuations(const TransformerModel& model, const Tokenizer& tokenizer,
                                                   const std::vector<std::pair<std::string, std::string>>& pairs,
                                                   std::size_t batch_size, const ScoredSoFar& scored_so_far,
                                                   const ContextEncoder& encode_context) {
    std::vector<ScoringRequest> requests;
    std::map<std::string, std::size_t> request_of;
    std::vector<std::pair<std::size_t, std::size_t>> where;  // per pair: request, continuation
    for (const auto& [context, continuation] : pairs) {
        auto [it, added] = request_of.emplace(context, requests.size());
        if (added) {
            requests.push_back({encode_context ? encode_context(context) : tokenizer.encode(context), {}});
            if (requests.back().context.empty())
                throw std::invalid_argument("the context encodes to no tokens, so nothing predicts the continuation");
        }
        ScoringRequest& r = requests[it->second];
        where.emplace_back(it->second, r.continuations.size());
        r.continuations.push_back(tokenizer.encode(continuation, /*add_special_tokens=*/false));
        if (r.continuations.back().empty()) throw std::invalid_argument("the continuation encodes to no tokens");
    }
    // Pairs done so far: every pair of the requests scored (requests are in the pairs' order of first context).
    std::vector<std::size_t> pairs_through(requests.size(), 0);
    for (const auto& [r, c] : where) pairs_through[r] += 1;
    for (std::size_t r = 1; r < pairs_through.size(); ++r) pairs_through[r] += pairs_through[r - 1];
    const std::vector<ScoredContext> scored = score_requests(model, requests, batch_size, false, [&](std::size_t done) {
        if (scored_so_far && done > 0) scored_so_far(pairs_through[done - 1]);
    });
    std::vector<ContinuationScore> out;
    for (const auto& [r, c] : where) {
        ContinuationScore s{requests[r].context, requests[r].continuations[c], scored[r].logprobs[c], 0};
        for (double lp : s.logprobs) s.total += lp;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace amalgam
