#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <tuple>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "core/model/descending_sort.h"
#include "core/model/generation.h"
#include "core/model/step_graph.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using test::ids_tensor;
using test::kIds;
using test::TinyModel;

TEST(Generation, GreedyWithCacheEqualsFullRecomputation) {
    TinyModel m(ModelType::Llama, std::nullopt, 3);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 12;
    o.stop_tokens = {};
    Generation g = generate(*model, *tokenizer, {"The nurse said"}, o)[0];
    // Without a cache: feed the whole sequence every step and take the argmax.
    std::vector<std::int32_t> seq = tokenizer->encode("The nurse said");
    std::vector<std::int32_t> expected;
    for (int step = 0; step < 12; ++step) {
        std::vector<int> ints(seq.begin(), seq.end());
        at::Tensor ids = ids_tensor(ints);
        auto next = static_cast<std::int32_t>(model->logits(ids, at::ones_like(ids))[0][-1].argmax().item<std::int64_t>());
        if (next == *model->config().eos_token_id) break;
        expected.push_back(next);
        seq.push_back(next);
    }
    EXPECT_EQ(g.tokens.size(), 12u);
    EXPECT_EQ(g.tokens, expected);
    EXPECT_EQ(g.text, tokenizer->decode(expected));
}

TEST(Generation, BatchEqualsOneByOneAndSeedsRepeat) {
    TinyModel m(ModelType::Gpt2, std::nullopt, 4);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 8;
    std::vector<std::string> prompts = {"a", "The developer argued with the designer because"};
    auto batch = generate(*model, *tokenizer, prompts, o);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        EXPECT_EQ(batch[i].tokens.size(), 8u);
        EXPECT_EQ(batch[i].tokens, generate(*model, *tokenizer, {prompts[i]}, o)[0].tokens);
    }

    o.greedy = false;
    o.temperature = 1.5;
    o.top_k = 50;
    o.top_p = 0.9;
    o.seed = 11;
    auto first = generate(*model, *tokenizer, prompts, o), second = generate(*model, *tokenizer, prompts, o);
    EXPECT_EQ(first[1].tokens, second[1].tokens);
    o.seed = 12;
    EXPECT_NE(generate(*model, *tokenizer, prompts, o)[1].tokens, first[1].tokens);
}

TEST(Generation, StopStringCutsTheText) {
    TinyModel m(ModelType::Llama, std::nullopt, 5);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 10;
    Generation free_run = generate(*model, *tokenizer, {"x"}, o)[0];
    ASSERT_GE(free_run.text.size(), 3u);
    o.stop_strings = {free_run.text.substr(2, 1)};
    Generation cut = generate(*model, *tokenizer, {"x"}, o)[0];
    EXPECT_EQ(cut.stop_reason, StopReason::StopString);
    EXPECT_EQ(cut.text, free_run.text.substr(0, free_run.text.find(o.stop_strings[0])));
}

TEST(Scoring, ContinuationLogprobsAreTheTeacherForcedOnes) {
    TinyModel m(ModelType::Llama, std::nullopt, 6);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"The physician hired the secretary because \"he\" refers to:", " physician"},
        {"x", " yz"}};
    auto scores = score_continuations(*model, *tokenizer, pairs, 2);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto& s = scores[i];
        std::vector<int> all(s.context_ids.begin(), s.context_ids.end());
        all.insert(all.end(), s.continuation_ids.begin(), s.continuation_ids.end());
        at::Tensor ids = ids_tensor(all);
        at::Tensor lp = at::log_softmax(model->logits(ids, at::ones_like(ids))[0], -1);
        double total = 0;
        for (std::size_t k = 0; k < s.continuation_ids.size(); ++k) {
            double expected = lp[s.context_ids.size() + k - 1][s.continuation_ids[k]].item<float>();
            EXPECT_NEAR(s.logprobs[k], expected, 1e-5);
            total += s.logprobs[k];
        }
        EXPECT_NEAR(s.total, total, 1e-9);
        EXPECT_EQ(s.continuation_ids, tokenizer->encode(pairs[i].second, false));
    }
}

/** Teacher-forced log p of each continuation token, from the full logits of the whole sequence. */
std::vector<double> full_sequence_logprobs(const TransformerModel& model, const std::vector<std::int32_t>& context,
                                           const std::vector<std::int32_t>& continuation) {
    std::vector<int> all(context.begin(), context.end());
    all.insert(all.end(), continuation.begin(), continuation.end());
    at::Tensor ids = ids_tensor(all);
    at::Tensor lp = at::log_softmax(model.logits(ids, at::ones_like(ids))[0], -1);
    std::vector<double> out;
    for (std::size_t k = 0; k < continuation.size(); ++k) out.push_back(lp[context.size() + k - 1][continuation[k]].item<float>());
    return out;
}

TEST(Scoring, SharedContextsEqualEachSequenceScoredWhole) {
    TinyModel m(ModelType::Llama, std::nullopt, 7);
    auto model = TransformerModel::load(m.dir.path());
    // Contexts of different lengths in one batch, each with continuations of one to four tokens.
    std::vector<ScoringRequest> requests = {{{5, 9, 14, 22, 31}, {{40}, {41, 42, 43}, {44, 45}}},
                                            {{7, 8}, {{50, 51, 52, 53}, {54}}},
                                            {{1, 2, 3, 4, 5, 6, 7, 8, 9}, {{60, 61}}}};
    auto scored = score_requests(*model, requests, 2, /*next_distribution=*/true);
    ASSERT_EQ(scored.size(), requests.size());
    for (std::size_t r = 0; r < requests.size(); ++r) {
        for (std::size_t c = 0; c < requests[r].continuations.size(); ++c) {
            auto expected = full_sequence_logprobs(*model, requests[r].context, requests[r].continuations[c]);
            ASSERT_EQ(scored[r].logprobs[c].size(), expected.size());
            for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(scored[r].logprobs[c][k], expected[k], 1e-5) << r << "/" << c << "/" << k;
        }
        // The next-token distribution after the context: all of it, normalised.
        at::Tensor ids = ids_tensor(std::vector<int>(requests[r].context.begin(), requests[r].context.end()));
        at::Tensor lp = at::log_softmax(model->logits(ids, at::ones_like(ids))[0][-1], -1);
        ASSERT_EQ(scored[r].next_logprobs.size(), static_cast<std::size_t>(lp.size(0)));
        EXPECT_LE((at::tensor(scored[r].next_logprobs) - lp).abs().max().item<float>(), 1e-5);
    }
}

TEST(Generation, RolloutLogprobsEqualAScoringPass) {
    TinyModel m(ModelType::Llama, std::nullopt, 8);
    auto model = TransformerModel::load(m.dir.path());
    GenerationOptions o;
    o.greedy = false;
    o.max_new_tokens = 8;
    o.seed = 3;
    o.logprobs = true;
    std::vector<std::vector<std::int32_t>> prompts = {{5, 72, 101}, {33, 9, 180, 44, 12}};
    auto rollouts = generate_from_ids(*model, prompts, o);
    std::vector<ScoringRequest> requests;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        ASSERT_FALSE(rollouts[i].tokens.empty());
        ASSERT_EQ(rollouts[i].logprobs.size(), rollouts[i].tokens.size());
        requests.push_back({prompts[i], {rollouts[i].tokens}});
    }
    auto scored = score_requests(*model, requests, 4);
    for (std::size_t i = 0; i < prompts.size(); ++i)
        for (std::size_t k = 0; k < rollouts[i].tokens.size(); ++k)
            EXPECT_NEAR(rollouts[i].logprobs[k], scored[i].logprobs[0][k], 1e-5) << i << "/" << k;
}

TEST(Generation, RolloutBatchKeepsTheStopTokenAndMatchesScoring) {
    TinyModel m(ModelType::Llama, std::nullopt, 9);
    auto model = TransformerModel::load(m.dir.path());
    std::vector<std::vector<std::int32_t>> prompts = {{5, 72, 101, 33}, {9, 180}};
    GenerationOptions o;
    o.max_new_tokens = 6;
    // Row 0's third greedy token becomes a stop token: that row ends there, the other runs on.
    const std::int32_t stop = generate_from_ids(*model, {prompts[0]}, o)[0].tokens[2];
    o.stop_tokens = {stop};
    RolloutBatch r = generate_rollouts(*model, prompts, o);
    ASSERT_EQ(r.generations[0].stop_reason, StopReason::StopToken);
    ASSERT_EQ(r.generations[0].tokens.size(), 2u);
    EXPECT_EQ(r.prompt_width, 4);
    EXPECT_EQ(r.ids.size(1), 4 + 6);
    EXPECT_EQ(r.response_mask[0].sum().item<std::int64_t>(), 3);  // two tokens and the stop token
    EXPECT_EQ(r.ids[0][6].item<std::int64_t>(), stop);
    EXPECT_EQ(r.mask[1].slice(0, 0, 2).sum().item<std::int64_t>(), 0);  // the shorter prompt is left-padded
    EXPECT_EQ((r.mask - r.response_mask).sum().item<std::int64_t>(), 4 + 2);

    for (std::size_t b = 0; b < prompts.size(); ++b) {
        const auto width = r.response_mask[static_cast<std::int64_t>(b)].sum().item<std::int64_t>();
        std::vector<std::int32_t> response;
        for (std::int64_t k = 0; k < width; ++k) response.push_back(static_cast<std::int32_t>(r.ids[static_cast<std::int64_t>(b)][r.prompt_width + k].item<std::int64_t>()));
        auto scored = score_requests(*model, {{prompts[b], {response}}}, 1)[0].logprobs[0];
        for (std::int64_t k = 0; k < width; ++k)
            EXPECT_NEAR(r.logprobs[static_cast<std::int64_t>(b)][r.prompt_width + k].item<float>(), scored[static_cast<std::size_t>(k)], 1e-5);
    }
}

/** The sampler against probabilities worked out by hand. Logits 0, 1, -1, 2 (ids 3, 1, 0, 2 in
 *  order of likelihood) at temperature 1: the weights e^0, e^-1, e^-2, e^-3 relative to the most
 *  likely, 1, 0.3679, 0.1353, 0.0498, total 1.5530. With every token kept the running share goes
 *  in id order: 0.0871, 0.3240, 0.3561, 1; with top_k or top_p from the most likely down: 0.6439,
 *  0.8808, 0.9679, 1. */
TEST(Sampling, PicksWhereTheRunningProbabilityPassesTheDraw) {
    struct Case {
        double u;
        int top_k;
        double top_p, temperature;
        std::int64_t expected;
    };
    const Case cases[] = {
        {0.0, 0, 1.0, 1.0, 0}, {0.08, 0, 1.0, 1.0, 0}, {0.09, 0, 1.0, 1.0, 1}, {0.32, 0, 1.0, 1.0, 1},
        {0.33, 0, 1.0, 1.0, 2}, {0.35, 0, 1.0, 1.0, 2}, {0.36, 0, 1.0, 1.0, 3}, {0.999999, 0, 1.0, 1.0, 3},
        // top_p 0.999 keeps every token (the last joins at 0.9679), but walks them from the most
        // likely down.
        {0.0, 0, 0.999, 1.0, 3}, {0.64, 0, 0.999, 1.0, 3}, {0.65, 0, 0.999, 1.0, 1}, {0.88, 0, 0.999, 1.0, 1},
        {0.89, 0, 0.999, 1.0, 0}, {0.97, 0, 0.999, 1.0, 2}, {0.999999, 0, 0.999, 1.0, 2},
        // top_k 2 keeps ids 3 and 1: shares 1 / 1.3679 = 0.7311, then 1.
        {0.73, 2, 1.0, 1.0, 3}, {0.74, 2, 1.0, 1.0, 1}, {0.999999, 2, 1.0, 1.0, 1},
        // top_p 0.7: id 3 alone holds 0.6439 < 0.7, so id 1 joins and reaches 0.8808; the rest go.
        {0.74, 0, 0.7, 1.0, 1}, {0.999999, 0, 0.7, 1.0, 1},
        // top_p 0.5: the most likely token alone, whatever the draw.
        {0.999999, 0, 0.5, 1.0, 3},
        // Temperature 0.5 doubles the gaps: e^-4, e^-2, e^-6, e^0 in id order, shares 0.0158,
        // 0.1329, 0.1350, 1; from the most likely down 0.8650, 0.9821, ...
        {0.13, 0, 1.0, 0.5, 1}, {0.134, 0, 1.0, 0.5, 2}, {0.14, 0, 1.0, 0.5, 3},
        {0.86, 0, 0.999, 0.5, 3}, {0.87, 0, 0.999, 0.5, 1},
    };
    const at::Tensor row = at::tensor({0.0f, 1.0f, -1.0f, 2.0f}).view({1, 4});
    for (const Case& c : cases) {
        GenerationOptions o;
        o.greedy = false;
        o.top_k = c.top_k;
        o.top_p = c.top_p;
        o.temperature = c.temperature;
        EXPECT_EQ(sample_tokens(row, at::tensor({c.u}, at::kDouble), o).item<std::int64_t>(), c.expected)
            << "u " << c.u << ", top_k " << c.top_k << ", top_p " << c.top_p << ", temperature " << c.temperature;
    }
    // Ties go to the lower id: logits 1, 1 with a draw in the first half, with and without an order.
    GenerationOptions o;
    o.greedy = false;
    const at::Tensor tied = at::tensor({1.0f, 1.0f}).view({1, 2});
    EXPECT_EQ(sample_tokens(tied, at::tensor({0.25}, at::kDouble), o).item<std::int64_t>(), 0);
    o.top_p = 0.99;
    EXPECT_EQ(sample_tokens(tied, at::tensor({0.25}, at::kDouble), o).item<std::int64_t>(), 0);
}

/** The radix sort, and the radix selection of a row's first few, against libtorch's stable sort:
 *  rows of a vocabulary's width with many ties (values rounded to quarters, a hundred equal
 *  largest), both zeros, infinities and NaN, and a non-contiguous slice. */
TEST(Sampling, TheCpuSortOrdersAsTheStableDescendingSort) {
    at::manual_seed(3);
    at::Tensor x = (at::randn({6, 50257}) * 8).round() / 4;
    x[0][5] = -0.0f;
    x[0][7] = 0.0f;
    x[1][11] = std::numeric_limits<float>::infinity();
    x[1][12] = -std::numeric_limits<float>::infinity();
    x[2][40000] = std::numeric_limits<float>::quiet_NaN();
    x[2][3] = -std::numeric_limits<float>::quiet_NaN();
    x[3].slice(0, 100, 200).fill_(x[3].max());  // a hundred ties for the first place
    const int threads = at::get_num_threads();
    for (int sharing : {1, 3})  // the rows sorted on one core, then shared among three
        for (const at::Tensor& input : {x, x.slice(1, 0, 50000), at::tensor({2.0f, -1.0f, 2.0f}).view({1, 3})})
            for (std::int64_t limit : {-1, 1, 2, 40, 1000, 20000}) {  // all, then the first few (selected), then most
                at::set_num_threads(sharing);
                const auto [values, indices] = sort_descending(input, limit);
                auto [expected_values, expected_indices] = at::sort(input, /*stable=*/true, /*dim=*/1, /*descending=*/true);
                if (limit >= 0) {
                    expected_values = expected_values.slice(1, 0, limit);
                    expected_indices = expected_indices.slice(1, 0, limit);
                }
                EXPECT_TRUE(at::equal(indices, expected_indices)) << sharing << " threads, limit " << limit;
                EXPECT_TRUE(values.isnan().equal(expected_values.isnan()));
                EXPECT_TRUE(at::equal(values.nan_to_num(0), expected_values.nan_to_num(0)));
            }
    at::set_num_threads(threads);
}

/** The draw on the CPU (one loop a row) against the cumulative sums and counts of tensors that
 *  the sampler uses on a device: rows of tied and of spread logits, a NaN row, every filter and
 *  none. */
TEST(Sampling, TheCpuDrawFallsWhereTheTensorsOfADevicePutIt) {
    const auto reference = [](const at::Tensor& logits, const at::Tensor& uniform, const GenerationOptions& o) {
        at::Tensor values = logits, order = at::arange(logits.size(1)).expand_as(logits);
        const bool top_k = o.top_k > 0 && o.top_k < values.size(1);
        if (top_k || o.top_p < 1.0) std::tie(values, order) = at::sort(logits, /*stable=*/true, /*dim=*/1, /*descending=*/true);
        if (top_k) {
            values = values.slice(1, 0, o.top_k);
            order = order.slice(1, 0, o.top_k);
        }
        at::Tensor scaled = (values - std::get<0>(values.max(1, /*keepdim=*/true))).to(at::kDouble);
        if (o.temperature != 1.0) scaled = scaled / o.temperature;
        at::Tensor p = scaled.exp(), running = p.cumsum(1);
        at::Tensor last = at::full_like(running.slice(1, 0, 1), static_cast<double>(p.size(1) - 1), running.options().dtype(at::kLong));
        if (o.top_p < 1.0) {
            at::Tensor before = at::cat({at::zeros_like(running.slice(1, 0, 1)), running.slice(1, 0, -1)}, 1);
            at::Tensor beyond = before.ge(running.slice(1, -1) * o.top_p);
            beyond.select(1, 0).fill_(false);
            p = p * beyond.logical_not();
            running = p.cumsum(1);
            last = beyond.logical_not().sum(1, true) - 1;
        }
        at::Tensor index = at::minimum(running.lt(uniform.unsqueeze(1) * running.slice(1, -1)).sum(1, true), last);
        return order.gather(1, index).squeeze(1);
    };
    at::manual_seed(5);
    int compared = 0;
    for (std::int64_t width : {37, 50257}) {
        at::Tensor logits = at::cat({(at::randn({4, width}) * 8).round() / 4, at::randn({4, width}) * 3}, 0);
        logits[7][width / 2] = std::numeric_limits<float>::quiet_NaN();
        at::Tensor uniform = at::rand({8}, at::kDouble);
        uniform[0] = 0.0;
        uniform[1] = 0.999999;
        for (int top_k : {0, 5, 40})
            for (double top_p : {1.0, 0.95, 0.5, 0.01})
                for (double temperature : {1.0, 0.7, 1.3}) {
                    GenerationOptions o;
                    o.greedy = false;
                    o.top_k = top_k;
                    o.top_p = top_p;
                    o.temperature = temperature;
                    EXPECT_TRUE(at::equal(sample_tokens(logits, uniform, o), reference(logits, uniform, o)))
                        << "width " << width << ", top_k " << top_k << ", top_p " << top_p << ", temperature " << temperature;
                    ++compared;
                }
    }
    EXPECT_EQ(compared, 72);
    // Four equal weights and top_p 0.5: the sum before the third entry is exactly the cut, so
    // two stay, and a draw of 0.99 takes the second.
    GenerationOptions o;
    o.greedy = false;
    o.top_p = 0.5;
    const at::Tensor four = at::ones({1, 4}), draw = at::tensor({0.99}, at::kDouble);
    EXPECT_EQ(sample_tokens(four, draw, o).item<std::int64_t>(), 1);
    EXPECT_TRUE(at::equal(sample_tokens(four, draw, o), reference(four, draw, o)));
}

TEST(Generation, SamplingFromOnlyTheMostLikelyTokenIsGreedy) {
    TinyModel m(ModelType::Gpt2, std::nullopt, 10);
    auto model = TransformerModel::load(m.dir.path());
    std::vector<std::vector<std::int32_t>> prompts = {{5, 72, 101}, {33, 9, 180, 44, 12}, {7}};
    GenerationOptions greedy;
    greedy.max_new_tokens = 9;
    greedy.stop_tokens = {};
    GenerationOptions top1 = greedy;
    top1.greedy = false;
    top1.top_k = 1;
    top1.seed = 5;
    auto a = generate_from_ids(*model, prompts, greedy), b = generate_from_ids(*model, prompts, top1);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        ASSERT_EQ(a[i].tokens.size(), 9u);
        EXPECT_EQ(a[i].tokens, b[i].tokens) << i;
    }
}

TEST(Generation, WithoutTheStopAtEosTheEndOfSequenceIsATokenLikeAnyOther) {
    TinyModel m(ModelType::Llama, std::nullopt, 11);
    const std::vector<std::vector<std::int32_t>> prompt = {{5, 72, 101}};
    GenerationOptions o;
    o.max_new_tokens = 6;
    o.stop_tokens = {};
    const auto free_run = generate_from_ids(*TransformerModel::load(m.dir.path()), prompt, o)[0].tokens;
    ASSERT_EQ(free_run.size(), 6u);
    // The model's end-of-sequence token becomes the third token it chooses.
    const std::filesystem::path config = m.dir.path() / "config.json";
    nlohmann::json j = nlohmann::json::parse(std::ifstream(config));
    j["eos_token_id"] = free_run[2];
    std::ofstream(config) << j.dump();
    auto model = TransformerModel::load(m.dir.path());
    const Generation stopped = generate_from_ids(*model, prompt, o)[0];
    EXPECT_EQ(stopped.stop_reason, StopReason::StopToken);
    EXPECT_EQ(stopped.tokens, std::vector<std::int32_t>(free_run.begin(), free_run.begin() + 2));
    o.stop_at_eos = false;
    const Generation through = generate_from_ids(*model, prompt, o)[0];
    EXPECT_EQ(through.stop_reason, StopReason::Length);
    EXPECT_EQ(through.tokens, free_run);
}

TEST(Generation, ACallThatStartsTheLastCallsDecoderAgainEqualsOneOnAFreshModel) {
    TinyModel m(ModelType::Llama, std::nullopt, 12);
    // Both calls' caches hold 13 positions (5 + 8, 3 + 10): the second takes the first's decoder
    // over shorter prompts, with its mask, counters and keys beyond them left from the first.
    const std::vector<std::vector<std::int32_t>> longer = {{5, 72, 101, 9, 4}, {33, 9}}, shorter = {{7, 8, 9}, {40}};
    GenerationOptions first;
    first.greedy = false;
    first.logprobs = true;
    first.stop_at_eos = false;
    first.max_new_tokens = 8;
    first.seed = 4;
    GenerationOptions second = first;
    second.max_new_tokens = 10;
    second.seed = 9;
    auto model = TransformerModel::load(m.dir.path());
    generate_from_ids(*model, longer, first);
    const auto reused = generate_from_ids(*model, shorter, second);
    const auto fresh = generate_from_ids(*TransformerModel::load(m.dir.path()), shorter, second);
    for (std::size_t i = 0; i < shorter.size(); ++i) {
        ASSERT_EQ(fresh[i].tokens.size(), 10u);
        EXPECT_EQ(reused[i].tokens, fresh[i].tokens) << i;
        EXPECT_EQ(reused[i].logprobs, fresh[i].logprobs) << i;
    }
}

TEST(StepGraph, OnlyCudaStepsAreRecorded) {
    EXPECT_FALSE(StepGraph::supported(at::kCPU));
    EXPECT_THROW(StepGraph(at::kCPU, [] {}), std::invalid_argument);
}

}  // namespace
}  // namespace amalgam
