#include "core/model/scalar_head.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "core/model/tensor_convert.h"

namespace amalgam {

ScalarHead ScalarHead::create(const std::string& name, std::int64_t hidden, bool with_bias, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f / std::sqrt(static_cast<float>(hidden + 1)));
    std::vector<float> w(static_cast<std::size_t>(hidden));
    for (float& v : w) v = normal(rng);
    ScalarHead head{name, at::from_blob(w.data(), {1, hidden}, at::kFloat).clone(), {}};
    if (with_bias) head.bias = at::zeros({1}, at::kFloat);
    return head;
}

ScalarHead ScalarHead::load(const SafetensorsFile& file, const std::string& name, std::int64_t hidden) {
    auto find = [&](const std::string& key) -> const TensorView* {
        auto it = file.tensors().find(key);
        return it == file.tensors().end() ? nullptr : &it->second;
    };
    const TensorView* w = find(name + ".weight");
    if (!w) throw std::runtime_error(file.path() + ": tensor '" + name + ".weight' is missing");
    if (w->shape != std::vector<std::int64_t>{1, hidden})
        throw std::runtime_error(file.path() + ": tensor '" + name + ".weight' must be [1, " + std::to_string(hidden) + "] for this model");
    ScalarHead head{name, tensor_from_view(*w), {}};
    if (const TensorView* b = find(name + ".bias")) {
        if (b->shape != std::vector<std::int64_t>{1}) throw std::runtime_error(file.path() + ": tensor '" + name + ".bias' must be [1]");
        head.bias = tensor_from_view(*b);
    }
    return head;
}

at::Tensor ScalarHead::per_token(const at::Tensor& hidden) const {
    // In the head's own type (float32 on a half-precision model).
    return at::linear(hidden.to(weight.scalar_type()), weight, bias.defined() ? bias : at::Tensor()).squeeze(-1);
}

at::Tensor ScalarHead::at_last_token(const at::Tensor& hidden, const at::Tensor& mask) const {
    // Index of the last 1 in each mask row: the largest position times its mask value.
    at::Tensor positions = at::arange(mask.size(1), mask.options().dtype(at::kLong));
    at::Tensor last = (mask.to(at::kLong) * positions).argmax(1);
    at::Tensor rows = at::arange(hidden.size(0), last.options());
    return per_token(hidden.index({rows, last}).unsqueeze(1)).squeeze(1);
}

std::vector<TensorData> ScalarHead::tensors() const {
    std::vector<TensorData> out{tensor_data(name + ".weight", weight)};
    if (bias.defined()) out.push_back(tensor_data(name + ".bias", bias));
    return out;
}

}  // namespace amalgam
