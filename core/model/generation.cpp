#include "core/model/generation.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <c10/core/GradMode.h>

#include "core/model/descending_sort.h"
#include "core/model/step_graph.h"
#include "core/model/threads.h"

namespace amalgam {

namespace {

/** One row of draw_positions on the CPU: the sums of cumsum, made in the same order, so the
 *  same bits, but only as far as they are needed, and no tensor made. */
std::int64_t draw_position(const double* p, std::int64_t n, double u, double top_p) {
    double total = 0;
    for (std::int64_t i = 0; i < n; ++i) total += p[i];
    std::int64_t kept = n;
    if (top_p < 1.0) {  // the shortest prefix whose sum before the next entry reaches the cut
        const double cut = total * top_p;
        double before = p[0];
        for (std::int64_t i = 1; i < n; ++i) {
            if (before >= cut) {
                kept = i;
                total = before;
                break;
            }
            before += p[i];
        }
    }
    // The first position whose running sum reaches the target, the last kept one at most.
    const double target = u * total;
    std::int64_t at = 0;
    double running = p[0];
    while (at < kept - 1 && running < target) running += p[++at];
    return at;
}

/** For each row of probabilities p [rows, n] (float64, not negative; most likely first where
 *  top_p < 1) and its draw u: with top_p < 1 only the shortest prefix whose sum before its next
 *  entry reaches top_p of the row's total (at least the first entry), and in it the first
 *  position whose running sum reaches u times the prefix's total. Returns int64 [rows, 1]. */
at::Tensor draw_positions(const at::Tensor& p, const at::Tensor& uniform, double top_p) {
    if (p.device().is_cpu()) {
        const at::Tensor rows = p.contiguous(), draws = uniform.to(at::kDouble).contiguous();
        at::Tensor out = at::empty({p.size(0), 1}, at::kLong);
        const double *pp = rows.data_ptr<double>(), *up = draws.data_ptr<double>();
        std::int64_t* op = out.data_ptr<std::int64_t>();
        const std::int64_t n = p.size(1);
        const auto row = [&](std::int64_t r) { op[r] = draw_position(pp + r * n, n, up[r], top_p); };
        for_each_row_on_all_cores(p.size(0), n, row);
        return out;
    }
    // On a device: tensor operations that never wait for the host.
    at::Tensor q = p, running = q.cumsum(1);
    at::Tensor last = at::full_like(running.slice(1, 0, 1), static_cast<double>(q.size(1) - 1), running.options().dtype(at::kLong));
    if (top_p < 1.0) {
        at::Tensor before = at::cat({at::zeros_like(running.slice(1, 0, 1)), running.slice(1, 0, -1)}, 1);
        at::Tensor beyond = before.ge(running.slice(1, -1) * top_p);
        beyond.select(1, 0).fill_(false);  // the most likely token always stays
        q = q * beyond.logical_not();
        running = q.cumsum(1);
        last = beyond.logical_not().sum(1, /*keepdim=*/true) - 1;
    }
    at::Tensor target = uniform.unsqueeze(1) * running.slice(1, -1);
    return at::minimum(running.lt(target).sum(1, /*keepdim=*/true), last);
}

/** Each row's weights relative to its most likely token, e^((x - x_max) / temperature), in
 *  double, as a probability would be written by hand. `most_likely` is x_max [rows, 1]. */
at::Tensor relative_weights(const at::Tensor& values, const at::Tensor& most_likely, double temperature) {
    at::Tensor scaled = (values - most_likely).to(at::kDouble);
    if (temperature != 1.0) scaled = scaled / std::max(temperature, 1e-6);
    return scaled.exp();
}

}  // namespace

at::Tensor sample_tokens(const at::Tensor& logits, const at::Tensor& uniform, const GenerationOptions& o) {
    const bool top_k = o.top_k > 0 && o.top_k < logits.size(1);
    if (!top_k && o.top_p >= 1.0)  // every token can be chosen: no order of likelihood is needed, so no sort
        return draw_positions(relative_weights(logits, std::get<0>(logits.max(1, /*keepdim=*/true)), o.temperature), uniform, 1.0).squeeze(1);
    // Nothing beyond the top k can be chosen, so the rest of the work sees only those.
    const auto [values, order] = sort_descending(logits, top_k ? o.top_k : -1);
    return order.gather(1, draw_positions(relative_weights(values, values.slice(1, 0, 1), o.temperature), uniform, o.top_p)).squeeze(1);
}

/** Everything a decoding step reads and writes, allocated before the first step: the step is
 *  then a fixed sequence of kernels on fixed memory, which a CUDA graph can replay. Counters
 *  live on the device and advance inside the step. The model keeps the last decoder (see
 *  TransformerModel::take_decoder): a call with the same batch, capacity, choice settings and
 *  forward identity starts it again on new prompts and replays its recorded step, where a new
 *  decoder would record its own (the launches of a whole step, and a warm-up step, on the host). */
struct Decoder {
    Decoder(const TransformerModel& model, const GenerationOptions& options, std::int64_t batch, std::int64_t capacity,
            std::int64_t choosable)
        : model(model),
          options(options),
          choosable(choosable),
          identity(model.forward_identity()),
          cache(model.preallocated_cache(batch, capacity)),
          mask(at::zeros({batch, capacity}, on_device().dtype(at::kLong))),
          fed(at::zeros({batch, 1}, on_device().dtype(at::kLong))),
          step(at::zeros({1}, on_device().dtype(at::kLong))),
          slot(at::zeros({1}, on_device().dtype(at::kLong))),
          uniform(at::zeros({capacity, batch}, on_device().dtype(at::kDouble))),
          tokens(at::zeros({batch, capacity}, on_device().dtype(at::kLong))),
          logprobs(at::zeros({batch, capacity}, on_device().dtype(at::kFloat))) {}

    const TransformerModel& model;
    const GenerationOptions options;  ///< only the choice settings (greedy, temperature, top_k, top_p, logprobs) count
    const std::int64_t choosable;
    const std::string identity;  ///< the model's forward identity when made
    KVCache cache;
    at::Tensor mask;      ///< [batch, capacity]: the prompts (left-padded), then one more position a step
    at::Tensor logits;    ///< [batch, vocab]: the newest position's
    at::Tensor fed;       ///< [batch, 1]: the token the next forward pass reads
    at::Tensor step;      ///< [1]: the index of the next token chosen
    at::Tensor slot;      ///< [1]: the cache position of `fed`
    at::Tensor uniform;   ///< [capacity, batch]: the sampling draws, a row a step
    at::Tensor tokens;    ///< [batch, capacity]: each row's choice at every step
    at::Tensor logprobs;  ///< [batch, capacity]: their log-probabilities (with options.logprobs)
    std::unique_ptr<StepGraph> graph;  ///< the step, once recorded

    at::TensorOptions on_device() const { return at::TensorOptions().device(model.device()); }

    /** Whether this decoder's step is the one a call with these settings takes. */
    bool serves(std::int64_t batch, std::int64_t capacity, std::int64_t choosable_ids, const GenerationOptions& o) const {
        const GenerationOptions& m = options;
        return mask.size(0) == batch && mask.size(1) == capacity && choosable == choosable_ids && m.greedy == o.greedy &&
               m.logprobs == o.logprobs && (o.greedy || (m.temperature == o.temperature && m.top_k == o.top_k && m.top_p == o.top_p)) &&
               identity == model.forward_identity();
    }

    /** Sets every buffer for new prompts (left-padded ids and mask [batch, width], on the host)
     *  and their draws [steps, batch], runs the prompts, and chooses the first tokens. What an
     *  earlier call left beyond the prompts is cleared: the mask hides it, and zeros keep a
     *  hidden key or value from turning a weight of zero into a NaN. */
    void start(const at::Tensor& ids, const at::Tensor& prompt_mask, const at::Tensor& draws) {
        const std::int64_t width = ids.size(1);
        mask.slice(1, 0, width).copy_(prompt_mask);
        mask.slice(1, width).zero_();
        for (std::size_t layer = 0; layer < cache.keys.size(); ++layer) {
            cache.keys[layer].slice(2, width).zero_();
            cache.values[layer].slice(2, width).zero_();
        }
        cache.filled = 0;
        cache.slot = at::Tensor();
        step.zero_();
        slot.fill_(width);
        uniform.slice(0, 0, draws.size(0)).copy_(draws);
        logits = model.lm_head(model.hidden_states(ids.to(model.device()), mask.slice(1, 0, width), &cache).select(1, -1));
        // A model whose outputs are not finite (NaN weights, an overflowing adapter) has nothing to choose from.
        // Their sum is finite when every entry is, bar an overflow that the exact test then rules out.
        if (!std::isfinite(logits.sum().item<double>()) && !at::isfinite(logits).all().item<bool>())
            throw std::runtime_error("the model's outputs are not finite: nothing can be generated");
        choose();
    }

    /** Chooses every row's next token from `logits` and records it at `step`. */
    void choose() {
        at::Tensor candidates = logits.slice(1, 0, choosable);
        // max() rather than argmax(): the same first-index choice, 2.5x faster on the CPU.
        at::Tensor chosen = options.greedy ? std::get<1>(candidates.max(1))
                                           : sample_tokens(candidates.to(at::kFloat), uniform.index_select(0, step).squeeze(0), options);
        tokens.index_copy_(1, step, chosen.unsqueeze(1));
        if (options.logprobs) {
            const double temperature = options.greedy ? 1.0 : std::max(options.temperature, 1e-6);
            at::Tensor scaled = logits.to(at::kFloat) / temperature;
            logprobs.index_copy_(1, step, scaled.gather(1, chosen.unsqueeze(1)) - scaled.logsumexp(-1, true));
        }
        fed.copy_(chosen.unsqueeze(1));
        step.add_(1);
    }

    /** Runs the model over the tokens just chosen, then chooses the next ones. The logits are
     *  the step's own output, not a copy: a recorded graph keeps the tensor it allocated while
     *  recording, and every replay writes that same memory. */
    void advance() {
        mask.index_fill_(1, slot, 1);
        cache.slot = slot;
        logits = model.lm_head(model.hidden_states(fed, mask, &cache).select(1, -1));
        slot.add_(1);
        choose();
    }

    /** One more step: replayed where it is recorded; recorded on CUDA where `more` steps will
     *  follow to pay for the recording; else launched kernel by kernel. */
    void next(std::int64_t more) {
        const at::Device device = model.device();
        if (graph) graph->replay();
        else if (StepGraph::supported(device) && more > 2) graph = std::make_unique<StepGraph>(device, [this] { advance(); });
        else advance();
    }
};

namespace {

/** The host's view of one row: its tokens up to the stop, read back every few steps. */
void take_tokens(Generation& g, const std::int32_t* tokens, const float* logprobs, std::int64_t count,
                 const std::vector<std::int32_t>& stops, const GenerationOptions& o, const Tokenizer* tokenizer) {
    for (std::int64_t k = 0; k < count && !g.stop_reason; ++k) {
        const std::int32_t token = tokens[k];
        const double logprob = logprobs ? logprobs[k] : 0.0;
        if (std::find(stops.begin(), stops.end(), token) != stops.end()) {
            g.stop_reason = StopReason::StopToken;
            g.stop_token = token;
            g.stop_logprob = logprob;
            return;
        }
        g.tokens.push_back(token);
        if (logprobs) g.logprobs.push_back(logprob);
        if (!tokenizer || o.stop_strings.empty()) continue;
        const std::string text = tokenizer->decode(g.tokens);
        for (const auto& s : o.stop_strings) {
            const auto at = s.empty() ? std::string::npos : text.find(s);
            if (at == std::string::npos) continue;
            g.text = text.substr(0, at);
            g.stop_reason = StopReason::StopString;
            break;
        }
    }
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
    if (const auto context = model.config().context_length(); static_cast<std::int64_t>(longest) + options.max_new_tokens > context)
        throw std::invalid_argument("a prompt of " + std::to_string(longest) + " tokens and " + std::to_string(options.max_new_tokens) +
                                    " new ones exceed the model's context of " + std::to_string(context) + " positions");
    std::vector<Generation> out(prompts.size());
    if (prompts.empty() || options.max_new_tokens <= 0) {
        for (auto& g : out) g.stop_reason = StopReason::Length;
        return out;
    }
    std::vector<std::int32_t> stops = options.stop_tokens;
    if (model.config().eos_token_id && options.stop_at_eos) stops.push_back(static_cast<std::int32_t>(*model.config().eos_token_id));
    const auto batch = static_cast<std::int64_t>(prompts.size()), steps = static_cast<std::int64_t>(options.max_new_tokens);
    const at::Device device = model.device();
    c10::NoGradGuard no_grad;

    auto [ids, prompt_mask] = padded_batch(prompts, pad_id(model));
    const std::int64_t width = ids.size(1);
    // A vocabulary padded beyond the tokenizer (GPT-NeoX, Qwen2) has rows no text decodes to:
    // the choice is made among the tokenizer's ids only.
    const std::int64_t choosable = tokenizer ? std::min<std::int64_t>(model.config().vocab_size, tokenizer->vocab_size())
                                             : model.config().vocab_size;
    // The draws, in the order the rows and steps take them.
    std::mt19937_64 rng(options.seed);
    at::Tensor uniform = at::zeros({steps, batch}, at::kDouble);
    if (!options.greedy) {
        std::uniform_real_distribution<double> draw(0.0, 1.0);
        double* u = uniform.data_ptr<double>();
        for (std::int64_t i = 0; i < uniform.numel(); ++i) u[i] = draw(rng);
    }
    // On CUDA the cache holds a multiple of 64 positions, so that calls of a similar length
    // share a decoder and its recorded step; being a multiple of 16, libtorch's
    // memory-efficient attention also takes the decoding steps' bias as it is, where it would
    // pad a copy of it (libtorch 2.x: to 8 or 16 keys) in every layer of every step. Positions
    // beyond the last step stay masked out.
    const std::int64_t capacity = device.is_cuda() ? (width + steps + 63) / 64 * 64 : width + steps;
    std::shared_ptr<Decoder> d = model.take_decoder();
    if (d && !d->serves(batch, capacity, choosable, options)) d.reset();  // its memory goes before a new one's comes
    if (!d) d = std::make_shared<Decoder>(model, options, batch, capacity, choosable);
    d->start(ids, prompt_mask, uniform);

    // Every few steps the new tokens come to the host, which finds where each row stopped; on a
    // GPU the steps in between are queued without a wait, replayed from one recorded graph.
    const std::int64_t check_every = device.is_cuda() ? 8 : 1;
    std::int64_t taken = 0, done = 0;
    for (std::int64_t chosen = 1;; ++chosen) {
        if (chosen % check_every == 0 || chosen == steps) {
            const std::int64_t count = chosen - taken;
            at::Tensor new_tokens = d->tokens.slice(1, taken, chosen).to(at::kCPU, at::kInt).contiguous();
            at::Tensor new_logprobs = options.logprobs ? d->logprobs.slice(1, taken, chosen).to(at::kCPU).contiguous() : at::Tensor();
            done = 0;
            for (std::int64_t b = 0; b < batch; ++b) {
                Generation& g = out[static_cast<std::size_t>(b)];
                take_tokens(g, new_tokens.data_ptr<std::int32_t>() + b * count,
                            options.logprobs ? new_logprobs.data_ptr<float>() + b * count : nullptr, count, stops, options, tokenizer);
                done += g.stop_reason.has_value();
            }
            taken = chosen;
        }
        if (chosen == steps || done == batch) break;
        d->next(steps - chosen);
    }
    model.keep_decoder(d);
    for (auto& g : out) {
        if (tokenizer && g.stop_reason != StopReason::StopString) g.text = tokenizer->decode(g.tokens);
        if (!g.stop_reason) g.stop_reason = StopReason::Length;
    }
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
        if (g.stop_reason == StopReason::StopToken) {
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
