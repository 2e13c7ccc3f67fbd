#include "reference_model.h"

#include <cmath>
#include <fstream>
#include <map>
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
    Vec rms_norm(const Vec& x, const std::string& weight, double eps) {
        double ms = 0;
        for (double v : x) ms += v * v;
        ms /= x.size();
        const auto& g = w(weight);
        Vec y(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = g[i] * x[i] / std::sqrt(ms + eps);
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

    /** Attention of query t over keys 0..last (per head; kv heads shared by groups). */
    static Vec attend(const std::vector<Vec>& q, const std::vector<Vec>& k, const std::vector<Vec>& v, std::size_t t,
                      std::size_t last, int heads, int kv_heads) {
        int dim = int(q[t].size()) / heads;
        Vec out(q[t].size(), 0.0);
        for (int h = 0; h < heads; ++h) {
            int kh = h / (heads / kv_heads);
            std::vector<double> scores(last + 1);
            double top = -1e300;
            for (std::size_t s = 0; s <= last; ++s) {
                double dot = 0;
                for (int d = 0; d < dim; ++d) dot += q[t][h * dim + d] * k[s][kh * dim + d];
                scores[s] = dot / std::sqrt(double(dim));
                top = std::max(top, scores[s]);
            }
            double total = 0;
            for (double& s : scores) total += (s = std::exp(s - top));
            for (std::size_t s = 0; s <= last; ++s)
                for (int d = 0; d < dim; ++d) out[h * dim + d] += scores[s] / total * v[s][kh * dim + d];
        }
        return out;
    }

    void rope(Vec& x, int heads, int position) {
        int dim = int(x.size()) / heads, half = dim / 2;
        double theta = config.value("rope_theta", 10000.0);
        for (int i = 0; i < half; ++i) {
            double inv = 1.0 / std::pow(theta, 2.0 * i / dim);
            const bool scaled = config.contains("rope_scaling") && config["rope_scaling"].is_object();
            if (scaled && config["rope_scaling"].value("rope_type", "") == "linear") {
                inv /= config["rope_scaling"]["factor"].get<double>();
            } else if (scaled) {
                const auto& r = config["rope_scaling"];
                double factor = r["factor"], low = r["low_freq_factor"], high = r["high_freq_factor"];
                double old = r["original_max_position_embeddings"].get<double>();
                double wavelen = 2 * M_PI / inv;
                if (wavelen > old / low) inv /= factor;
                else if (wavelen >= old / high) {
                    double smooth = (old / wavelen - low) / (high - low);
                    inv = (1 - smooth) * inv / factor + smooth * inv;
                }
            }
            double c = std::cos(position * inv), s = std::sin(position * inv);
            for (int h = 0; h < heads; ++h) {
                double a = x[h * dim + i], b = x[h * dim + i + half];
                x[h * dim + i] = a * c - b * s;
                x[h * dim + i + half] = b * c + a * s;
            }
        }
    }

    std::vector<Vec> llama(const std::vector<int>& ids) {
        int H = cfg("hidden_size"), L = cfg("num_hidden_layers"), nh = cfg("num_attention_heads"), nkv = cfg("num_key_value_heads");
        double eps = config.value("rms_norm_eps", 1e-6);
        bool bias = config.value("attention_bias", false) || type == "qwen2";
        std::vector<Vec> x;
        for (int id : ids) x.push_back(row("embed_tokens.weight", id, H));
        for (int l = 0; l < L; ++l) {
            std::string p = "layers." + std::to_string(l) + ".";
            std::vector<Vec> q, k, v;
            for (std::size_t t = 0; t < x.size(); ++t) {
                Vec h = rms_norm(x[t], p + "input_layernorm.weight", eps);
                q.push_back(linear(p + "self_attn.q_proj.weight", h, bias ? p + "self_attn.q_proj.bias" : ""));
                k.push_back(linear(p + "self_attn.k_proj.weight", h, bias ? p + "self_attn.k_proj.bias" : ""));
                v.push_back(linear(p + "self_attn.v_proj.weight", h, bias ? p + "self_attn.v_proj.bias" : ""));
                rope(q[t], nh, int(t));
                rope(k[t], nkv, int(t));
            }
            for (std::size_t t = 0; t < x.size(); ++t) {
                Vec o = linear(p + "self_attn.o_proj.weight", attend(q, k, v, t, t, nh, nkv));
                for (int i = 0; i < H; ++i) x[t][i] += o[i];
                Vec h = rms_norm(x[t], p + "post_attention_layernorm.weight", eps);
                Vec g = linear(p + "mlp.gate_proj.weight", h), u = linear(p + "mlp.up_proj.weight", h);
                for (std::size_t i = 0; i < g.size(); ++i) g[i] = act(g[i], "silu") * u[i];
                Vec d = linear(p + "mlp.down_proj.weight", g);
                for (int i = 0; i < H; ++i) x[t][i] += d[i];
            }
        }
        std::string head = has("lm_head.weight") ? "lm_head.weight" : "embed_tokens.weight";
        for (auto& t : x) t = linear(head, rms_norm(t, "norm.weight", eps));
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
                Vec o = conv1d(p + "attn.c_proj.weight", attend(q, k, v, t, t, nh, nh), p + "attn.c_proj.bias");
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
                Vec a = linear(p + "attention.output.dense.weight", attend(q, k, v, t, x.size() - 1, nh, nh), p + "attention.output.dense.bias");
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
