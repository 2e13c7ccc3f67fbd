#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/eval/winobias_evaluator.h"
#include "core/model/generation.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer_embedder.h"
#include "reference_model.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using test::ids_tensor;
using test::kIds;
using test::TinyModel;

TEST(TransformerEmbedder, BatchedSortedEmbeddingsEqualOneByOne) {
    TinyModel m(ModelFamily::Bert);
    TransformerEmbedder embedder(m.dir.path(), TransformerEmbedder::Precision::Float32, 64);
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
    TinyModel m(ModelFamily::Bert);
    TransformerEmbedder f32(m.dir.path(), TransformerEmbedder::Precision::Float32);
    TransformerEmbedder bf16(m.dir.path(), TransformerEmbedder::Precision::BFloat16);
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

TEST(TransformerEmbedder, NeedsAnEncoder) {
    TinyModel m(ModelFamily::Gpt2);
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
    TinyModel m(ModelFamily::Llama, std::nullopt, 8);
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

TEST(WinobiasEvaluation, IdenticalSidesShowNoBias) {
    TinyModel m(ModelFamily::Gpt2, std::nullopt, 9);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    auto pairs = example_pairs();
    for (auto& p : pairs) p.anti = p.pro;
    NoProgress quiet;
    WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, pairs, {}, quiet);
    EXPECT_NEAR(result.metrics.bias, 0.0, 1e-9);
    EXPECT_NEAR(result.metrics.bias_cluster, 0.0, 1e-9);
    EXPECT_NEAR(result.metrics.bias_entropy, 0.0, 1e-9);
    EXPECT_DOUBLE_EQ(result.metrics.similarity, 1.0);
}

}  // namespace
}  // namespace amalgam
