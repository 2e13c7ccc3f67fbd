#include "core/train/estimate.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/model/lora.h"

namespace amalgam {
namespace {

double element_size(at::ScalarType t) { return static_cast<double>(c10::elementSize(t)); }

/** The [in, out] sizes of one layer's projections, by their last name component. */
struct Projection {
    const char* name;
    double in, out;
};

std::vector<Projection> layer_projections(const ModelConfig& m) {
    const double h = static_cast<double>(m.hidden_size), i = static_cast<double>(m.intermediate_size);
    const double q = static_cast<double>(m.num_heads * m.head_dim()), kv = static_cast<double>(m.num_kv_heads * m.head_dim());
    switch (m.family) {
        case ModelFamily::Llama:
            if (m.decoder.fused_projections) return {{"qkv_proj", h, q + 2 * kv}, {"o_proj", q, h}, {"gate_up_proj", h, 2 * i}, {"down_proj", i, h}};
            return {{"q_proj", h, q}, {"k_proj", h, kv}, {"v_proj", h, kv}, {"o_proj", q, h},
                    {"gate_proj", h, i}, {"up_proj", h, i}, {"down_proj", i, h}};
        case ModelFamily::Gpt2: return {{"c_attn", h, 3 * h}, {"c_proj", h, h}, {"c_fc", h, 4 * h}, {"mlp.c_proj", 4 * h, h}};
        case ModelFamily::Bert:
            return {{"query", h, h}, {"key", h, h}, {"value", h, h}, {"attention.output.dense", h, h},
                    {"intermediate.dense", h, i}, {"output.dense", i, h}};
    }
    return {};
}

}  // namespace

std::string memory_text(double bytes) {
    char text[32];
    if (bytes >= 1024.0 * 1024.0 * 1024.0) std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    else std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
    return text;
}

TrainEstimate estimate_training(const ModelConfig& m, const TrainConfig& config, at::ScalarType dtype, double device_flops) {
    TrainEstimate e;
    const double s = element_size(dtype), layers = static_cast<double>(m.num_layers);
    const double h = static_cast<double>(m.hidden_size), vocab = static_cast<double>(m.vocab_size);
    const double intermediate = m.family == ModelFamily::Gpt2 ? 4 * h : static_cast<double>(m.intermediate_size);
    const double heads = static_cast<double>(m.num_heads);

    std::vector<std::string> targets = config.lora.target_modules.empty() ? default_lora_targets(m) : config.lora.target_modules;
    double layer_matrix = 0, lora = 0, lora_inputs = 0;
    for (const Projection& p : layer_projections(m)) {
        layer_matrix += p.in * p.out;
        const std::string name = p.name;
        const std::string last = name.substr(name.rfind('.') + 1);
        if (std::find(targets.begin(), targets.end(), last) != targets.end()) {
            lora += static_cast<double>(config.lora.r) * (p.in + p.out);
            lora_inputs += p.in;
        }
    }
    const double matrix_params = layers * layer_matrix + h * vocab;  // the projections and the language-model head
    const double embeddings = h * vocab * (m.tie_word_embeddings ? 0 : 1) + h * static_cast<double>(m.max_positions) * (m.family == ModelFamily::Gpt2 ? 1 : 0);
    const bool ppo = config.stage == Stage::Ppo;
    const bool group = config.stage == Stage::Grpo || config.stage == Stage::Rloo;
    e.trainable_parameters = static_cast<std::int64_t>(layers * lora + (config.stage == Stage::RewardModel || ppo ? h : 0));
    e.weights_bytes = (matrix_params + embeddings) * s;
    e.trainable_bytes = 2.0 * 4.0 * static_cast<double>(e.trainable_parameters);
    e.optimizer_bytes = 2.0 * 4.0 * static_cast<double>(e.trainable_parameters);

    // Sequences in a backward pass (pairs count twice; PPO trains a mini-batch at a time) and
    // their tokens at the full length.
    const bool single = config.stage == Stage::Sft || config.stage == Stage::Kto;
    // GRPO and RLOO: a micro-batch of the step's completions.
    const double sequences = ppo     ? static_cast<double>(config.ppo.mini_batch)
                             : group ? static_cast<double>(config.batch_size / config.grad_accum)
                                     : static_cast<double>(config.batch_size) * (single ? 1 : 2);
    const double tokens = sequences * static_cast<double>(config.max_length);
    const double t = static_cast<double>(config.max_length);
    // Kept for backward, per layer and token: each of the two norms its float32 input and its
    // output; the attention and MLP inputs; per adapted projection its float32 input after
    // dropout and the dropout mask; q, k, v and the attention output (twice: as the kernel
    // gives it and merged); the MLP's gate, its activation, up and their product.
    const double kv = static_cast<double>(m.num_kv_heads * m.head_dim());
    const double norms = 2 * (4 * h + s * h), inputs = 2 * s * h;
    const double lora_kept = (config.lora.dropout > 0 ? 5.0 : 4.0) * lora_inputs;
    const double attention = s * (3 * h + 2 * kv) + 4.0 * heads;
    const double per_token_layer = norms + inputs + lora_kept + attention + 4 * s * intermediate;
    e.activation_bytes = tokens * layers * per_token_layer + tokens * h * s * 2;
    // Logits where a token is predicted: in the run's dtype, then float32 (kept), and in the
    // backward pass the softmax and the logits' gradient, float32.
    e.logits_bytes = config.stage == Stage::RewardModel ? 0 : tokens * vocab * (s + 3 * 4.0);
    if (ppo)  // scoring the rollouts: the whole batch's response logits at once, with their softmax for the entropy
        e.logits_bytes = std::max(e.logits_bytes, static_cast<double>(config.batch_size * config.ppo.max_new_tokens) * vocab * (s + 3 * 4.0));
    e.peak_bytes = e.weights_bytes + e.trainable_bytes + e.optimizer_bytes + e.activation_bytes + e.logits_bytes;

    // Forward 2 flops per weight and token; backward 2 more for the activations' gradients
    // (the base is frozen, so no weight gradients); attention 4 t h per token and layer, both ways.
    const double per_token = 4.0 * matrix_params + 3.0 * 4.0 * t * h * layers / 2.0;
    const double steps_tokens = tokens * static_cast<double>(config.grad_accum);
    e.flops_per_step = steps_tokens * per_token;
    if (config.stage == Stage::Dpo && !config.dpo_precompute_reference) e.flops_per_step += steps_tokens * 2.0 * matrix_params;
    // KTO's forward passes without gradient: the policy on the mismatched texts, the reference
    // on them and (unless precomputed) on the completions.
    if (config.stage == Stage::Kto) e.flops_per_step += steps_tokens * 2.0 * matrix_params * (config.kto.precompute_ref_log_probs ? 2.0 : 3.0);
    if (group) {
        // A step: generating the group's completions, forward passes over them without gradient
        // (the old policy where it is needed, the reference where beta > 0, each reward model),
        // then num_iterations passes both ways.
        const GroupSettings& g = config.group;
        double forwards = 1.0 + (g.num_iterations > 1 || (config.stage == Stage::Rloo && g.beta != 0.0) ? 1.0 : 0.0) + (g.beta != 0.0 ? 1.0 : 0.0);
        for (const RewardSpec& r : g.rewards) forwards += r.kind == RewardSpec::Kind::Model ? 1.0 : 0.0;
        const double batch_tokens = static_cast<double>(config.batch_size) * t;
        e.flops_per_step = batch_tokens * 2.0 * matrix_params * forwards + static_cast<double>(g.num_iterations) * batch_tokens * per_token;
    }
    if (ppo) {
        // A step: generating up to the longest response, three forward passes over the batch
        // (policy, reference, reward model), then every epoch's passes over it, both ways.
        const double batch_tokens = static_cast<double>(config.batch_size) * t;
        e.flops_per_step = batch_tokens * 2.0 * matrix_params * 4.0 + static_cast<double>(config.ppo.ppo_epochs) * batch_tokens * per_token;
    }
    e.device_flops = device_flops;
    e.seconds_per_step = device_flops > 0 ? e.flops_per_step / device_flops : 0;
    return e;
}

double measure_device_flops(at::Device device, at::ScalarType dtype) {
    c10::NoGradGuard no_grad;
    const std::int64_t n = device.is_cuda() ? 4096 : 512;
    at::Tensor a = at::randn({n, n}, at::TensorOptions().device(device).dtype(dtype));
    at::Tensor b = at::randn({n, n}, at::TensorOptions().device(device).dtype(dtype));
    at::Tensor c = at::matmul(a, b);  // warm-up
    c.sum().item<double>();
    const int repeats = device.is_cuda() ? 20 : 4;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i) c = at::matmul(a, b);
    c.sum().item<double>();  // waits for the device
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return 2.0 * static_cast<double>(n * n * n) * repeats / seconds;
}

std::string describe(const TrainEstimate& e) {
    char line[160];
    std::string out;
    auto add = [&](const char* what, double bytes) {
        std::snprintf(line, sizeof line, "  %-22s %s\n", what, memory_text(bytes).c_str());
        out += line;
    };
    out += "expected peak memory: " + memory_text(e.peak_bytes) + "\n";
    add("base weights", e.weights_bytes);
    add("LoRA and gradients", e.trainable_bytes);
    add("optimizer state", e.optimizer_bytes);
    add("activations", e.activation_bytes);
    add("logits", e.logits_bytes);
    std::snprintf(line, sizeof line, "trainable parameters: %lld\n", static_cast<long long>(e.trainable_parameters));
    out += line;
    std::snprintf(line, sizeof line, "expected time per step: %.3g s (%.3g TFLOP per step at a measured %.3g TFLOP/s)\n",
                  e.seconds_per_step, e.flops_per_step / 1e12, e.device_flops / 1e12);
    out += line;
    return out;
}

namespace {

/** Free bytes on a CUDA device as its driver counts them. libcuda is asked directly (it is
 *  there wherever CUDA runs), so the build needs no CUDA headers; a small tensor on the
 *  device first makes its context current. */
std::optional<double> cuda_free_bytes(at::Device device) {
    void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!driver) return std::nullopt;
    using MemGetInfo = int (*)(std::size_t* free, std::size_t* total);
    const auto mem_get_info = reinterpret_cast<MemGetInfo>(dlsym(driver, "cuMemGetInfo_v2"));
    std::optional<double> out;
    std::size_t free = 0, total = 0;
    if (mem_get_info) {
        at::empty({1}, at::TensorOptions().device(device));
        if (mem_get_info(&free, &total) == 0) out = static_cast<double>(free);
    }
    dlclose(driver);
    return out;
}

}  // namespace

std::optional<double> free_memory_bytes(at::Device device) {
    if (device.is_cuda()) return cuda_free_bytes(device);
    if (!device.is_cpu()) return std::nullopt;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string key; meminfo >> key;) {
        double kib = 0;
        meminfo >> kib;
        if (key == "MemAvailable:") return kib * 1024.0;
        meminfo.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return std::nullopt;
}

}  // namespace amalgam
