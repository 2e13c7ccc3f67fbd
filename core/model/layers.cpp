#include "core/model/layers.h"

#include "core/model/precision.h"
#include "core/util/blas_kernels.h"

#include <c10/core/GradMode.h>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <torch/version.h>

namespace amalgam::layers {
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps, bool plus_one) {
    if (plus_one) {
        const at::Tensor xf = x.to(at::kFloat);
        return (xf * at::rsqrt(xf.pow(2).mean({-1}, true) + eps) * (1.0 + weight.to(at::kFloat))).to(x.scalar_type());
    }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 10)
    // On CUDA one fused kernel where the formula below launches eight: a Llama decoding step runs
    // two norms a layer, so these launches were a third of the step's. It rounds to the model's
    // type once, after the weight, where the formula rounds before the weight too.
    if (x.is_cuda() && weight.scalar_type() == x.scalar_type()) return std::get<0>(at::_fused_rms_norm(x, {x.size(-1)}, weight, eps));
#endif
    at::Tensor xf = x.to(widened_type(x.scalar_type()));
    at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean({-1}, true) + eps);
    return weight * normed.to(x.scalar_type());
}

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps) {
    if (widened_type(x.scalar_type()) == x.scalar_type()) return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
    // In float: more precise, and on CPU several times faster than the bfloat16 kernel.
    return at::layer_norm(x.to(at::kFloat), {x.size(-1)}, weight.to(at::kFloat), bias.to(at::kFloat), eps).to(x.scalar_type());
}

at::Tensor activation(const at::Tensor& x, Activation a) {
    switch (a) {
        case Activation::Silu: return at::silu(x);
        case Activation::Gelu: return at::gelu(x);
        case Activation::GeluTanh: return 0.5 * x * (1.0 + at::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * at::pow(x, 3.0))));
        case Activation::Relu: return at::relu(x);
    }
    throw std::logic_error("unknown activation");
}

at::Tensor positions_from_mask(const at::Tensor& mask, std::int64_t new_tokens) {
    at::Tensor positions = mask.to(at::kLong).cumsum(-1) - 1;
    positions = positions.clamp_min(0);
    return positions.slice(1, mask.size(1) - new_tokens);
}

at::Tensor attention_bias(const at::Tensor& mask, std::int64_t new_tokens, bool causal, at::ScalarType dtype, std::int64_t window) {
    const std::int64_t batch = mask.size(0), total = mask.size(1), past = total - new_tokens;
    at::Tensor allowed = mask.to(at::kBool).view({batch, 1, 1, total}).expand({batch, 1, new_tokens, total});
    if (causal) {
        at::Tensor query = at::arange(past, total, mask.options().dtype(at::kLong)).view({new_tokens, 1});
        at::Tensor key = at::arange(0, total, mask.options().dtype(at::kLong)).view({1, total});
        allowed = allowed.logical_and(key.le(query).view({1, 1, new_tokens, total}));
    }
    if (window > 0) {  // by real positions, so that padding moves no window
        const at::Tensor positions = mask.to(at::kLong).cumsum(-1);
        const at::Tensor back = positions.slice(1, past).unsqueeze(-1) - positions.unsqueeze(1);  // [batch, new, total]
        allowed = allowed.logical_and(back.lt(window).view({batch, 1, new_tokens, total}));
    }
    at::Tensor bias = at::zeros(allowed.sizes(), mask.options().dtype(dtype));
    const double blocked = dtype == at::kHalf ? -65504.0 : -1e30;  // float16 holds no -1e30: it would be -inf
    return bias.masked_fill(allowed.logical_not(), blocked);
}

namespace {

/** q [batch, heads, tokens, head_dim] as [batch, kv_heads, group * tokens, head_dim]: the query
 *  heads that share a key/value head become rows of one product with it, so that grouped keys
 *  and values are read in place, never repeated. */
at::Tensor grouped_queries(const at::Tensor& q, std::int64_t kv_heads) {
    return q.reshape({q.size(0), kv_heads, q.size(1) / kv_heads * q.size(2), q.size(3)});
}

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
/** Keeps libtorch from choosing cuDNN's attention for its scope, as torch.backends.cuda's
 *  enable_cudnn_sdp(False) does: flash attention then runs where there is no bias, the
 *  memory-efficient kernel where there is one, forward and backward. cuDNN's, libtorch 2.11's
 *  choice on Hopper, costs two ways here:
 *  - it builds an execution plan for every new shape, tens of milliseconds each, and our
 *    batches come in many shapes (a training or scoring batch is as wide as its longest row,
 *    a decoding cache as its prompts and steps);
 *  - its backward with a bias gives NaN query gradients where a query row's logsumexp is below
 *    ln(FLT_MAX) and the keys number 64 past a multiple of 128 (pytorch#196678), and a padding
 *    query of a left-padded batch, which may look at no key, has the lowest logsumexp there is. */
class WithoutCudnnAttention {
public:
    WithoutCudnnAttention() : was_enabled_(at::globalContext().userEnabledCuDNNSDP()) { at::globalContext().setSDPUseCuDNN(false); }
    ~WithoutCudnnAttention() { at::globalContext().setSDPUseCuDNN(was_enabled_); }
    WithoutCudnnAttention(const WithoutCudnnAttention&) = delete;
    WithoutCudnnAttention& operator=(const WithoutCudnnAttention&) = delete;

private:
    bool was_enabled_;
};
#endif

#if TORCH_VERSION_MAJOR < 2
/** The attention of float32 CPU tensors outside autograd, with one BLAS call per key/value head
 *  for each of its two products, made as ATen 1.13's bmm makes them for the grouped queries (the
 *  same routine, transposes and operands), so the same bits, without bmm's three tensors made
 *  per matrix: those took two thirds of a tiny model's decoding step. Undefined where this does
 *  not apply (bmm then takes its own kernel). */
at::Tensor attention_by_blas(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias) {
    const Sgemm sgemm = blas_sgemm();
    const std::int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3), kv_heads = k.size(1), keys = k.size(2);
    const std::int64_t rows = heads / kv_heads * q.size(2);  // a key/value head's queries
    const bool applies = sgemm && q.device().is_cpu() && q.scalar_type() == at::kFloat && k.scalar_type() == at::kFloat &&
                         v.scalar_type() == at::kFloat && !(at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad())) &&
                         k.stride(3) == 1 && v.stride(3) == 1 && k.stride(2) >= dim && v.stride(2) >= dim && keys > 1 && dim > 1 &&
                         rows * keys * dim >= 400 && heads % kv_heads == 0 && k.stride(2) <= INT32_MAX && v.stride(2) <= INT32_MAX;
    if (!applies) return {};
    const at::Tensor query = q.contiguous();  // [batch, kv_heads, rows, dim] in memory
    at::Tensor scores = at::empty({batch, heads, q.size(2), keys}, q.options());
    at::Tensor out = at::empty_like(query);
    const int m = static_cast<int>(rows), t = static_cast<int>(keys), d = static_cast<int>(dim);
    const int k_rows = static_cast<int>(k.stride(2)), v_rows = static_cast<int>(v.stride(2));
    const float one = 1, zero = 0;
    const float *qp = query.data_ptr<float>(), *kp = k.data_ptr<float>(), *vp = v.data_ptr<float>();
    float* sp = scores.data_ptr<float>();
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t h = 0; h < kv_heads; ++h) {  // scores = q kᵀ: ATen passes kᵀ as k transposed, first
            const std::int64_t i = b * kv_heads + h;
            sgemm("t", "n", &t, &m, &d, &one, kp + b * k.stride(0) + h * k.stride(1), &k_rows, qp + i * rows * dim, &d, &zero,
                  sp + i * rows * keys, &t);
        }
    scores = scores / std::sqrt(static_cast<double>(dim));
    const at::Tensor weights = at::softmax(scores + bias, -1, widened_type(q.scalar_type())).to(q.scalar_type());
    const float* wp = weights.data_ptr<float>();
    float* op = out.data_ptr<float>();
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t h = 0; h < kv_heads; ++h) {  // out = weights v: v first
            const std::int64_t i = b * kv_heads + h;
            sgemm("n", "n", &d, &m, &t, &one, vp + b * v.stride(0) + h * v.stride(1), &v_rows, wp + i * rows * keys, &t, &zero,
                  op + i * rows * dim, &d);
        }
    return out;
}
#endif

}  // namespace

namespace {

/** Attention whose scores are capped, c tanh(s / c), before the bias: no fused kernel takes that. */
at::Tensor capped_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, at::Tensor bias, double scale, double cap) {
    const std::int64_t batch = q.size(0), kv_heads = k.size(1), group = q.size(1) / kv_heads, tokens = q.size(2), keys = k.size(2);
    if (!bias.defined()) bias = attention_bias(at::ones({1, tokens}, q.options().dtype(at::kLong)), tokens, true, q.scalar_type());
    const at::Tensor scores = at::matmul(grouped_queries(q, kv_heads), k.transpose(-2, -1)).to(at::kFloat) * scale;
    const at::Tensor capped = at::tanh(scores / cap) * cap;
    const at::Tensor weights = at::softmax(capped.view({batch, kv_heads, group, tokens, keys}) + bias.unsqueeze(2).to(at::kFloat), -1).to(q.scalar_type());
    return at::matmul(weights.view({batch, kv_heads, group * tokens, keys}), v).view(q.sizes());
}

}  // namespace

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias, const ScoreScaling& scaling) {
    const double natural = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
    const double scale = scaling.scale > 0 ? scaling.scale : natural;
    if (scaling.softcap > 0) return capped_attention(q, k, v, bias, scale, scaling.softcap);
    // The kernels divide by sqrt(head_dim): another scale is the queries'.
    if (scale != natural) return attention(q * (scale / natural), k, v, bias);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
    std::optional<WithoutCudnnAttention> without_cudnn;
    if (q.is_cuda()) without_cudnn.emplace();
    // Plain causal attention (training) takes grouped keys and values as they are, which the fused
    // kernels support (flash attention on CUDA).
    if (!bias.defined()) return at::scaled_dot_product_attention(q, k, v, c10::nullopt, 0.0, true, c10::nullopt, k.size(1) != q.size(1));
#else
    if (!bias.defined()) {  // causal over as many keys as queries
        const at::Tensor all_keys = at::ones({1, q.size(2)}, q.options().dtype(at::kLong));
        return attention(q, k, v, attention_bias(all_keys, q.size(2), true, q.scalar_type()));
    }
#endif
    const std::int64_t batch = q.size(0), heads = q.size(1), kv_heads = k.size(1), group = heads / kv_heads, tokens = q.size(2),
                       keys = k.size(2), dim = q.size(3);
#if TORCH_VERSION_MAJOR >= 2
    // With a bias the memory-efficient kernel runs, which takes no grouped keys and values. Each
    // group's query heads become rows wherever that copies fewer values than repeating the keys
    // and values would: the rows' bias is a copy of the bias for every head of a group (a view
    // for one query, as in decoding), and the rows a copy of q and of the output. Queries
    // shorter than their keys (decoding, scoring after a cached context) fold; a whole padded
    // text repeats.
    if (group == 1) return at::scaled_dot_product_attention(q, k, v, bias, 0.0, false);
    if (tokens == 1 || group * tokens * keys + 2 * heads * tokens * dim < 2 * heads * keys * dim) {
        const at::Tensor rows_bias = bias.unsqueeze(2).expand({batch, 1, group, tokens, keys}).reshape({batch, 1, group * tokens, keys});
        return at::scaled_dot_product_attention(grouped_queries(q, kv_heads), k, v, rows_bias, 0.0, false).reshape(q.sizes());
    }
    return at::scaled_dot_product_attention(q, k.repeat_interleave(group, 1), v.repeat_interleave(group, 1), bias, 0.0, false);
#else
    if (at::Tensor out = attention_by_blas(q, k, v, bias); out.defined()) return out;
    // Scores [batch, kv_heads, group, tokens, keys] take the bias [batch, 1, 1, tokens, keys] as a
    // broadcast view.
    const at::Tensor scores = at::matmul(grouped_queries(q, kv_heads), k.transpose(-2, -1)) / std::sqrt(static_cast<double>(dim));
    const at::Tensor weights = at::softmax(scores.view({batch, kv_heads, group, tokens, keys}) + bias.unsqueeze(2), -1, widened_type(q.scalar_type()))
                                   .to(q.scalar_type());  // accumulate in float
    return at::matmul(weights.view({batch, kv_heads, group * tokens, keys}), v).view(q.sizes());
#endif
}

namespace {

/** The plain inverse frequencies base^(-2i/dim) (float32). */
at::Tensor plain_frequencies(double base, std::int64_t dim, const at::TensorOptions& options) {
    return 1.0 / at::pow(base, at::arange(0, dim, 2, options.dtype(at::kFloat)) / double(dim));
}

at::Tensor llama3_frequencies(const Rope& rope, at::Tensor inv_freq) {
    const double old_len = static_cast<double>(rope.original_max_position_embeddings);
    const double low_wavelen = old_len / rope.low_freq_factor, high_wavelen = old_len / rope.high_freq_factor;
    at::Tensor wavelen = 2 * M_PI / inv_freq;
    at::Tensor scaled = at::where(wavelen > low_wavelen, inv_freq / rope.factor, inv_freq);
    at::Tensor smooth = (old_len / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
    at::Tensor smoothed = (1 - smooth) * scaled / rope.factor + smooth * scaled;
    at::Tensor medium = (wavelen >= high_wavelen).logical_and(wavelen <= low_wavelen);
    return at::where(medium, smoothed, scaled);
}

/** YaRN: the frequencies that turn fewer than beta_slow times over the original context are
 *  interpolated (divided by the factor), those that turn more than beta_fast times kept, with a
 *  linear ramp over the dimensions between. */
at::Tensor yarn_frequencies(const Rope& rope, std::int64_t dim, const at::TensorOptions& options) {
    const double base = rope.theta, context = static_cast<double>(rope.original_max_position_embeddings);
    auto correction_dim = [&](double rotations) { return dim * std::log(context / (rotations * 2 * M_PI)) / (2 * std::log(base)); };
    double low = correction_dim(rope.beta_fast), high = correction_dim(rope.beta_slow);
    if (rope.truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, static_cast<double>(dim - 1));
    if (low == high) high += 0.001;
    const at::Tensor extrapolation = plain_frequencies(base, dim, options);
    const at::Tensor ramp = ((at::arange(dim / 2, options.dtype(at::kFloat)) - low) / (high - low)).clamp(0, 1);
    const at::Tensor kept = 1 - ramp;  // the share of the extrapolated (unscaled) frequency
    return extrapolation / rope.factor * (1 - kept) + extrapolation * kept;
}

}  // namespace

Rotary::Rotary(const Rope& rope, std::int64_t dim, std::int64_t max_positions, const at::TensorOptions& options)
    : rope_(rope), dim_(dim), max_positions_(max_positions) {
    const at::Tensor plain = plain_frequencies(rope.theta, dim, options);
    switch (rope.type) {
        case RopeType::Default:
        case RopeType::Dynamic: inverse_ = plain; break;
        case RopeType::Linear: inverse_ = plain / rope.factor; break;
        case RopeType::Llama3: inverse_ = llama3_frequencies(rope, plain); break;
        case RopeType::Yarn: inverse_ = yarn_frequencies(rope, dim, options); break;
        case RopeType::LongRope: {
            auto factors = [&](const std::vector<double>& f) { return at::tensor(f, options.dtype(at::kDouble)).to(at::kFloat); };
            inverse_ = plain / factors(rope.short_factor);
            long_inverse_ = plain / factors(rope.long_factor);
            break;
        }
    }
}

at::Tensor Rotary::frequencies(const at::Tensor& longest) const {
    if (rope_.type == RopeType::LongRope)
        return at::where(longest > rope_.original_max_position_embeddings, long_inverse_, inverse_);
    if (rope_.type != RopeType::Dynamic) return inverse_;
    // Dynamic NTK: the base grows with a text longer than the context, as transformers computes it.
    const at::Tensor length = at::clamp_min(longest, max_positions_).to(at::kFloat);
    const at::Tensor base = rope_.theta * at::pow(rope_.factor * length / double(max_positions_) - (rope_.factor - 1), double(dim_) / double(dim_ - 2));
    return 1.0 / at::pow(base, at::arange(0, dim_, 2, inverse_.options()) / double(dim_));
}

RotaryTable Rotary::table(const at::Tensor& positions, at::ScalarType dtype) const {
    const bool by_length = rope_.type == RopeType::LongRope || rope_.type == RopeType::Dynamic;
    const at::Tensor inverse = by_length ? frequencies(positions.max() + 1) : inverse_;
    at::Tensor angles = positions.to(at::kFloat).unsqueeze(-1) * inverse;  // [batch, tokens, dim/2]
    at::Tensor emb = at::cat({angles, angles}, -1).unsqueeze(1);         // [batch, 1, tokens, dim]
    at::Tensor cos = emb.cos(), sin = emb.sin();
    if (rope_.attention_factor != 1.0) {
        cos = cos * rope_.attention_factor;
        sin = sin * rope_.attention_factor;
    }
    sin = sin.to(dtype);
    const std::int64_t half = sin.size(-1) / 2;
    return {cos.to(dtype), at::cat({-sin.slice(-1, 0, half), sin.slice(-1, half)}, -1)};
}

at::Tensor rotary(const at::Tensor& x, const RotaryTable& table) {
    const std::int64_t dim = table.cos.size(-1);
    if (dim < x.size(-1)) return at::cat({rotary(x.slice(-1, 0, dim), table), x.slice(-1, dim)}, -1);
    // rotate_half(x) * sin is [second, first] times the sin whose first half is negated: the same
    // products, bit for bit, without negating x in every layer.
    const std::int64_t half = x.size(-1) / 2;
    return x * table.cos + at::cat({x.slice(-1, half), x.slice(-1, 0, half)}, -1) * table.sin_signed;
}

at::Tensor split_heads(const at::Tensor& x, std::int64_t heads) {
    return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

at::Tensor merge_heads(const at::Tensor& x) {
    return x.transpose(1, 2).contiguous().view({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

}  // namespace amalgam::layers
