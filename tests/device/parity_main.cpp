// amalgam_parity MODEL_DIR REQUEST.json (or --init DIR to write our random llama tiny): runs our
// engine for the device check (tests/device/parity.py, speed.py) and prints one JSON object.
// Request fields, each optional:
//   "device" ("cpu" or "cuda"), "dtype" (as --dtype; default float32);
//   "make_adapter": a folder: add a seeded LoRA adapter with non-zero B, save it there, run with it;
//   "adapter": a folder: load that adapter (a trained one) and run with it;
//   "padded_backward": {"tokens"} -> "padded_backward" {"width", "finite"}: whether a LoRA
//                      adapter's gradients through a left-padded batch are finite;
//   "train": {"config": the config as JSON, "run_dir"} -> trains first (then loads nothing of it)
//            and gives "train_seconds", "estimate" {"peak_bytes", "seconds_per_step"} and on CUDA
//            "peak_bytes" (the allocator's peak during training);
//   "ids": a batch of equal-length id lists -> "top1" (the most likely next ids), "logits" (unless
//          "logits" is false) or "embeddings", and for causal models "greedy" ("greedy_new_tokens"
//          of them, default 8; 0: none), with "sample": {"new_tokens", "seed", "temperature",
//          "top_k", "top_p"} also "sampled" and "sampled_logprobs" (rollouts from those rows, in a
//          call after one from the rows reversed, whose decoder it takes), and,
//          with a reward adapter, "rewards" (the score head at the last token of each row);
//   "eval": {"data", "limit", "batch", "suites", "profile"} -> "eval" (results.json's body),
//           "eval_seconds" and "eval_timeline" ([seconds, items done] at each progress report);
//           with "profile", also "profile_eval" (as "profile_generate", of a second run);
//   "forward": {"batch", "tokens", "rounds"} -> "forward_tokens_per_s";
//   "generate": {"batch", "prompt_tokens", "new_tokens"} -> "generate" {"tokens_per_s",
//               "first_call_tokens_per_s", "step_ms", "call_ms_besides_steps"};
//   "profile_generate": the same fields -> "profile_generate" {"gpu_us", "gpu_span_us", "wall_us",
//                       "kernels" and "runtime_calls" [{"name", "us", "calls"}]}: one generation
//                       call under the profiler (CUDA builds of libtorch);
//   "group": {"port"} -> "group" {"backend", "sum"}: a process group of this one rank joined on
//            the device (NCCL on CUDA where this build has it), and [1, 2, 3] summed over it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include "core/dist/process_group.h"
#include "core/eval/evaluation.h"
#include "core/model/generation.h"
#include "core/model_io/model_init.h"
#include "core/model/step_graph.h"
#include "core/model/transformer.h"
#include "core/train/estimate.h"
#include "core/train/trainer.h"
#include "core/util/blas_kernels.h"
#include "core/util/memory_reuse.h"
#ifdef AMALGAM_CUDA_MEMORY_STATS
#include <c10/cuda/CUDACachingAllocator.h>
#include <torch/csrc/autograd/profiler_kineto.h>
#endif

using namespace amalgam;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/** Random ids [batch, tokens] on the model's device, the same for a seed. */
at::Tensor random_ids(const TransformerModel& model, std::int64_t batch, std::int64_t tokens) {
    at::manual_seed(0);
    return at::randint(3, model.config().vocab_size, {batch, tokens}, at::kLong).to(model.device());
}

/** The request's batch of random prompts ("batch", "prompt_tokens"), as generation takes them. */
std::vector<std::vector<std::int32_t>> random_prompts(const TransformerModel& model, const nlohmann::json& o) {
    const std::int64_t batch = o.value("batch", 32), prompt = o.value("prompt_tokens", 32);
    at::Tensor ids = random_ids(model, batch, prompt).to(at::kCPU);
    std::vector<std::vector<std::int32_t>> prompts(static_cast<std::size_t>(batch));
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t t = 0; t < prompt; ++t) prompts[b].push_back(static_cast<std::int32_t>(ids[b][t].item<std::int64_t>()));
    return prompts;
}

/** Tokens per second of full forward passes (logits included), after one warm-up pass. Reading
 *  a value back waits for the device. */
double forward_speed(const TransformerModel& model, const nlohmann::json& o) {
    const std::int64_t batch = o.value("batch", 16), tokens = o.value("tokens", 512), rounds = o.value("rounds", 5);
    at::Tensor ids = random_ids(model, batch, tokens), mask = at::ones_like(ids);
    model.logits(ids, mask).sum().item<float>();
    auto t = Clock::now();
    for (std::int64_t r = 0; r < rounds; ++r) model.logits(ids, mask).sum().item<float>();
    return static_cast<double>(rounds * batch * tokens) / seconds_since(t);
}

/** The gradients of a fresh LoRA adapter through a left-padded batch of two rows ("tokens" wide,
 *  the second half as long, so that its padding queries may look at no key): {"width",
 *  "finite"}, whether every gradient is finite. */
nlohmann::json padded_backward(TransformerModel& model, const nlohmann::json& o) {
    const std::int64_t tokens = o.value("tokens", 192);
    model.add_lora({4, 8, 0.0, {}}, 1, "padded_backward");
    for (auto& [module, pair] : model.adapter()->modules) {
        pair.a.requires_grad_(true);
        pair.b.requires_grad_(true);
    }
    const at::Tensor ids = random_ids(model, 2, tokens);
    at::Tensor mask = at::ones_like(ids);
    mask[1].slice(0, 0, tokens / 2).zero_();
    (model.hidden_states(ids, mask).to(at::kFloat) * mask.unsqueeze(-1)).sum().backward();
    bool finite = true;
    for (const auto& [module, pair] : model.adapter()->modules)
        finite = finite && at::isfinite(pair.a.grad()).all().item<bool>() && at::isfinite(pair.b.grad()).all().item<bool>();
    return {{"width", tokens}, {"finite", finite}};
}

/** Greedy generation (no stop token), after one short warm-up: new tokens per second at the
 *  request's length in a call that takes the decoder the previous call of that shape kept, and
 *  in that first call (which makes the decoder and, on CUDA, records its step); from the same
 *  pair of calls at a quarter of the length, the time of one more step and the time a call
 *  takes besides its steps (the prompts' pass, reading back). */
nlohmann::json generation_speed(const TransformerModel& model, const nlohmann::json& o) {
    const auto prompts = random_prompts(model, o);
    GenerationOptions options;
    options.max_new_tokens = 4;
    generate_from_ids(model, prompts, options);
    const auto timed = [&](std::int64_t steps) {
        options.max_new_tokens = steps;
        auto t = Clock::now();
        std::size_t produced = 0;
        for (const auto& g : generate_from_ids(model, prompts, options)) produced += g.tokens.size();
        return std::make_pair(seconds_since(t), produced);
    };
    const std::int64_t steps = o.value("new_tokens", 64), fewer = steps / 4;
    timed(fewer);
    const double short_seconds = timed(fewer).first;
    const auto [first_seconds, first_produced] = timed(steps);
    const auto [seconds, produced] = timed(steps);
    const double step = (seconds - short_seconds) / static_cast<double>(steps - fewer);
    return {{"tokens_per_s", static_cast<double>(produced) / seconds},
            {"first_call_tokens_per_s", static_cast<double>(first_produced) / first_seconds},
            {"step_ms", 1e3 * step},
            {"call_ms_besides_steps", 1e3 * (seconds - step * static_cast<double>(steps))}};
}

#ifdef AMALGAM_CUDA_MEMORY_STATS
/** Durations summed by name, the longest `n` first: [{"name", "us", "calls"}]. */
nlohmann::json longest(const std::map<std::string, std::pair<double, int>>& by_name, std::size_t n) {
    std::vector<std::pair<std::string, std::pair<double, int>>> sorted(by_name.begin(), by_name.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < sorted.size() && i < n; ++i)
        out.push_back({{"name", sorted[i].first}, {"us", sorted[i].second.first}, {"calls", sorted[i].second.second}});
    return out;
}

/** `work` under the profiler: the device's kernels summed by name, their total, the span from
 *  the first kernel's start to the last one's end beside the wall time (the device idles for
 *  the difference), and the host's CUDA runtime calls. */
nlohmann::json profiled(const std::function<void()>& work) {
    namespace prof = torch::profiler::impl;
    const prof::ProfilerConfig config(prof::ProfilerState::KINETO);
    const std::set<prof::ActivityType> activities{prof::ActivityType::CPU, prof::ActivityType::CUDA};
    torch::autograd::profiler::prepareProfiler(config, activities);
    torch::autograd::profiler::enableProfiler(config, activities);
    const auto t = Clock::now();
    work();
    const double wall = seconds_since(t);
    const auto result = torch::autograd::profiler::disableProfiler();
    std::map<std::string, std::pair<double, int>> kernels, runtime;
    double total = 0;
    std::uint64_t first = UINT64_MAX, last = 0;
    for (const auto& e : result->events()) {
        const double us = static_cast<double>(e.durationNs()) / 1e3;
        const bool on_device = e.deviceType() == c10::DeviceType::CUDA;
        if (!on_device && e.name().rfind("cuda", 0) != 0) continue;
        auto& entry = (on_device ? kernels : runtime)[e.name().substr(0, 90)];
        entry.first += us;
        entry.second += 1;
        if (!on_device) continue;
        total += us;
        first = std::min<std::uint64_t>(first, e.startNs());
        last = std::max<std::uint64_t>(last, e.endNs());
    }
    return {{"gpu_us", total},
            {"gpu_span_us", last > first ? static_cast<double>(last - first) / 1e3 : 0.0},
            {"wall_us", 1e6 * wall},
            {"kernels", longest(kernels, 30)},
            {"runtime_calls", longest(runtime, 8)}};
}

/** One greedy generation call under the profiler, after one of the same shape (whose decoder it takes). */
nlohmann::json generation_profile(const TransformerModel& model, const nlohmann::json& o) {
    const auto prompts = random_prompts(model, o);
    GenerationOptions options;
    options.max_new_tokens = o.value("new_tokens", 64);
    generate_from_ids(model, prompts, options);
    return profiled([&] { generate_from_ids(model, prompts, options); });
}
#endif

/** Progress that notes when each report came: [seconds since `start`, items done]. A WinoBias
 *  suite reports after each batch of contexts scored, then after each batch of prompts
 *  answered, in pairs scaled to the two together. */
class Timeline final : public Progress {
public:
    explicit Timeline(Clock::time_point start) : start_(start) {}
    void start(const std::string&, std::size_t) override {}
    void advance(std::size_t done) override { points.push_back({seconds_since(start_), done}); }
    void finish() override {}
    nlohmann::json points = nlohmann::json::array();

private:
    Clock::time_point start_;
};

/** Trains the request's config on the device and reports time, the estimate and the peak memory. */
nlohmann::json train_run(const nlohmann::json& r, at::Device device, Precision precision) {
    const TrainConfig config = train_config_from_json(r.at("config"), ".");
    TrainOptions options;
    options.run_dir = r.at("run_dir").get<std::string>();
    options.device = device;
    options.precision = precision;
#ifdef AMALGAM_CUDA_MEMORY_STATS
    if (device.is_cuda()) {
        at::empty({1}, at::TensorOptions().device(device));  // the allocator has no device before its first allocation
        c10::cuda::CUDACachingAllocator::resetPeakStats(0);
    }
#endif
    auto t = Clock::now();
    train(config, options);
    nlohmann::json out = {{"train_seconds", seconds_since(t)}};
#ifdef AMALGAM_CUDA_MEMORY_STATS
    if (device.is_cuda()) out["peak_bytes"] = c10::cuda::CUDACachingAllocator::getDeviceStats(0).allocated_bytes[0].peak;
#endif
    const at::ScalarType dtype = resolve_precision(precision, device);
    const TrainEstimate e = estimate_training(ModelConfig::load(std::filesystem::path(config.model) / "config.json"), config, dtype,
                                              measure_device_flops(device, dtype));
    out["estimate"] = {{"peak_bytes", e.peak_bytes}, {"seconds_per_step", e.seconds_per_step}};
    if (auto free = free_memory_bytes(device)) out["free_bytes"] = *free;  // what the estimate's warning compares with
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    use_fast_blas_kernels();        // as amalgam-cli does
    keep_freed_memory_for_reuse();
    if (argc == 3 && std::string(argv[1]) == "--init") {  // our random llama tiny, for the metric parity
        init_random_model(argv[2], ModelInitOptions{});
        return 0;
    }
    if (argc != 3) {
        std::fprintf(stderr, "usage: amalgam_parity MODEL_DIR REQUEST.json | amalgam_parity --init DIR\n");
        return 2;
    }
    try {
        std::ifstream in(argv[2]);
        nlohmann::json request = nlohmann::json::parse(in);
        at::Device device = request.value("device", "cpu") == "cuda" ? at::Device(at::kCUDA) : at::Device(at::kCPU);
        const Precision precision = parse_name<Precision>(request.value("dtype", "float32"));
        nlohmann::json trained;
        if (request.contains("train")) trained = train_run(request["train"], device, precision);
        auto model = TransformerModel::load(argv[1], device, precision);
        nlohmann::json out = {{"dtype", dtype_name(model->dtype())}};
        if (!trained.is_null()) out["train"] = trained;
        if (request.contains("adapter")) model->load_adapter(request["adapter"].get<std::string>());
        if (request.contains("make_adapter")) {
            model->add_lora({4, 8, 0.0, {}}, 1);
            at::manual_seed(0);
            for (auto& [module, pair] : model->adapter()->modules) pair.b = at::randn_like(pair.b) * 0.1;
            model->save_adapter(request["make_adapter"].get<std::string>(), argv[1]);
        }
        if (request.contains("padded_backward")) out["padded_backward"] = padded_backward(*model, request["padded_backward"]);
        c10::NoGradGuard no_grad;
        if (request.contains("ids")) {
            auto rows = request.at("ids").get<std::vector<std::vector<std::int32_t>>>();
            auto [ids, mask] = padded_batch(rows, 0, model->config().is_causal());
            ids = ids.to(device);
            mask = mask.to(device);
            if (model->config().is_causal()) {
                at::Tensor logits = model->logits(ids, mask);
                at::Tensor top1 = logits.argmax(-1).to(at::kCPU).contiguous();
                out["top1"] = std::vector<std::int64_t>(top1.data_ptr<std::int64_t>(), top1.data_ptr<std::int64_t>() + top1.numel());
                out["shape"] = logits.sizes().vec();
                if (request.value("logits", true)) {
                    at::Tensor values = logits.to(at::kCPU, at::kFloat).contiguous();
                    out["logits"] = std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
                }
                GenerationOptions o;
                o.max_new_tokens = request.value("greedy_new_tokens", 8);
                nlohmann::json greedy = nlohmann::json::array();
                if (o.max_new_tokens > 0)
                    for (const auto& g : generate_from_ids(*model, rows, o)) greedy.push_back(g.tokens);
                out["greedy"] = greedy;
                if (request.contains("sample")) {
                    const nlohmann::json& s = request["sample"];
                    GenerationOptions sampling;
                    sampling.greedy = false;
                    sampling.logprobs = true;
                    sampling.max_new_tokens = s.value("new_tokens", 16);
                    sampling.seed = s.value("seed", 0);
                    sampling.temperature = s.value("temperature", 1.0);
                    sampling.top_k = s.value("top_k", 0);
                    sampling.top_p = s.value("top_p", 1.0);
                    // First from other prompts of the same shape: the call reported then takes the
                    // decoder (and on CUDA the recorded step) that this one keeps.
                    auto reversed = rows;
                    for (auto& row : reversed) std::reverse(row.begin(), row.end());
                    generate_from_ids(*model, reversed, sampling);
                    nlohmann::json sampled = nlohmann::json::array(), logprobs = nlohmann::json::array();
                    for (const auto& g : generate_from_ids(*model, rows, sampling)) {
                        sampled.push_back(g.tokens);
                        logprobs.push_back(g.logprobs);
                    }
                    out["sampled"] = sampled;
                    out["sampled_logprobs"] = logprobs;
                }
                if (const ScalarHead* head = model->score_head()) {
                    at::Tensor rewards = head->at_last_token(model->hidden_states(ids, mask), mask).to(at::kCPU, at::kFloat).contiguous();
                    out["rewards"] = std::vector<float>(rewards.data_ptr<float>(), rewards.data_ptr<float>() + rewards.numel());
                }
            } else {
                at::Tensor e = model->sentence_embeddings(ids, mask).to(at::kCPU, at::kFloat).contiguous();
                out["embeddings"] = std::vector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
                out["shape"] = e.sizes().vec();
            }
        }
        if (request.contains("forward")) out["forward_tokens_per_s"] = forward_speed(*model, request["forward"]);
        if (request.contains("generate")) {
            out["generate"] = generation_speed(*model, request["generate"]);
            out["generate_step_graphs"] = StepGraph::supported(device);
        }
#ifdef AMALGAM_CUDA_MEMORY_STATS
        if (request.contains("profile_generate")) out["profile_generate"] = generation_profile(*model, request["profile_generate"]);
#endif
        if (request.contains("eval")) {
            const nlohmann::json& e = request["eval"];
            EvalRequest eval;
            eval.data_dir = e.at("data").get<std::string>();
            eval.limit = e.value("limit", 0);
            eval.batch_size = e.value("batch", 16);
            if (e.contains("suites")) eval.suites = e["suites"].get<std::vector<std::string>>();
            NoProgress quiet;
            auto tokenizer = load_tokenizer(argv[1]);
            auto t = Clock::now();
            Timeline timeline(t);
            out["eval"] = run_evaluation(*model, *tokenizer, eval, timeline);
            out["eval_seconds"] = seconds_since(t);
            out["eval_timeline"] = timeline.points;
#ifdef AMALGAM_CUDA_MEMORY_STATS
            if (e.value("profile", false)) out["profile_eval"] = profiled([&] { run_evaluation(*model, *tokenizer, eval, quiet); });
#endif
        }
        if (request.contains("group")) {
            const auto group = ProcessGroup::join(LaunchEnv{0, 1, 0, "127.0.0.1", request["group"].at("port").get<int>(), "torchrun"},
                                                  std::chrono::seconds(60), device.is_cuda() ? at::Device(at::kCUDA, 0) : device);
            at::Tensor values = at::tensor({1.0f, 2.0f, 3.0f}).to(group->device());
            group->sum({values});
            values = values.to(at::kCPU).contiguous();
            out["group"] = {{"backend", group->backend()}, {"sum", std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + 3)}};
        }
        std::cout << out.dump() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "amalgam_parity: error: %s\n", e.what());
        return 1;
    }
}
