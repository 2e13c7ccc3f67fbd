#include "core/train/trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include <unistd.h>

#include <c10/core/GradMode.h>
#include <torch/version.h>

#include "core/contract/slurm_script.h"
#include "core/contract/worker_messages.h"
#include "core/eval/evaluation.h"
#include "core/model/lora.h"
#include "core/model/scoring.h"
#include "core/model/tensor_convert.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/train/checkpoint.h"
#include "core/train/estimate.h"
#include "core/train/objectives.h"
#include "core/train/group_rl_stage.h"
#include "core/train/ppo_stage.h"
#include "core/train/seed_mix.h"
#include "core/util/atomic_file.h"
#include "core/util/sha256.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;




/** The order of the rows in epoch `epoch`: a Fisher-Yates shuffle from the seed, the same on every platform. */
std::vector<std::int64_t> epoch_order(std::size_t rows, std::uint64_t seed, std::int64_t epoch) {
    std::vector<std::int64_t> order(rows);
    for (std::size_t i = 0; i < rows; ++i) order[i] = static_cast<std::int64_t>(i);
    std::mt19937_64 rng(seed_mix(seed, 0x5eed, static_cast<std::uint64_t>(epoch)));
    for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    return order;
}

/** Sums over a logging window: each metric over its units, tokens and seconds (of which
 *  reduce_seconds summing over the process group, waiting for the other ranks included). */
struct Window {
    std::vector<double> metrics;
    double units = 0, tokens = 0, seconds = 0, grad_norm = 0, reduce_seconds = 0;

    nlohmann::json to_json() const {
        nlohmann::json j = {{"metrics", metrics}, {"units", units}, {"tokens", tokens}, {"seconds", seconds}, {"grad_norm", grad_norm}};
        if (reduce_seconds > 0) j["reduce_seconds"] = reduce_seconds;  // a process of its own keeps its checkpoints' bytes
        return j;
    }
    static Window from_json(const nlohmann::json& j, std::size_t metrics) {
        Window w;
        w.metrics = j.value("metrics", std::vector<double>(metrics, 0.0));
        w.units = j.value("units", 0.0);
        w.tokens = j.value("tokens", 0.0);
        w.seconds = j.value("seconds", 0.0);
        w.grad_norm = j.value("grad_norm", 0.0);
        w.reduce_seconds = j.value("reduce_seconds", 0.0);
        if (w.metrics.size() != metrics) w.metrics.assign(metrics, 0.0);
        return w;
    }
};

class Run {
public:
    Run(const TrainConfig& config, const TrainOptions& options) : config_(config), options_(options) {}

    TrainSummary go() {
        load_model_and_data();  // every input checked before the run folder is touched
        // What the ranks decide from the run folder, they decide before rank 0 writes to it.
        const bool reference_stored = fs::exists(reference_file());
        if (options_.group)
            for (const std::string& rank : options_.group->gather("ranks", ordered_json{{"host", host_name()}, {"device", options_.device.str()}}.dump()))
                ranks_.push_back(ordered_json::parse(rank));
        if (writes()) prepare_directory();
        if (options_.group) options_.group->barrier();
        if (options_.resume) restore();
        build_optimizer();
        if ((config_.stage == Stage::Dpo && config_.dpo_precompute_reference) || (config_.stage == Stage::Kto && config_.kto.precompute_ref_log_probs))
            precompute_reference(reference_stored);
        if (ppo_) {
            names_ = PpoStage::metric_names();
        } else if (group_) {
            names_ = group_->metric_names();
        } else {
            objective_ = make_objective(config_, *model_, pad_id_, reference_ ? &*reference_ : nullptr);
            names_ = objective_->metric_names();
        }
        if (window_.metrics.size() != names_.size()) window_ = Window::from_json(resumed_window_, names_.size());
        const TrainSummary summary = loop();
        if (options_.group) options_.group->barrier();  // rank 0 serves the rendezvous: it leaves last
        return summary;
    }

private:
    int rank() const { return options_.group ? options_.group->rank() : 0; }
    int world() const { return options_.group ? options_.group->size() : 1; }
    /** Whether this process writes the run folder: rank 0 of a group, or the only process. */
    bool writes() const { return rank() == 0; }
    /** Micro-batches a step takes, over all ranks (PPO's accumulation is within its batch). */
    std::int64_t micro_per_step() const { return (samples_completions(config_.stage) ? 1 : config_.grad_accum) * world(); }
    /** Rows of the data a micro-batch takes: GRPO's and RLOO's batch_size counts completions, num_generations a prompt. */
    std::int64_t rows_per_batch() const { return group_ ? config_.batch_size / config_.group.num_generations : config_.batch_size; }

    static std::string host_name() {
        char name[256] = {};
        return gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
    }

    // --- the run folder --------------------------------------------------------------------

    ordered_json run_record() const {
        ordered_json data = {{config_.data, file_sha256(config_.data)}};
        if (fs::is_regular_file(config_.eval_data)) data[config_.eval_data] = file_sha256(config_.eval_data);  // PPO's is a folder of suites
        ordered_json record = {{"config", config_.to_json()},
                               {"template", format_text(format_)},  // for `template: chat`, the checkpoint's own
                               {"data_sha256", data},
                               {"versions", {{"amalgam", AMALGAM_VERSION}, {"libtorch", TORCH_VERSION}}},
                               {"device", options_.device.str()},
                               {"dtype", dtype_name(resolve_precision(options_.precision, options_.device))}};
        if (ppo_) record["skipped_prompts"] = ppo_->skipped_prompts();  // too long to leave room for a response
        if (group_) record["skipped_prompts"] = group_->skipped_prompts();
        if (!options_.cluster_job.empty()) record["slurm_job"] = options_.cluster_job;
        if (options_.group)
            record["world"] = {{"size", world()}, {"backend", options_.group->backend()}, {"launcher", options_.group->env().launcher}, {"ranks", ranks_}};
        return record;
    }

    void prepare_directory() {
        const fs::path run_json = options_.run_dir / "run.json";
        const ordered_json record = run_record();
        if (fs::exists(run_json)) {
            if (!options_.resume)
                throw std::runtime_error(options_.run_dir.string() + " already holds a run: pass --resume to continue it, or choose another --out");
            std::ifstream in(run_json);
            nlohmann::json stored;
            try {
                stored = nlohmann::json::parse(in);
            } catch (const nlohmann::json::exception& e) {
                throw std::runtime_error(run_json.string() + ": unreadable: " + e.what());
            }
            if (stored.value("config", nlohmann::json()) != nlohmann::json(record["config"]))
                throw std::runtime_error(run_json.string() + ": the run was started with another config; resume it with the same one");
            if (stored.value("data_sha256", nlohmann::json()) != nlohmann::json(record["data_sha256"]))
                throw std::runtime_error(run_json.string() + ": the training data changed since the run started");
            return;
        }
        options_.resume = false;  // nothing to resume: start it
        if (holds_other_files(options_.run_dir))
            throw std::runtime_error(options_.run_dir.string() + " is not empty and holds no run; choose another --out");
        fs::create_directories(options_.run_dir);
        write_file_atomically(run_json, record.dump(2) + "\n");
    }

    // --- model, data, optimizer ------------------------------------------------------------

    void load_model_and_data() {
        model_ = TransformerModel::load(config_.model, options_.device, options_.precision);
        if (!model_->config().is_causal()) throw std::runtime_error(config_.model + ": training needs a causal language model");
        if (const auto context = model_->config().context_length(); context > 0 && config_.max_length > context)
            throw ConfigError("max_length", std::to_string(config_.max_length) + " is longer than the model's context of " +
                                                std::to_string(context) + " positions");
        if (!config_.adapter.empty()) {
            model_->load_adapter(config_.adapter);
            model_->merge_and_unload();  // the starting point: base and SFT adapter as one model
        }
        if (config_.stage == Stage::Ppo) ppo_.emplace(config_, *model_, options_.group);  // the reward model, checked before anything is generated
        if (config_.stage == Stage::Grpo || config_.stage == Stage::Rloo)
            group_.emplace(config_, *model_, options_.group);  // the reward models, checked before anything is generated
        tokenizer_ = load_tokenizer(config_.model);
        const ModelConfig& mc = model_->config();
        // SFT and DPO texts end with the end-of-text token, so that the policy learns to stop. The
        // reward model reads the last token of the text as it is, as PPO will score responses
        // that a length limit may have cut (TRL's reward trainer adds no end token either).
        std::optional<std::int32_t> eos;
        if (mc.eos_token_id && config_.stage != Stage::RewardModel) eos = static_cast<std::int32_t>(*mc.eos_token_id);
        pad_id_ = pad_id(*model_);
        format_ = text_format(config_.prompt_template, config_.model);
        TextEncoder encoder(*tokenizer_, format_, eos, config_.max_length);
        if (ppo_) {
            ppo_->load_prompts(encoder, examples_);
        } else if (group_) {
            group_->load_prompts(encoder, examples_);
        } else {
            const bool pairs = config_.stage != Stage::Sft && config_.stage != Stage::Kto;
            const RowShape shape = pairs ? RowShape::Pair : config_.stage == Stage::Kto ? RowShape::Labelled : RowShape::Demonstration;
            examples_ = encode_rows(read_train_rows(config_.data, shape), encoder, pairs);
            if (!config_.eval_data.empty()) eval_examples_ = encode_rows(read_train_rows(config_.eval_data, shape), encoder, pairs);
        }

        LoraConfig lora{config_.lora.r, config_.lora.alpha, config_.lora.dropout, config_.lora.target_modules};
        model_->add_lora(lora, seed_mix(config_.seed, 1, 0), adapter_name());
        if (config_.stage == Stage::RewardModel) {
            ScalarHead head = ScalarHead::create("score", mc.hidden_size, false, seed_mix(config_.seed, 2, 0));
            head.weight = head.weight.to(options_.device, widened_type(model_->dtype()));
            model_->adapter()->score_head = std::move(head);
        }
        micro_per_epoch_ = (static_cast<std::int64_t>(examples_.size()) + rows_per_batch() - 1) / rows_per_batch();
        total_steps_ = config_.max_steps ? *config_.max_steps
                                         : std::max<std::int64_t>(1, (config_.epochs * micro_per_epoch_ + micro_per_step() - 1) / micro_per_step());
    }

    void restore() {
        std::uint64_t samples_bytes = 0;
        if (auto checkpoint = latest_checkpoint(options_.run_dir)) {
            model_->load_adapter(*checkpoint, adapter_name());
            if (config_.stage == Stage::RewardModel && !model_->score_head())
                throw std::runtime_error(checkpoint->string() + ": the reward model's score head is missing");
            state_ = load_trainer_state(*checkpoint);
            if (ppo_) ppo_->restore(*checkpoint, state_.extra);
            if (samples_completions(config_.stage)) samples_bytes = state_.extra.at("samples_bytes").get<std::uint64_t>();
            resumed_window_ = state_.window;
            resumed_from_ = *checkpoint;
        }
        // Lines a stopped run wrote after its checkpoint (with none, every line) are written again, the same way.
        if (!writes()) return;
        truncate(options_.run_dir / "metrics.jsonl", state_.metrics_bytes);
        truncate(options_.run_dir / "samples.jsonl", samples_bytes);
    }

    /** Whether `dir` holds anything besides what `amalgam-cli submit` put there. */
    static bool holds_other_files(const fs::path& dir) {
        if (!fs::exists(dir)) return false;
        for (const auto& entry : fs::directory_iterator(dir))
            if (const std::string name = entry.path().filename().string(); !is_submission_file(name) && !is_abandoned_temporary(name))
                return true;  // a run.json whose writer was killed before its rename is no run
        return false;
    }

    static void truncate(const fs::path& file, std::uint64_t bytes) {
        if (fs::exists(file) && fs::file_size(file) > bytes) fs::resize_file(file, bytes);
    }

    void build_optimizer() {
        std::vector<Parameter> parameters;
        for (auto& [module, pair] : model_->adapter()->modules) {
            parameters.push_back({peft_key(model_->config(), module, 'A'), pair.a, true});
            parameters.push_back({peft_key(model_->config(), module, 'B'), pair.b, true});
        }
        if (ScalarHead* head = model_->score_head()) parameters.push_back({"score.weight", head->weight, true});
        if (ppo_)
            for (Parameter& p : ppo_->parameters()) parameters.push_back(std::move(p));
        optimizer_ = std::make_unique<AdamW>(std::move(parameters), config_.optimizer);
        if (!resumed_from_.empty())
            optimizer_->load_state(SafetensorsFile(resumed_from_ / "optimizer.safetensors"), state_.optimizer_steps);
    }

    std::string adapter_name() const { return samples_completions(config_.stage) ? "policy" : "default"; }
    bool has_eval() const { return samples_completions(config_.stage) ? !config_.eval_data.empty() : !eval_examples_.empty(); }

    fs::path reference_file() const { return options_.run_dir / "reference_logps.safetensors"; }

    /** DPO's reference log-probabilities: read back when stored, or computed (each rank its
     *  share of the rows, summed into place over the group) and stored. */
    void precompute_reference(bool stored_before) {
        const fs::path file = reference_file();
        if (stored_before) {
            SafetensorsFile stored(file);
            auto get = [&](const std::string& name) {
                auto it = stored.tensors().find(name);
                if (it == stored.tensors().end() || it->second.shape != std::vector<std::int64_t>{static_cast<std::int64_t>(examples_.size())})
                    throw std::runtime_error(file.string() + ": tensor '" + name + "' is missing or does not match the data");
                return tensor_from_view(it->second).to(options_.device);
            };
            reference_ = ReferenceLogps{get("chosen"), get("rejected")};
            return;
        }
        if (!options_.group) {
            reference_ = reference_logps(*model_, examples_, config_.batch_size, pad_id_, config_.stage == Stage::Dpo);
        } else {
            const std::size_t rows = examples_.size();
            const auto [begin, end] = rank_share(rows, options_.group);
            const std::vector<TrainExample> mine(examples_.begin() + static_cast<std::ptrdiff_t>(begin), examples_.begin() + static_cast<std::ptrdiff_t>(end));
            const auto n = static_cast<std::int64_t>(rows);
            const auto options = at::TensorOptions().dtype(at::kFloat).device(options_.device);
            reference_ = ReferenceLogps{at::zeros({n}, options), at::zeros({n}, options)};
            if (!mine.empty()) {
                const ReferenceLogps part = reference_logps(*model_, mine, config_.batch_size, pad_id_, config_.stage == Stage::Dpo);
                reference_->chosen.narrow(0, static_cast<std::int64_t>(begin), part.chosen.size(0)).copy_(part.chosen);
                reference_->rejected.narrow(0, static_cast<std::int64_t>(begin), part.rejected.size(0)).copy_(part.rejected);
            }
            options_.group->sum({reference_->chosen, reference_->rejected});
        }
        if (writes()) write_safetensors(file, {tensor_data("chosen", reference_->chosen), tensor_data("rejected", reference_->rejected)});
    }

    // --- the loop --------------------------------------------------------------------------

    MicroBatch micro_batch(std::int64_t index) {
        const std::int64_t epoch = index / micro_per_epoch_, within = index % micro_per_epoch_;
        if (epoch != order_epoch_) {
            order_ = epoch_order(examples_.size(), config_.seed, epoch);
            order_epoch_ = epoch;
        }
        MicroBatch batch;
        const auto begin = static_cast<std::size_t>(within * rows_per_batch());
        for (std::size_t i = begin; i < std::min(order_.size(), begin + static_cast<std::size_t>(rows_per_batch())); ++i) {
            batch.rows.push_back(order_[i]);
            batch.examples.push_back(&examples_[static_cast<std::size_t>(order_[i])]);
        }
        return batch;
    }

    static std::int64_t tokens_of(const MicroBatch& batch) {
        std::int64_t n = 0;
        for (const auto* e : batch.examples) n += static_cast<std::int64_t>(e->chosen.ids.size() + e->rejected.ids.size());
        return n;
    }

    /** One step of a stage that samples its completions over the next batch of prompts on each
     *  rank (rank r takes micro-batch r of the step): PPO's, or GRPO's and RLOO's. */
    void sampled_step() {
        const auto start = std::chrono::steady_clock::now();
        const double lr = learning_rate(config_.optimizer, state_.step, total_steps_);
        const fs::path samples = writes() ? options_.run_dir / "samples.jsonl" : fs::path();
        const MicroBatch batch = micro_batch(state_.micro_batches + rank());
        StepFigures f;
        try {
            if (group_) {
                f = group_->step(batch.examples, batch.rows, state_.step, lr, *optimizer_, *tokenizer_, samples);
            } else {
                std::vector<std::int64_t> rows_by_rank;
                for (int r = 0; r < world(); ++r) rows_by_rank.push_back(static_cast<std::int64_t>(micro_batch(state_.micro_batches + r).rows.size()));
                f = ppo_->step(batch, rows_by_rank, state_.step, lr, *optimizer_, *tokenizer_, samples);
            }
        } catch (const TrainingError& e) {
            const std::string last = resumed_or_saved_.empty() ? "none was written yet" : "the last good one is " + resumed_or_saved_;
            throw TrainingError(std::string(e.what()) + "; the run stopped without saving this step (" + last + ")");
        }
        for (std::size_t m = 0; m < names_.size(); ++m) window_.metrics[m] += f.values[m];
        stopping_ = stop_requested();
        if (options_.group) {  // a rank asked to stop stops them all at this step
            at::Tensor stops = at::full({1}, stopping_ ? 1.0 : 0.0, at::kDouble);
            options_.group->sum({stops});
            stopping_ = stops.item<double>() > 0;
        }
        window_.units += 1;
        window_.tokens += f.tokens;
        window_.grad_norm = f.grad_norm;
        last_lr_ = lr;
        state_.step += 1;
        state_.micro_batches += world();
        window_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    /** One optimizer step over grad_accum micro-batches on each rank. Every rank counts the
     *  units (tokens or pairs) of the whole step, so that the summed gradients are those of one
     *  process over all of them; micro-batch i keeps its dropout seed whichever rank takes it. */
    void step() {
        if (samples_completions(config_.stage)) return sampled_step();
        const auto start = std::chrono::steady_clock::now();
        std::vector<MicroBatch> batches;
        double units = 0;
        for (std::int64_t i = 0; i < micro_per_step(); ++i) {
            batches.push_back(micro_batch(state_.micro_batches + i));
            units += objective_->units(batches.back());
            window_.tokens += static_cast<double>(tokens_of(batches.back()));
        }
        const double lr = learning_rate(config_.optimizer, state_.step, total_steps_);
        model_->set_training(true);
        at::Tensor sums;  // the step's metric sums, on the device until the step is queued
        const std::int64_t first = rank() * config_.grad_accum;
        for (std::int64_t i = first; i < first + config_.grad_accum; ++i) {
            at::manual_seed(seed_mix(config_.seed, static_cast<std::uint64_t>(state_.step) + 1, static_cast<std::uint64_t>(i)));
            LossSums micro = objective_->sums(batches[static_cast<std::size_t>(i)]);
            (micro.loss / std::max(units, 1.0)).backward();
            sums = sums.defined() ? sums + micro.metrics : micro.metrics;
        }
        at::Tensor stops = at::full({1}, stop_requested() ? 1.0 : 0.0, sums.options());  // ranks asked to stop
        if (options_.group) {  // one flat buffer: the gradients, the step's metric sums and the stop requests
            const auto reduce_start = std::chrono::steady_clock::now();
            std::vector<at::Tensor> reduced = optimizer_->gradients();
            reduced.push_back(sums);
            reduced.push_back(stops);
            options_.group->sum(reduced);
            window_.reduce_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - reduce_start).count();
        }
        at::Tensor grad_norm = optimizer_->clip_grad_norm(config_.optimizer.max_grad_norm);
        optimizer_->step(lr);
        optimizer_->zero_grad();
        // The one wait for the device in a step.
        at::Tensor host = at::cat({sums.to(at::kDouble), grad_norm.reshape({1}).to(at::kDouble), stops.to(at::kDouble)}).to(at::kCPU);
        const double* values = host.data_ptr<double>();
        stopping_ = values[names_.size() + 1] > 0;
        if (!std::isfinite(values[0])) {
            const std::string last = resumed_or_saved_.empty() ? "none was written yet" : "the last good one is " + resumed_or_saved_;
            throw TrainingError("step " + std::to_string(state_.step + 1) + ": the loss is " + std::to_string(values[0]) +
                                "; the run stopped without saving this step (" + last + ")");
        }
        for (std::size_t m = 0; m < names_.size(); ++m) window_.metrics[m] += values[m];
        window_.units += units;
        window_.grad_norm = values[names_.size()];
        last_lr_ = lr;
        state_.step += 1;
        state_.micro_batches += micro_per_step();
        window_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    /** What a window of sums logs as: the objective's way, or PPO's metrics over its units. */
    Logged logged(const std::vector<double>& sums, double units) const {
        return objective_ ? objective_->logged(sums, units) : per_unit(names_, sums, units);
    }

    bool stop_requested() const { return options_.stop_request && options_.stop_request->load() != 0; }

    double epoch() const { return static_cast<double>(state_.micro_batches) / static_cast<double>(micro_per_epoch_); }

    void write_metrics(const ordered_json& line) {
        if (!writes()) return;
        const fs::path path = options_.run_dir / "metrics.jsonl";
        std::ofstream out(path, std::ios::app | std::ios::binary);
        out << line.dump() << "\n";
        out.close();
        if (!out) throw std::runtime_error(path.string() + ": cannot write");
        if (options_.on_metrics) options_.on_metrics(line);
    }

    void log_window() {
        ordered_json line = {{"step", state_.step}, {"epoch", epoch()}};
        for (const auto& [name, value] : logged(window_.metrics, window_.units)) line[name] = value;
        line["lr"] = last_lr_;
        line["grad_norm"] = window_.grad_norm;
        line["tokens_per_s"] = window_.seconds > 0 ? window_.tokens / window_.seconds : 0.0;
        if (options_.group) line["reduce_share"] = window_.seconds > 0 ? window_.reduce_seconds / window_.seconds : 0.0;
        write_metrics(line);
        window_ = Window::from_json(nlohmann::json::object(), names_.size());
    }

    /** PPO's policy on the evaluation suites of eval_data: evals/step-N/results.json and a metrics line. */
    void evaluate_suites() {
        c10::NoGradGuard no_grad;
        model_->set_training(false);
        EvalRequest request;
        request.data_dir = config_.eval_data;
        request.format = ContextFormat(format_.chat);  // the policy is asked as it is trained
        NoProgress quiet;
        const ordered_json results = run_evaluation(*model_, *tokenizer_, request, quiet, options_.group);
        if (!writes()) return;
        const fs::path dir = options_.run_dir / "evals" / ("step-" + std::to_string(state_.step));
        fs::create_directories(dir);
        write_file_atomically(dir / "results.json", results.dump(2) + "\n");
        if (options_.on_evaluation) options_.on_evaluation(state_.step, results);
        ordered_json line = {{"step", state_.step}, {"epoch", epoch()}};
        for (const auto& [name, value] : results["metrics"].items()) line["eval/" + name] = value;
        write_metrics(line);
    }

    void evaluate() {
        if (samples_completions(config_.stage)) return evaluate_suites();
        c10::NoGradGuard no_grad;
        model_->set_training(false);
        // The eval rows have no precomputed reference: their objective scores it as it goes.
        if (!eval_objective_) eval_objective_ = make_objective(config_, *model_, pad_id_, nullptr);
        std::vector<double> sums(names_.size(), 0.0);
        double units = 0;
        std::size_t index = 0;  // of the batch: ranks take every world()-th
        for (std::size_t start = 0; start < eval_examples_.size(); start += static_cast<std::size_t>(config_.batch_size), ++index) {
            if (static_cast<int>(index % static_cast<std::size_t>(world())) != rank()) continue;
            MicroBatch batch;
            for (std::size_t i = start; i < std::min(eval_examples_.size(), start + static_cast<std::size_t>(config_.batch_size)); ++i) {
                batch.examples.push_back(&eval_examples_[i]);
                batch.rows.push_back(-1);
            }
            units += eval_objective_->units(batch);
            const std::vector<double> values = eval_objective_->sums(batch).values();
            for (std::size_t m = 0; m < names_.size(); ++m) sums[m] += values[m];
        }
        if (options_.group) {
            sums.push_back(units);
            at::Tensor all = at::tensor(sums, at::kDouble);
            options_.group->sum({all});
            sums.assign(all.data_ptr<double>(), all.data_ptr<double>() + all.numel());
            units = sums.back();
            sums.pop_back();
        }
        ordered_json line = {{"step", state_.step}, {"epoch", epoch()}};
        for (const auto& [name, value] : eval_objective_->logged(sums, units)) line["eval/" + name] = value;
        write_metrics(line);
    }

    void checkpoint() {
        if (!writes()) return;
        const fs::path metrics = options_.run_dir / "metrics.jsonl";
        state_.metrics_bytes = fs::exists(metrics) ? fs::file_size(metrics) : 0;
        state_.window = window_.to_json();
        state_.optimizer_steps = optimizer_->steps();
        std::vector<ExtraTensors> extra;
        if (samples_completions(config_.stage)) {
            const fs::path samples = options_.run_dir / "samples.jsonl";
            state_.extra = ppo_ ? ppo_->state() : nlohmann::json::object();
            state_.extra["samples_bytes"] = fs::exists(samples) ? fs::file_size(samples) : 0;
        }
        if (ppo_) extra.push_back(ppo_->value_head_tensors());
        save_checkpoint(options_.run_dir, *model_, *optimizer_, state_, config_.model, extra);
        resumed_or_saved_ = (options_.run_dir / "checkpoints" / ("step-" + std::to_string(state_.step))).string();
    }

    void write_adapter() {
        const fs::path final_dir = options_.run_dir / "adapter", partial = options_.run_dir / ".adapter.partial";
        fs::remove_all(partial);
        model_->save_adapter(partial, config_.model);
        if (ppo_) {
            const ExtraTensors head = ppo_->value_head_tensors();
            write_safetensors(partial / head.file, head.tensors, {{"format", "pt"}});
        }
        fs::remove_all(final_dir);
        fs::rename(partial, final_dir);
    }

    TrainSummary loop() {
        const std::int64_t stop = std::min(total_steps_, options_.stop_at.value_or(total_steps_));
        if (options_.progress) {
            const auto steps = static_cast<std::size_t>(total_steps_);
            options_.progress->plan({{kTrainingStepsStage, steps, static_cast<double>(steps)}});
            options_.progress->start(kTrainingStepsStage, steps);
        }
        if (!resumed_from_.empty()) resumed_or_saved_ = resumed_from_.string();
        try {
            while (state_.step < stop) {
                step();
                const bool last = state_.step == total_steps_;
                if (state_.step % config_.log_every == 0 || last) log_window();
                if (has_eval() && ((config_.eval_every > 0 && state_.step % config_.eval_every == 0) || last)) evaluate();
                if (state_.step % config_.save_every == 0 || last || state_.step == stop || stopping_) checkpoint();
                if (options_.progress) options_.progress->advance(static_cast<std::size_t>(state_.step));
                if (stopping_ && !last) break;
            }
        } catch (const c10::Error& e) {
            const std::string what = e.what();
            if (what.find("out of memory") == std::string::npos) throw;
            const TrainEstimate estimate = estimate_training(model_->config(), config_, model_->dtype(), 0);
            throw TrainingError("step " + std::to_string(state_.step + 1) + ": the device ran out of memory; this config needs about " +
                                memory_text(estimate.peak_bytes) + " at its peak (train CONFIG --estimate shows the parts). Lower batch_size or " +
                                "max_length, or raise grad_accum, and resume with --resume");
        }
        if (options_.progress) options_.progress->finish();
        TrainSummary summary{state_.step, total_steps_, state_.step == total_steps_, stopping_ && state_.step < total_steps_};
        if (summary.finished && writes()) write_adapter();
        return summary;
    }

    const TrainConfig& config_;
    TrainOptions options_;
    std::unique_ptr<TransformerModel> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    TextFormat format_;  ///< how texts are made: the template filled in, or the checkpoint's chat template
    std::int32_t pad_id_ = 0;
    std::vector<TrainExample> examples_, eval_examples_;
    std::optional<ReferenceLogps> reference_;
    std::unique_ptr<Objective> objective_, eval_objective_;
    std::optional<PpoStage> ppo_;
    std::optional<GroupRlStage> group_;
    std::unique_ptr<AdamW> optimizer_;
    std::vector<std::string> names_;
    ordered_json ranks_ = ordered_json::array();  ///< each rank's host and device, by rank
    std::int64_t micro_per_epoch_ = 1, total_steps_ = 1;
    std::vector<std::int64_t> order_;
    std::int64_t order_epoch_ = -1;
    TrainerState state_;
    nlohmann::json resumed_window_ = nlohmann::json::object();
    fs::path resumed_from_;
    std::string resumed_or_saved_;
    Window window_;
    double last_lr_ = 0;
    bool stopping_ = false;  ///< the step just taken is the last before a requested stop
};

}  // namespace

TrainSummary train(const TrainConfig& config, const TrainOptions& options) { return Run(config, options).go(); }

}  // namespace amalgam
