#include "reference_model.h"

#include <cmath>
#include <fstream>
#include <map>
#include <utility>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/model_io/safetensors.h"

namespace amalgam::test {

using Vec = std::vector<double>;

struct ReferenceModel::Impl {
    nlohmann::json config;
    std::string type;
    std::unique_ptr<SafetensorsFile> file;
    std::map<std::string, std::vector<float>> cache;

    const std::vector<float>& w(const std::string& name) {
        for (const char* prefix : {"", "model.", "transformer.", "bert."}) {
            std::string full = prefix + name;
            if (auto it = cache.find(full); it != cache.end()) return it->second;
            if (auto t = file->tensors().find(full); t != file->tensors().end()) return cache[full] = t->second.to_float32();
        }
        throw std::runtime_error("reference: no tensor " + name);
    }
    bool has(const std::string& name) {
        for (const char* prefix : {"", "model.", "transformer.", "bert."})
            if (file->tensors().count(prefix + name)) return true;
        return false;
    }
    int cfg(const char* key) const { return config.at(key).get<int>(); }

    /** y = W x (+ b) with W [out, in] as nn.Linear stores it. */
    Vec linear(const std::string& weight, const Vec& x, const std::string& bias = "") {
        const auto& W = w(weight);
        std::size_t in = x.size(), out = W.size() / in;
        Vec y(out, 0.0);
        for (std::size_t o = 0; o < out; ++o) {
            double s = 0;
            for (std::size_t i = 0; i < in; ++i) s += double(W[o * in + i]) * x[i];
            y[o] = s;
        }
        if (!bias.empty()) {
            const auto& b = w(bias);
            for (std::size_t o = 0; o < out; ++o) y[o] += b[o];
        }
        return y;
    }
    /** y = x W + b with W [in, out] (GPT-2 Conv1D). */
    Vec conv1d(const std::string& weight, const Vec& x, const std::string& bias) {
        const auto& W = w(weight);
        const auto& b = w(bias);
        std::size_t in = x.size(), out = W.size() / in;
        Vec y(out);
        for (std::size_t o = 0; o < out; ++o) {
            double s = b[o];
            for (std::size_t i = 0; i < in; ++i) s += double(W[i * out + o]) * x[i];
            y[o] = s;
        }
        return y;
    }
    Vec layer_norm(const Vec& x, const std::string& prefix, double eps) {
        double mean = 0, var = 0;
        for (double v : x) mean += v;
        mean /= x.size();
        for (double v : x) var += (v - mean) * (v - mean);
        var /= x.size();
        const auto& g = w(prefix + "weight");
        const auto& b = w(prefix + "bias");
        Vec y(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - mean) / std::sqrt(var + eps) * g[i] + b[i];
        return y;
    }
    static double act(double v, const std::string& name) {
        if (name == "silu") return v / (1 + std::exp(-v));
        if (name == "gelu") return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
        return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));  // gelu_new
    }
    Vec row(const std::string& name, int index, int width) {
        const auto& E = w(name);
        return Vec(E.begin() + std::size_t(index) * width, E.begin() + std::size_t(index + 1) * width);
    }

    /** Attention of query t over keys first..last (per head; kv heads shared by groups), the
     *  scores scaled by `scale` and, with a `cap`, capped to cap tanh(s / cap). */
    static Vec attend(const std::vector<Vec>& q, const std::vector<Vec>& k, const std::vector<Vec>& v, std::size_t t, std::size_t first,
                      std::size_t last, int heads, int kv_heads, double scale = 0, double cap = 0) {
        int dim = int(q[t].size()) / heads;
        if (scale == 0) scale = 1 / std::sqrt(double(dim));
        Vec out(q[t].size(), 0.0);
        for (int h = 0; h < heads; ++h) {
            int kh = h / (heads / kv_heads);
            std::vector<double> scores(last + 1, 0.0);
            double top = -1e300;
            for (std::size_t s = first; s <= last; ++s) {
                double dot = 0;
                for (int d = 0; d < dim; ++d) dot += q[t][h * dim + d] * k[s][kh * dim + d];
                scores[s] = dot * scale;
                if (cap > 0) scores[s] = cap * std::tanh(scores[s] / cap);
                top = std::max(top, scores[s]);
            }
            double total = 0;
            for (std::size_t s = first; s <= last; ++s) total += (scores[s] = std::exp(scores[s] - top));
            for (std::size_t s = first; s <= last; ++s)
                for (int d = 0; d < dim; ++d) out[h * dim + d] += scores[s] / total * v[s][kh * dim + d];
        }
        return out;
    }

    /** The rotary angles' inverse frequencies of a RoPE dict (rope_scaling) over `dim` rotary
     *  dimensions for a text of `length` tokens, and the factor on cos and sin. */
    std::pair<Vec, double> frequencies(const nlohmann::json& r, double theta, int dim, int length) const {
        const std::string type = r.is_object() ? r.value("rope_type", r.value("type", std::string("default"))) : "default";
        const double max_positions = config.value("max_position_embeddings", 2048.0);
        Vec inv(dim / 2);
        for (int i = 0; i < dim / 2; ++i) inv[i] = 1.0 / std::pow(theta, 2.0 * i / dim);
        double attention_factor = 1;
        if (type == "linear") {
            for (double& f : inv) f /= r["factor"].get<double>();
        } else if (type == "llama3") {
            double factor = r["factor"], low = r["low_freq_factor"], high = r["high_freq_factor"];
            double old = r["original_max_position_embeddings"].get<double>();
            for (double& f : inv) {
                double wavelen = 2 * M_PI / f;
                if (wavelen > old / low) f /= factor;
                else if (wavelen >= old / high) {
                    double smooth = (old / wavelen - low) / (high - low);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
            }
        } else if (type == "yarn") {  // YaRN paper, section 3: a ramp between beta_slow and beta_fast rotations
            const double factor = r["factor"], original = r.value("original_max_position_embeddings", max_positions);
            const double fast = r.value("beta_fast", 32.0), slow = r.value("beta_slow", 1.0);
            auto dim_of = [&](double rotations) { return dim * std::log(original / (rotations * 2 * M_PI)) / (2 * std::log(theta)); };
            double lo = std::max(std::floor(dim_of(fast)), 0.0), hi = std::min(std::ceil(dim_of(slow)), double(dim - 1));
            if (lo == hi) hi += 0.001;
            for (int i = 0; i < dim / 2; ++i) {
                const double ramp = std::min(1.0, std::max(0.0, (i - lo) / (hi - lo)));
                inv[i] = inv[i] / factor * ramp + inv[i] * (1 - ramp);
            }
            attention_factor = r.contains("attention_factor") ? r["attention_factor"].get<double>() : 0.1 * std::log(factor) + 1;
        } else if (type == "dynamic") {  // NTK-aware: the base grows with a text beyond the context
            const double factor = r["factor"], n = std::max(double(length), max_positions);
            const double base = theta * std::pow(factor * n / max_positions - (factor - 1), double(dim) / (dim - 2));
            for (int i = 0; i < dim / 2; ++i) inv[i] = 1.0 / std::pow(base, 2.0 * i / dim);
        } else if (type == "longrope") {  // per-frequency factors, long ones beyond the original context
            const double original = config.value("original_max_position_embeddings", max_positions);
            const auto& factors = length > original ? r["long_factor"] : r["short_factor"];
            for (int i = 0; i < dim / 2; ++i) inv[i] /= factors[i].get<double>();
            const double scale = max_positions / original;
            attention_factor = r.contains("attention_factor") ? r["attention_factor"].get<double>()
                                                              : (scale <= 1 ? 1.0 : std::sqrt(1 + std::log(scale) / std::log(original)));
        }
        return {inv, attention_factor};
    }

    /** Rotates the first `dim` dimensions of each head of x at `position`. */
    static void rope(Vec& x, int heads, int position, int dim, const std::pair<Vec, double>& freq) {
        int head = int(x.size()) / heads, half = dim / 2;
        for (int i = 0; i < half; ++i) {
            double c = std::cos(position * freq.first[i]) * freq.second, s = std::sin(position * freq.first[i]) * freq.second;
            for (int h = 0; h < heads; ++h) {
                double a = x[h * head + i], b = x[h * head + i + half];
                x[h * head + i] = a * c - b * s;
                x[h * head + i + half] = b * c + a * s;
            }
        }
    }

    /** RMSNorm of each `groups` part of x on its own (per-head norms), by w or by (1 + w). */
    Vec norm(const Vec& x, const std::string& weight, double eps, bool plus_one, int groups = 1) {
        const auto& g = w(weight);
        const std::size_t n = x.size() / groups;
        Vec y(x.size());
        for (int part = 0; part < groups; ++part) {
            double ms = 0;
            for (std::size_t i = 0; i < n; ++i) ms += x[part * n + i] * x[part * n + i];
            ms /= n;
            for (std::size_t i = 0; i < n; ++i) y[part * n + i] = (plus_one ? 1 + g[i] : g[i]) * x[part * n + i] / std::sqrt(ms + eps);
        }
        return y;
    }

    static void add(Vec& x, const Vec& y) {
        for (std::size_t i = 0; i < x.size(); ++i) x[i] += y[i];
    }

    /** LlamaForCausalLM and its relatives as each model's paper and reference code define them,
     *  told apart by model_type and config.json's keys (transformers 4's layout). */
    std::vector<Vec> llama(const std::vector<int>& ids) {
        const int H = cfg("hidden_size"), L = cfg("num_hidden_layers"), nh = cfg("num_attention_heads"), nkv = cfg("num_key_value_heads");
        const int hd = config.value("head_dim", H / nh), T = int(ids.size());
        const double eps = config.value("rms_norm_eps", 1e-6);
        const bool gemma = type == "gemma2" || type == "gemma3_text", phi3 = type == "phi3", olmo2 = type == "olmo2";
        const bool qkv_bias = config.value("attention_bias", false) || type == "qwen2", o_bias = config.value("attention_bias", false) && type != "qwen2";
        const bool head_norm = type == "qwen3" || type == "gemma3_text";
        const int rotary = int(hd * config.value("partial_rotary_factor", 1.0));
        const double scale = gemma ? 1 / std::sqrt(config["query_pre_attn_scalar"].get<double>()) : 0;
        const double cap = gemma && config["attn_logit_softcapping"].is_number() ? config["attn_logit_softcapping"].get<double>() : 0;
        const int window = config.contains("sliding_window") && config["sliding_window"].is_number() ? config["sliding_window"].get<int>() : 0;
        const auto global = frequencies(config.value("rope_scaling", nlohmann::json()), config.value("rope_theta", 10000.0), rotary, T);
        const auto local = type == "gemma3_text" ? frequencies(nlohmann::json(), config.value("rope_local_base_freq", 10000.0), rotary, T) : global;
        std::vector<Vec> x;
        for (int id : ids) {
            x.push_back(row("embed_tokens.weight", id, H));
            if (gemma)
                for (double& e : x.back()) e *= std::sqrt(double(H));
        }
        for (int l = 0; l < L; ++l) {
            std::string p = "layers." + std::to_string(l) + ".";
            const bool sliding = window > 0 && (!config.contains("layer_types") || config["layer_types"][l] == "sliding_attention");
            const bool nope = config.contains("no_rope_layers") && config["no_rope_layers"][l].get<int>() == 0;
            std::vector<Vec> q, k, v;
            for (std::size_t t = 0; t < x.size(); ++t) {
                Vec h = olmo2 ? x[t] : norm(x[t], p + "input_layernorm.weight", eps, gemma);
                if (phi3) {  // one qkv_proj: q, then k, then v rows
                    Vec qkv = linear(p + "self_attn.qkv_proj.weight", h);
                    q.emplace_back(qkv.begin(), qkv.begin() + nh * hd);
                    k.emplace_back(qkv.begin() + nh * hd, qkv.begin() + (nh + nkv) * hd);
                    v.emplace_back(qkv.begin() + (nh + nkv) * hd, qkv.end());
                } else {
                    q.push_back(linear(p + "self_attn.q_proj.weight", h, qkv_bias ? p + "self_attn.q_proj.bias" : ""));
                    k.push_back(linear(p + "self_attn.k_proj.weight", h, qkv_bias ? p + "self_attn.k_proj.bias" : ""));
                    v.push_back(linear(p + "self_attn.v_proj.weight", h, qkv_bias ? p + "self_attn.v_proj.bias" : ""));
                }
                if (olmo2) {
                    q[t] = norm(q[t], p + "self_attn.q_norm.weight", eps, false);
                    k[t] = norm(k[t], p + "self_attn.k_norm.weight", eps, false);
                }
                if (head_norm) {
                    q[t] = norm(q[t], p + "self_attn.q_norm.weight", eps, gemma, nh);
                    k[t] = norm(k[t], p + "self_attn.k_norm.weight", eps, gemma, nkv);
                }
                if (!nope) {
                    rope(q[t], nh, int(t), rotary, sliding ? local : global);
                    rope(k[t], nkv, int(t), rotary, sliding ? local : global);
                }
            }
            for (std::size_t t = 0; t < x.size(); ++t) {
                const std::size_t first = sliding && int(t) >= window ? t - window + 1 : 0;
                Vec o = linear(p + "self_attn.o_proj.weight", attend(q, k, v, t, first, t, nh, nkv, scale, cap), o_bias ? p + "self_attn.o_proj.bias" : "");
                if (gemma || olmo2) o = norm(o, p + "post_attention_layernorm.weight", eps, gemma);
                add(x[t], o);
                Vec h = olmo2 ? x[t] : norm(x[t], p + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"), eps, gemma);
                Vec g, u;
                if (phi3) {
                    Vec gu = linear(p + "mlp.gate_up_proj.weight", h);
                    g.assign(gu.begin(), gu.begin() + gu.size() / 2);
                    u.assign(gu.begin() + gu.size() / 2, gu.end());
                } else {
                    g = linear(p + "mlp.gate_proj.weight", h);
                    u = linear(p + "mlp.up_proj.weight", h);
                }
                for (std::size_t i = 0; i < g.size(); ++i) g[i] = act(g[i], gemma ? "gelu_new" : "silu") * u[i];
                Vec d = linear(p + "mlp.down_proj.weight", g);
                if (gemma || olmo2) d = norm(d, p + "post_feedforward_layernorm.weight", eps, gemma);
                add(x[t], d);
            }
        }
        const double final_cap = gemma && config["final_logit_softcapping"].is_number() ? config["final_logit_softcapping"].get<double>() : 0;
        std::string head = has("lm_head.weight") ? "lm_head.weight" : "embed_tokens.weight";
        for (auto& t : x) {
            t = linear(head, norm(t, "norm.weight", eps, gemma));
            if (final_cap > 0)
                for (double& z : t) z = final_cap * std::tanh(z / final_cap);
        }
        return x;
    }

    std::vector<Vec> gpt2(const std::vector<int>& ids) {
        int H = cfg("n_embd"), L = cfg("n_layer"), nh = cfg("n_head");
        double eps = config.value("layer_norm_epsilon", 1e-5);
        std::vector<Vec> x;
        for (std::size_t t = 0; t < ids.size(); ++t) {
            Vec e = row("wte.weight", ids[t], H), p = row("wpe.weight", int(t), H);
            for (int i = 0; i < H; ++i) e[i] += p[i];
            x.push_back(e);
        }
        for (int l = 0; l < L; ++l) {
            std::string p = "h." + std::to_string(l) + ".";
            std::vector<Vec> q, k, v;
            for (auto& t : x) {
                Vec qkv = conv1d(p + "attn.c_attn.weight", layer_norm(t, p + "ln_1.", eps), p + "attn.c_attn.bias");
                q.emplace_back(qkv.begin(), qkv.begin() + H);
                k.emplace_back(qkv.begin() + H, qkv.begin() + 2 * H);
                v.emplace_back(qkv.begin() + 2 * H, qkv.end());
            }
            for (std::size_t t = 0; t < x.size(); ++t) {
                Vec o = conv1d(p + "attn.c_proj.weight", attend(q, k, v, t, 0, t, nh, nh), p + "attn.c_proj.bias");
                for (int i = 0; i < H; ++i) x[t][i] += o[i];
                Vec m = conv1d(p + "mlp.c_fc.weight", layer_norm(x[t], p + "ln_2.", eps), p + "mlp.c_fc.bias");
                for (double& a : m) a = act(a, "gelu_new");
                Vec d = conv1d(p + "mlp.c_proj.weight", m, p + "mlp.c_proj.bias");
                for (int i = 0; i < H; ++i) x[t][i] += d[i];
            }
        }
        for (auto& t : x) t = linear("wte.weight", layer_norm(t, "ln_f.", eps));
        return x;
    }

    Vec bert(const std::vector<int>& ids) {
        int H = cfg("hidden_size"), L = cfg("num_hidden_layers"), nh = cfg("num_attention_heads");
        double eps = config.value("layer_norm_eps", 1e-12);
        std::vector<Vec> x;
        for (std::size_t t = 0; t < ids.size(); ++t) {
            Vec e = row("embeddings.word_embeddings.weight", ids[t], H), p = row("embeddings.position_embeddings.weight", int(t), H),
                y = row("embeddings.token_type_embeddings.weight", 0, H);
            for (int i = 0; i < H; ++i) e[i] += p[i] + y[i];
            x.push_back(layer_norm(e, "embeddings.LayerNorm.", eps));
        }
        for (int l = 0; l < L; ++l) {
            std::string p = "encoder.layer." + std::to_string(l) + ".";
            std::vector<Vec> q, k, v;
            for (auto& t : x) {
                q.push_back(linear(p + "attention.self.query.weight", t, p + "attention.self.query.bias"));
                k.push_back(linear(p + "attention.self.key.weight", t, p + "attention.self.key.bias"));
                v.push_back(linear(p + "attention.self.value.weight", t, p + "attention.self.value.bias"));
            }
            std::vector<Vec> next;
            for (std::size_t t = 0; t < x.size(); ++t) {
                Vec a = linear(p + "attention.output.dense.weight", attend(q, k, v, t, 0, x.size() - 1, nh, nh), p + "attention.output.dense.bias");
                for (int i = 0; i < H; ++i) a[i] += x[t][i];
                a = layer_norm(a, p + "attention.output.LayerNorm.", eps);
                Vec m = linear(p + "intermediate.dense.weight", a, p + "intermediate.dense.bias");
                for (double& z : m) z = act(z, "gelu");
                Vec o = linear(p + "output.dense.weight", m, p + "output.dense.bias");
                for (int i = 0; i < H; ++i) o[i] += a[i];
                next.push_back(layer_norm(o, p + "output.LayerNorm.", eps));
            }
            x = next;
        }
        Vec pooled(H, 0.0);
        for (auto& t : x)
            for (int i = 0; i < H; ++i) pooled[i] += t[i] / x.size();
        double norm = 0;
        for (double v : pooled) norm += v * v;
        for (double& v : pooled) v /= std::sqrt(norm);
        return pooled;
    }
};

ReferenceModel::ReferenceModel(const std::filesystem::path& dir) : impl_(new Impl) {
    std::ifstream in(dir / "config.json");
    impl_->config = nlohmann::json::parse(in);
    impl_->type = impl_->config.at("model_type").get<std::string>();
    impl_->file = std::make_unique<SafetensorsFile>(dir / "model.safetensors");
}

ReferenceModel::~ReferenceModel() { delete impl_; }

std::vector<std::vector<float>> ReferenceModel::logits(const std::vector<int>& ids) const {
    auto rows = impl_->type == "gpt2" ? impl_->gpt2(ids) : impl_->llama(ids);
    std::vector<std::vector<float>> out;
    for (const auto& r : rows) out.emplace_back(r.begin(), r.end());
    return out;
}

std::vector<float> ReferenceModel::sentence_embedding(const std::vector<int>& ids) const {
    Vec e = impl_->bert(ids);
    return std::vector<float>(e.begin(), e.end());
}

}  // namespace amalgam::test
