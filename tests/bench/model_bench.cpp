// Model engine speed on CPU: forward and greedy generation tokens/s of the tiny and small
// presets of every causal family, the WinoBias suite, and sentences/s of a MiniLM-shaped encoder (6 layers, hidden
// 384, 12 heads, FFN 1536) over the prompts of WinoGrande train_l + OASST validation, in
// float32 and bfloat16.
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include "core/eval/winobias_evaluator.h"
#include "core/model/generation.h"
#include "core/model_io/model_init.h"
#include "core/model/threads.h"
#include "core/model/transformer.h"
#include "core/embed/transformer_embedder.h"
#include "core/util/blas_kernels.h"
#include "core/util/memory_reuse.h"
#include "tests/shared_data.h"

using namespace amalgam;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

fs::path make_model(const fs::path& root, ModelType type, const std::string& preset, std::optional<fs::path> tokenizer = {}) {
    fs::path dir = root / (std::string(to_string(type)) + "-" + preset);
    ModelInitOptions o;
    o.type = type;
    o.preset = preset;
    o.tokenizer = tokenizer;
    init_random_model(dir, o);
    return dir;
}

void forward_speed(const fs::path& dir, const char* label) {
    auto model = TransformerModel::load(dir);
    c10::NoGradGuard no_grad;
    at::Tensor ids = at::randint(0, model->config().vocab_size, {8, 256}, at::kLong);
    at::Tensor mask = at::ones_like(ids);
    model->logits(ids, mask);  // warm-up
    const int rounds = 5;
    auto t = Clock::now();
    for (int r = 0; r < rounds; ++r) model->logits(ids, mask);
    double s = seconds_since(t);
    std::printf("  %-18s %9lld parameters  %10.0f tokens/s (batch 8 x 256)\n", label, static_cast<long long>(model->parameter_count()),
                rounds * 8 * 256 / s);
}

/** Decoding with `o` (greedy by default): batch 32, prompts of 32 tokens, 64 new tokens each
 *  (no stop token). */
void generation_speed(const fs::path& dir, const char* label, GenerationOptions o = {}, const char* how = "greedy") {
    auto model = TransformerModel::load(dir);
    at::Tensor random = at::randint(3, model->config().vocab_size, {32, 32}, at::kInt).contiguous();
    std::vector<std::vector<std::int32_t>> prompts;
    for (std::int64_t b = 0; b < random.size(0); ++b)
        prompts.emplace_back(random[b].data_ptr<std::int32_t>(), random[b].data_ptr<std::int32_t>() + random.size(1));
    o.max_new_tokens = 64;
    o.stop_tokens = {};
    auto t = Clock::now();
    std::size_t produced = 0;
    for (const auto& g : generate_from_ids(*model, prompts, o)) produced += g.tokens.size();
    std::printf("  %-18s %10.0f new tokens/s (%s, batch 32, 32 prompt + 64 new tokens)\n", label, produced / seconds_since(t), how);
}

/** PyTorch eager over the same token ids and batches (tests/bench/encoder_eager.py), with the
 *  Python that $PYTHON names (default python3); it says so and skips where that has no torch.
 *  It runs twice: with our BLAS kernels, and with those OpenBLAS picks for itself. */
void eager_beside(const fs::path& encoder, const fs::path& root, const std::vector<std::string>& texts, const std::vector<float>& ours) {
    TransformerEmbedder embedder(encoder, Precision::Float32);
    const fs::path input = root / "eager-input.json", embeddings = root / "ours.f32";
    std::ofstream(input) << nlohmann::json{{"ids", embedder.token_ids(texts)}, {"batch_tokens", embedder.batch_tokens()}};
    std::ofstream(embeddings, std::ios::binary)
        .write(reinterpret_cast<const char*>(ours.data()), static_cast<std::streamsize>(ours.size() * sizeof(float)));
    const char* python = std::getenv("PYTHON");
    const std::string command = std::string(python && *python ? python : "python3") + " '" +
                                (amalgam::test::source_dir() / "tests/bench/encoder_eager.py").string() + "' '" + encoder.string() + "' '" +
                                input.string() + "' '" + embeddings.string() + "' " + std::to_string(at::get_num_threads());
    for (const std::string& run : {command, "env -u OPENBLAS_CORETYPE " + command}) {
        std::fflush(stdout);
        if (std::system(run.c_str()) != 0) std::printf("  PyTorch eager: the reference did not run (%s)\n", run.c_str());
    }
}

}  // namespace

int main() {
    use_fast_blas_kernels();  // as amalgam-cli does
    keep_freed_memory_for_reuse();
    use_all_cores();
    std::printf("threads: %d, AVX-512 BF16: %s\n", at::get_num_threads(), __builtin_cpu_supports("avx512bf16") ? "yes" : "no");
    fs::path root = fs::temp_directory_path() / "amalgam-model-bench";
    fs::remove_all(root);

    // Every causal family at its presets' settings (a sliding window of 4, so that windowed
    // layers take their bias on every text here).
    const ModelType causal[] = {ModelType::Llama, ModelType::Qwen2, ModelType::Qwen3, ModelType::Mistral, ModelType::Gemma2,
                                ModelType::Gemma3, ModelType::Phi3, ModelType::Olmo2, ModelType::SmolLM3, ModelType::Gpt2};
    std::printf("forward pass (float32):\n");
    for (const char* preset : {"tiny", "small"})
        for (ModelType f : causal) forward_speed(make_model(root, f, preset), (std::string(to_string(f)) + " " + preset).c_str());

    std::printf("generation (float32):\n");
    for (const char* preset : {"tiny", "small"})
        for (ModelType f : causal)
            if (f != ModelType::Gpt2)
                generation_speed(root / (std::string(to_string(f)) + "-" + preset), (std::string(to_string(f)) + " " + preset).c_str());

    const fs::path data = amalgam::test::shared_data_dir();
    if (data.empty()) {
        std::printf("%s: skipping the encoder benchmark\n", amalgam::test::shared_data_absent().c_str());
        return 0;
    }
    std::vector<std::string> prompts;
    for (std::ifstream in(data / "winogrande/train_l.jsonl"); in;) {
        std::string line;
        if (!std::getline(in, line)) break;
        prompts.push_back(nlohmann::json::parse(line)["sentence"]);
    }
    for (std::ifstream in(data / "oasst1/oasst1-validation-en.jsonl"); in;) {
        std::string line;
        if (!std::getline(in, line)) break;
        auto j = nlohmann::json::parse(line);
        if (j["role"] == "prompter") prompts.push_back(j["text"]);
    }
    // A real vocabulary: every decoding step chooses among 50,257 tokens.
    const fs::path gpt2_vocabulary = make_model(root / "gpt2-vocabulary", ModelType::Llama, "tiny", data / "tokenizers/gpt2");
    std::printf("generation with the GPT-2 vocabulary (50,257 tokens, float32):\n");
    generation_speed(gpt2_vocabulary, "llama tiny");
    GenerationOptions sampled;
    sampled.greedy = false;  // temperature 1, every token kept, as PPO samples: no sort
    generation_speed(gpt2_vocabulary, "llama tiny", sampled, "sampled");
    sampled.top_k = 50;  // transformers' default: each row's 50 most likely selected, then sorted
    generation_speed(gpt2_vocabulary, "llama tiny", sampled, "sampled, top_k 50");
    sampled.top_k = 0;
    sampled.top_p = 0.95;  // a nucleus: each row sorted
    generation_speed(gpt2_vocabulary, "llama tiny", sampled, "sampled, top_p 0.95");
    // The full WinoBias suite (test split, type 1 and 2: 792 pairs, 1,584 prompts).
    for (const char* preset : {"tiny", "small"}) {
        fs::path dir = root / (std::string("llama-") + preset);  // made for the forward pass
        auto model = TransformerModel::load(dir);
        auto tokenizer = load_tokenizer(dir);
        auto pairs = read_winobias_pairs(data / "winobias", "test");
        NoProgress quiet;
        auto t = Clock::now();
        WinobiasEvaluation e = evaluate_winobias(*model, *tokenizer, pairs, {}, quiet);
        std::printf("WinoBias suite, llama %-5s: %zu pairs in %.1f s\n", preset, e.items.size(), seconds_since(t));
    }

    fs::path encoder = make_model(root, ModelType::Bert, "small", data / "tokenizers/all-MiniLM-L6-v2");
    std::printf("MiniLM-shaped encoder over %zu prompts (WinoGrande train_l + OASST validation), length-sorted batches:\n", prompts.size());
    NoProgress quiet;
    auto timed = [&](Precision precision, const std::vector<std::string>& texts, const char* label) {
        TransformerEmbedder embedder(encoder, precision);
        auto t = Clock::now();
        std::vector<float> e = embedder.embed(texts, quiet);
        double s = seconds_since(t);
        std::printf("  %-9s %6zu prompts %7.1f s  %6.0f sentences/s\n", label, texts.size(), s, texts.size() / s);
        return e;
    };
    // Both precisions on the same sample, so that their rates compare.
    std::vector<std::string> sample(prompts.begin(), prompts.begin() + std::min<std::size_t>(1000, prompts.size()));
    std::vector<float> reference = timed(Precision::Float32, sample, "float32");
    eager_beside(encoder, root, sample, reference);
    // bfloat16 on request only: the embedder's default is float32 on every CPU.
    std::vector<float> half = timed(Precision::BFloat16, sample, "bfloat16");
    const std::size_t dim = reference.size() / sample.size();
    double worst = 1;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        double dot = 0;
        for (std::size_t d = 0; d < dim; ++d) dot += double(half[i * dim + d]) * reference[i * dim + d];
        worst = std::min(worst, dot);
    }
    std::printf("  lowest cosine of bfloat16 to float32 embeddings: %.5f\n", worst);
    fs::remove_all(root);
    return 0;
}
