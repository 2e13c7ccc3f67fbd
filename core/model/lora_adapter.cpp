// LoRA on TransformerModel: adding, merging, and PEFT-compatible saving and loading.
#include <cmath>
#include <fstream>
#include <iomanip>
#include <random>
#include <sstream>
#include <stdexcept>

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include "core/model_io/arch_table.h"
#include "core/model_io/safetensors.h"
#include "core/model/tensor_convert.h"
#include "core/model/transformer.h"
#include "core/util/atomic_file.h"
#include "core/util/json_error.h"

namespace amalgam {
namespace {

bool is_embedding(const std::string& name) {
    for (const char* part : {"embed", "wte.", "wpe."})
        if (name.find(part) != std::string::npos) return true;
    return false;
}

std::string last_component(const std::string& module) { return module.substr(module.rfind('.') + 1); }

/** Where PEFT keeps a sequence-classification head it trained in full (a module to save). */
const std::string kScoreHeadKey = "base_model.model.score";

/** [in, out] of a projection, whichever way it is stored. */
std::pair<std::int64_t, std::int64_t> in_out(const at::Tensor& weight, bool conv1d) {
    return conv1d ? std::pair{weight.size(0), weight.size(1)} : std::pair{weight.size(1), weight.size(0)};
}

}  // namespace

std::map<std::string, bool> TransformerModel::projection_modules() const {
    std::map<std::string, bool> out;
    const std::string suffix = ".weight";
    for (const auto& [name, w] : weights_) {
        if (w.dim() != 2 || is_embedding(name) || name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        out[name.substr(0, name.size() - suffix.size())] = config_.family == ModelFamily::Gpt2;
    }
    return out;
}

const LoraAdapter* TransformerModel::adapter() const {
    auto it = adapters_.find(active_);
    return it == adapters_.end() ? nullptr : &it->second;
}

LoraAdapter* TransformerModel::adapter() {
    auto it = adapters_.find(active_);
    return it == adapters_.end() ? nullptr : &it->second;
}

std::string TransformerModel::forward_identity() const {
    std::ostringstream id;
    id << std::setprecision(17) << "training " << training_;
    if (const LoraAdapter* a = applied_adapter()) {
        id << "; scaling " << a->config.scaling() << ", dropout " << a->config.dropout;
        for (const auto& [module, pair] : a->modules)
            for (const at::Tensor* t : {&pair.a, &pair.b})
                id << "; " << module << ' ' << t->data_ptr() << ' ' << t->sizes() << t->strides() << ' ' << t->scalar_type();
    }
    return id.str();
}

void TransformerModel::set_active_adapter(const std::string& name) {
    if (!name.empty() && !adapters_.count(name)) throw std::invalid_argument("the model has no adapter named '" + name + "'");
    unmerge_lora();  // the base weights hold no other adapter's update
    active_ = name;
}

void TransformerModel::add_lora(const LoraConfig& requested, std::uint64_t seed, const std::string& name) {
    LoraAdapter adapter;
    adapter.config = requested;
    if (adapter.config.target_modules.empty()) adapter.config.target_modules = default_lora_targets(config_);
    if (adapter.config.rank < 1) throw std::invalid_argument("LoRA rank must be at least 1");
    std::mt19937_64 rng(seed);
    for (const auto& [module, conv1d] : projection_modules()) {
        const auto& targets = adapter.config.target_modules;
        if (std::find(targets.begin(), targets.end(), last_component(module)) == targets.end()) continue;
        auto [in, out] = in_out(weight(module + ".weight"), conv1d);
        // PEFT: A ~ kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)); B = 0.
        std::uniform_real_distribution<float> uniform(-1.0f / std::sqrt(float(in)), 1.0f / std::sqrt(float(in)));
        std::vector<float> a(static_cast<std::size_t>(adapter.config.rank * in));
        for (float& v : a) v = uniform(rng);
        // float32, as PEFT keeps adapters of a half-precision model; float64 for gradient checks.
        const at::ScalarType type = widened_type(dtype_);
        LoraPair pair{at::from_blob(a.data(), {adapter.config.rank, in}, at::kFloat).to(device_, type, false, true),
                      at::zeros({out, adapter.config.rank}, at::TensorOptions().dtype(type).device(device_))};
        adapter.modules.emplace(module, std::move(pair));
    }
    if (adapter.modules.empty()) throw std::invalid_argument("no module of this model matches the LoRA target modules");
    set_active_adapter("");
    adapters_[name] = std::move(adapter);
    active_ = name;
}

void TransformerModel::fold_lora(double sign) {
    const LoraAdapter* active = adapter();
    if (!active) throw std::logic_error("the model has no active LoRA adapter");
    auto conv = projection_modules();
    c10::NoGradGuard no_grad;
    for (const auto& [module, pair] : active->modules) {
        at::Tensor delta = active->config.scaling() * at::matmul(pair.b, pair.a);  // [out, in]
        at::Tensor& w = weights_.at(module + ".weight");  // in place: it may be a view of joined rows
        w.copy_(w.to(delta.scalar_type()) + sign * (conv.at(module) ? delta.t() : delta));
    }
}

void TransformerModel::merge_lora() {
    if (adapter() && !adapter()->merged) {
        fold_lora(1.0);
        adapter()->merged = true;
    }
}

void TransformerModel::unmerge_lora() {
    if (adapter() && adapter()->merged) {
        fold_lora(-1.0);
        adapter()->merged = false;
    }
}

void TransformerModel::merge_and_unload() {
    merge_lora();
    adapters_.erase(active_);
    active_.clear();
}

void TransformerModel::save_adapter(const std::filesystem::path& dir, const std::string& base_model) const {
    const LoraAdapter* active = adapter();
    if (!active) throw std::logic_error("the model has no LoRA adapter to save");
    const LoraConfig& c = active->config;
    const std::optional<ScalarHead>& score_head = active->score_head;
    nlohmann::ordered_json config = {
        {"peft_type", "LORA"},
        {"task_type", score_head ? "SEQ_CLS" : config_.is_causal() ? "CAUSAL_LM" : "FEATURE_EXTRACTION"},
        {"base_model_name_or_path", base_model},
        {"r", c.rank},
        {"lora_alpha", c.alpha},
        {"lora_dropout", c.dropout},
        {"target_modules", c.target_modules},
        {"fan_in_fan_out", config_.family == ModelFamily::Gpt2},
        {"bias", "none"},
        {"modules_to_save", score_head ? nlohmann::ordered_json::array({"score"}) : nlohmann::ordered_json(nullptr)},
        {"init_lora_weights", true},
        {"inference_mode", true},
        {"use_rslora", false},
        {"use_dora", false}};
    std::vector<TensorData> tensors;
    for (const auto& [module, pair] : active->modules) {
        tensors.push_back(tensor_data(peft_key(config_, module, 'A'), pair.a));
        tensors.push_back(tensor_data(peft_key(config_, module, 'B'), pair.b));
    }
    if (score_head) {
        tensors.push_back(tensor_data(kScoreHeadKey + ".weight", score_head->weight));
        if (score_head->bias.defined()) tensors.push_back(tensor_data(kScoreHeadKey + ".bias", score_head->bias));
    }
    std::filesystem::create_directories(dir);
    write_safetensors(dir / "adapter_model.safetensors", tensors, {{"format", "pt"}});
    write_file_atomically(dir / "adapter_config.json", config.dump(2) + "\n");
}

void TransformerModel::load_adapter(const std::filesystem::path& dir, const std::string& name) {
    const std::string config_path = (dir / "adapter_config.json").string();
    std::ifstream in(config_path);
    if (!in) throw std::runtime_error(config_path + ": cannot open");
    LoraAdapter adapter;
    try {
        auto j = nlohmann::json::parse(in);
        if (j.value("peft_type", "") != "LORA") throw std::runtime_error(config_path + ": not a LoRA adapter (peft_type)");
        if (!j.at("r").is_number_integer() || j.at("r").get<std::int64_t>() < 1 || j.at("r").get<std::int64_t>() > 65536)
            throw std::runtime_error(config_path + ": r must be a whole number from 1 to 65536, not " + j.at("r").dump());
        adapter.config.rank = j.at("r").get<std::int64_t>();
        const nlohmann::json& alpha = j.at("lora_alpha");
        // The adapter's update is scaled by alpha / r: beyond a few thousand it only makes the outputs overflow.
        if (!alpha.is_number() || !(alpha.get<double>() > 0) || alpha.get<double>() / static_cast<double>(adapter.config.rank) > 4096)
            throw std::runtime_error(config_path + ": lora_alpha must be a positive number at most 4096 times r, not " + alpha.dump());
        adapter.config.alpha = alpha.get<double>();
        adapter.config.dropout = j.value("lora_dropout", 0.0);
        if (!j.at("target_modules").is_array()) throw std::runtime_error(config_path + ": target_modules must be a list of names");
        adapter.config.target_modules = j.at("target_modules").get<std::vector<std::string>>();
        if (j.value("use_dora", false) || j.value("use_rslora", false))
            throw std::runtime_error(config_path + ": DoRA and rsLoRA adapters are not supported");
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(config_path + ": malformed adapter config: " + json_error_text(e));
    }
    SafetensorsFile file(dir / "adapter_model.safetensors");
    auto modules = projection_modules();
    const std::string head = "base_model.model.";
    std::optional<ScalarHead>& score = adapter.score_head;
    if (file.tensors().count(kScoreHeadKey + ".weight")) {
        score = ScalarHead::load(file, kScoreHeadKey, config_.hidden_size);
        score->name = "score";
        score->weight = score->weight.to(device_);
        if (score->bias.defined()) score->bias = score->bias.to(device_);
    }
    for (const auto& [key, view] : file.tensors()) {
        if (score && key.rfind(kScoreHeadKey + ".", 0) == 0) continue;
        auto fail = [&](const std::string& why) { throw std::runtime_error(file.path() + ": tensor '" + key + "' " + why); };
        const bool is_a = key.size() > 14 && key.compare(key.size() - 14, 14, ".lora_A.weight") == 0;
        const bool is_b = key.size() > 14 && key.compare(key.size() - 14, 14, ".lora_B.weight") == 0;
        if (key.rfind(head, 0) != 0 || !(is_a || is_b)) fail("is not a LoRA A or B matrix");
        std::string module = key.substr(head.size(), key.size() - head.size() - 14);
        for (const auto& prefix : name_prefixes(config_))
            if (!prefix.empty() && module.rfind(prefix, 0) == 0) module = module.substr(prefix.size());
        auto m = modules.find(module);
        if (m == modules.end()) fail("names no projection of this " + config_.architecture);
        auto [in_dim, out_dim] = in_out(weight(module + ".weight"), m->second);
        std::vector<std::int64_t> expected = is_a ? std::vector<std::int64_t>{adapter.config.rank, in_dim}
                                                  : std::vector<std::int64_t>{out_dim, adapter.config.rank};
        if (view.shape != expected) fail("has the wrong shape for rank " + std::to_string(adapter.config.rank) + " on this model");
        (is_a ? adapter.modules[module].a : adapter.modules[module].b) = tensor_from_view(view).to(device_);
    }
    for (const auto& [module, pair] : adapter.modules)
        if (!pair.a.defined() || !pair.b.defined())
            throw std::runtime_error(file.path() + ": module '" + module + "' has only one of its A and B matrices");
    if (adapter.modules.empty()) throw std::runtime_error(file.path() + ": no LoRA matrices");
    set_active_adapter("");
    adapters_[name] = std::move(adapter);
    active_ = name;
}

}  // namespace amalgam
