#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/eval/choice_evaluator.h"
#include "core/eval/comparison_table.h"
#include "core/eval/evaluation.h"
#include "core/eval/winobias_evaluator.h"
#include "core/model/generation.h"
#include "core/model_io/safetensors.h"
#include "core/tokenize/tokenizer.h"
#include "core/embed/transformer_embedder.h"
#include "reference_model.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using test::ids_tensor;
using test::kIds;
using test::TempDir;
using test::TinyModel;

TEST(ContextFormat, AChatTemplatePutsTheContextInTheUsersTurnBeforeTheGenerationPrompt) {
    test::ChatModel m;
    auto tokenizer = load_tokenizer(m.dir.path());
    const ContextFormat chat(ChatTemplate::load(m.dir.path()));
    EXPECT_EQ(chat.encode(*tokenizer, "The nurse"), tokenizer->encode("<|im_start|>user\nThe nurse<|im_end|>\n<|im_start|>assistant\n", false));
    EXPECT_EQ(chat.stop_tokens(*tokenizer), std::vector<std::int32_t>{258});
    const ContextFormat plain;
    EXPECT_EQ(plain.encode(*tokenizer, "The nurse"), tokenizer->encode("The nurse"));
    EXPECT_TRUE(plain.stop_tokens(*tokenizer).empty());

    // A choice's options are scored after the rendered context: the same numbers as scoring them there by hand.
    auto model = TransformerModel::load(m.dir.path());
    const std::vector<ChoiceItem> items = {{"x:1", {{"The nurse said", " yes"}, {"The nurse said", " no"}}, 0}};
    const auto results = evaluate_choices(*model, *tokenizer, items, 4, chat);
    const auto by_hand = score_requests(*model, {{chat.encode(*tokenizer, "The nurse said"), {tokenizer->encode(" yes", false), tokenizer->encode(" no", false)}}}, 4);
    for (int o = 0; o < 2; ++o) {
        double total = 0;
        for (double lp : by_hand[0].logprobs[o]) total += lp;
        EXPECT_NEAR(results[0].logprobs[o], total, 1e-9);
    }
    EXPECT_GT(std::abs(results[0].logprobs[0] - evaluate_choices(*model, *tokenizer, items, 4)[0].logprobs[0]), 1e-4);
}

TEST(TransformerEmbedder, BatchedSortedEmbeddingsEqualOneByOne) {
    TinyModel m(ModelType::Bert);
    TransformerEmbedder embedder(m.dir.path(), Precision::Float32, 64);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    std::vector<std::string> texts = {"a much longer sentence about the weather in november", "short", "", "medium length text here"};
    NoProgress quiet;
    std::vector<float> batched = embedder.embed(texts, quiet);
    ASSERT_EQ(batched.size(), texts.size() * embedder.dim());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto ids = tokenizer->encode(texts[i]);
        std::vector<int> ints(ids.begin(), ids.end());
        at::Tensor t = ids_tensor(ints);
        at::Tensor alone = model->sentence_embeddings(t, at::ones_like(t))[0];
        for (std::size_t d = 0; d < embedder.dim(); ++d) EXPECT_NEAR(batched[i * embedder.dim() + d], alone[d].item<float>(), 1e-5);
    }
}

TEST(TransformerEmbedder, Bfloat16StaysCloseToFloat32) {
    TinyModel m(ModelType::Bert);
    TransformerEmbedder f32(m.dir.path(), Precision::Float32);
    TransformerEmbedder bf16(m.dir.path(), Precision::BFloat16);
    EXPECT_EQ(bf16.dtype(), at::kBFloat16);
    std::vector<std::string> texts = {"the nurse thanked the patient", "what is the capital of australia?"};
    NoProgress quiet;
    auto a = f32.embed(texts, quiet), b = bf16.embed(texts, quiet);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        double dot = 0;
        for (std::size_t d = 0; d < f32.dim(); ++d) dot += double(a[i * f32.dim() + d]) * b[i * f32.dim() + d];
        EXPECT_GT(dot, 0.999) << texts[i];
    }
}

TEST(TransformerEmbedder, EmbedsInFloat32UnlessAskedOtherwise) {
    // Whatever the CPU's instructions: the precision does not change with the machine.
    TinyModel m(ModelType::Bert);
    EXPECT_EQ(TransformerEmbedder{m.dir.path()}.dtype(), at::kFloat);
}

TEST(TransformerEmbedder, NeedsAnEncoder) {
    TinyModel m(ModelType::Gpt2);
    EXPECT_THROW(TransformerEmbedder{m.dir.path()}, std::invalid_argument);
}

std::vector<WinobiasPair> example_pairs() {
    auto pro = read_winobias_file(test::examples_dir() / "pro_stereotyped_type1.txt.dev");
    auto anti = read_winobias_file(test::examples_dir() / "anti_stereotyped_type1.txt.dev");
    std::vector<WinobiasPair> pairs;
    for (std::size_t i = 0; i < pro.size(); ++i) pairs.push_back({pro[i], anti[i]});
    return pairs;
}

TEST(WinobiasEvaluation, ItemsReproduceTheMetricsAndTheScores) {
    TinyModel m(ModelType::Llama, std::nullopt, 8);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    auto pairs = example_pairs();
    NoProgress quiet;
    WinobiasEvalOptions options;
    options.batch_size = 5;  // exercises partial batches
    WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, pairs, options, quiet);
    ASSERT_EQ(result.items.size(), 12u);
    EXPECT_EQ(result.metrics.pairs, 12u);

    WinobiasMetrics again = aggregate_winobias(result.items);
    EXPECT_DOUBLE_EQ(again.bias, result.metrics.bias);
    EXPECT_DOUBLE_EQ(again.bias_cluster, result.metrics.bias_cluster);
    EXPECT_DOUBLE_EQ(again.bias_entropy, result.metrics.bias_entropy);
    EXPECT_GT(result.metrics.bias, 0.0);
    EXPECT_GT(result.metrics.bias_entropy, 0.0);

    // An item's occupation log-probability is what score gives for the same context and word,
    // and what the plain reference implementation gives for the same tokens.
    const WinobiasSide& side = result.items[3].anti;
    auto direct = score_continuations(*model, *tokenizer, {{side.prompt, " " + side.occupation}})[0];
    EXPECT_NEAR(side.occupation_logprob, direct.total, 1e-5);
    std::vector<int> all(direct.context_ids.begin(), direct.context_ids.end());
    all.insert(all.end(), direct.continuation_ids.begin(), direct.continuation_ids.end());
    auto reference = test::ReferenceModel(m.dir.path()).logits(all);
    double expected = 0;
    for (std::size_t k = 0; k < direct.continuation_ids.size(); ++k) {
        const auto& row = reference[direct.context_ids.size() + k - 1];
        double top = *std::max_element(row.begin(), row.end()), total = 0;
        for (float v : row) total += std::exp(v - top);
        expected += row[direct.continuation_ids[k]] - top - std::log(total);
    }
    EXPECT_NEAR(side.occupation_logprob, expected, 1e-4);
    EXPECT_EQ(side.source, "anti_stereotyped_type1.txt.dev:4");
    for (const auto& item : result.items) {
        EXPECT_LT(item.pro.cluster_logprob, item.pro.occupation_logprob);  // a sum over more words, each negative
        EXPECT_EQ(item.pro.generation.find_first_of(".,;:!?\n"), std::string::npos);
    }
}

TEST(Evaluation, EachComparedMetricIsTheMeanOfItsItemScores) {
    TinyModel m(ModelType::Llama, std::nullopt, 8);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    NoProgress quiet;
    EvalRequest request;
    request.data_dir = test::examples_dir();
    const auto results = run_evaluation(*model, *tokenizer, request, quiet);  // every suite
    const auto scores = comparison_item_scores(nlohmann::json::parse(results.dump()));
    for (std::size_t c = 0; c < scores.size(); ++c) {
        const char* key = comparison_columns()[c].key;
        ASSERT_FALSE(scores[c].values.empty()) << key;
        double sum = 0;
        for (double v : scores[c].values) sum += v;
        EXPECT_NEAR(sum / static_cast<double>(scores[c].values.size()), results["metrics"][key].get<double>(), 1e-12) << key;
    }
    EXPECT_EQ(scores[0].values.size(), results["counts"]["winobias_pairs"].get<std::size_t>());
    EXPECT_EQ(scores[5].values.size(), results["counts"]["winogrande"].get<std::size_t>());
    EXPECT_EQ(scores[6].values.size(), results["counts"]["winogender"].get<std::size_t>());
}

TEST(WinobiasEvaluation, IdenticalSidesShowNoBias) {
    TinyModel m(ModelType::Gpt2, std::nullopt, 9);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    auto pairs = example_pairs();
    for (auto& p : pairs) p.anti = p.pro;
    NoProgress quiet;
    for (std::size_t batch : {16u, 5u, 3u}) {  // the sides in different batches, beside different rows
        WinobiasEvalOptions options;
        options.batch_size = batch;
        WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, pairs, options, quiet);
        EXPECT_EQ(result.metrics.bias, 0.0) << "batch " << batch;
        EXPECT_EQ(result.metrics.bias_cluster, 0.0) << "batch " << batch;
        EXPECT_EQ(result.metrics.bias_entropy, 0.0) << "batch " << batch;
        EXPECT_EQ(result.metrics.similarity, 1.0) << "batch " << batch;
    }
}

/** A tiny Llama whose vocabulary has `padded` rows beyond its tokenizer's 257 ids, with the
 *  head favouring them: padding row 2i is 1000 times real row i, row 2i + 1 minus that, so
 *  one of each pair outscores every real token. */
struct PaddedVocabularyModel {
    TempDir dir;
    explicit PaddedVocabularyModel(std::int64_t padded) {
        ModelInitOptions options;
        options.padded_rows = padded;
        init_random_model(dir.path(), options);
        std::vector<TensorData> tensors;
        {
            SafetensorsFile file(dir / "model.safetensors");
            for (const auto& [name, view] : file.tensors()) {
                std::vector<float> values = view.to_float32();
                if (name == "lm_head.weight") {
                    const std::int64_t hidden = view.shape[1], real = view.shape[0] - padded;
                    for (std::int64_t r = 0; r < padded; ++r)
                        for (std::int64_t d = 0; d < hidden; ++d)
                            values[(real + r) * hidden + d] = (r % 2 ? -1000.0f : 1000.0f) * values[(r / 2) * hidden + d];
                }
                tensors.push_back({name, DType::F32, view.shape, std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4)});
            }
        }
        write_safetensors(dir / "model.safetensors", tensors);
    }
};

TEST(PaddedVocabulary, GenerationYieldsOnlyTheTokenizersIdsAndEvaluationRuns) {
    PaddedVocabularyModel m(16);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    const auto real = static_cast<std::int64_t>(tokenizer->vocab_size());
    ASSERT_EQ(model->config().vocab_size, real + 16);

    const std::string prompt = "The nurse said";
    auto encoded = tokenizer->encode(prompt);
    at::Tensor ids = ids_tensor(std::vector<int>(encoded.begin(), encoded.end()));
    ASSERT_GE(model->logits(ids, at::ones_like(ids))[0][-1].argmax().item<std::int64_t>(), real) << "the head must favour padding";

    GenerationOptions greedy;
    greedy.max_new_tokens = 8;
    greedy.stop_tokens = {};
    GenerationOptions sampled = greedy;
    sampled.greedy = false;
    sampled.seed = 3;
    for (const GenerationOptions& o : {greedy, sampled}) {
        Generation g = generate(*model, *tokenizer, {prompt}, o)[0];
        EXPECT_FALSE(g.tokens.empty());
        for (std::int32_t t : g.tokens) EXPECT_LT(t, real);
    }
    // Without a tokenizer nothing decodes, and the whole vocabulary may be chosen.
    EXPECT_GE(generate_from_ids(*model, {encoded}, greedy)[0].tokens[0], real);

    NoProgress quiet;
    WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, example_pairs(), {}, quiet);
    EXPECT_EQ(result.items.size(), 12u);
    EXPECT_TRUE(std::isfinite(result.metrics.bias));
}

}  // namespace
}  // namespace amalgam
