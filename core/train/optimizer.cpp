#include "core/train/optimizer.h"

#include <cmath>
#include <stdexcept>

#include <c10/core/GradMode.h>

#include "core/model/tensor_convert.h"

namespace amalgam {

AdamW::AdamW(std::vector<Parameter> parameters, const OptimizerConfig& config)
    : parameters_(std::move(parameters)), config_(config) {
    for (auto& p : parameters_) {
        p.tensor.requires_grad_(true);
        exp_avg_.push_back(at::zeros_like(p.tensor));
        exp_avg_sq_.push_back(at::zeros_like(p.tensor));
    }
}

void AdamW::zero_grad() {
    for (auto& p : parameters_)
        if (p.tensor.grad().defined()) p.tensor.mutable_grad() = at::Tensor();
}

std::vector<at::Tensor> AdamW::gradients(bool zeros_where_none) const {
    std::vector<at::Tensor> grads;
    for (const auto& p : parameters_) {
        if (!p.tensor.grad().defined() && zeros_where_none) p.tensor.mutable_grad() = at::zeros_like(p.tensor);
        if (!p.tensor.grad().defined()) throw std::logic_error("parameter '" + p.name + "' has no gradient");
        grads.push_back(p.tensor.grad());
    }
    return grads;
}

at::Tensor AdamW::clip_grad_norm(double max_norm) {
    c10::NoGradGuard no_grad;
    std::vector<at::Tensor> grads = gradients();
    at::Tensor total = at::stack(at::_foreach_norm(grads)).norm();
    if (max_norm > 0) {
        // torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6) where that is below one,
        // on the device, so that nothing waits for the norm.
        at::Tensor scale = (max_norm / (total + 1e-6)).clamp_max(1.0);
        for (auto& g : grads) g.mul_(scale);
    }
    return total;
}

void AdamW::step(double lr) {
    c10::NoGradGuard no_grad;
    ++steps_;
    const double bias1 = 1.0 - std::pow(config_.beta1, static_cast<double>(steps_));
    const double bias2 = 1.0 - std::pow(config_.beta2, static_cast<double>(steps_));
    std::vector<at::Tensor> params, decayed;
    for (const auto& p : parameters_) {
        params.push_back(p.tensor);
        if (p.decay) decayed.push_back(p.tensor);
    }
    const std::vector<at::Tensor> grads = gradients();
    // One multi-tensor kernel per operation on CUDA rather than one per parameter.
    if (config_.weight_decay > 0 && !decayed.empty()) at::_foreach_mul_(decayed, 1.0 - lr * config_.weight_decay);
    at::_foreach_mul_(exp_avg_, config_.beta1);
    at::_foreach_add_(exp_avg_, grads, 1.0 - config_.beta1);
    at::_foreach_mul_(exp_avg_sq_, config_.beta2);
    at::_foreach_addcmul_(exp_avg_sq_, grads, grads, 1.0 - config_.beta2);
    std::vector<at::Tensor> denom = at::_foreach_sqrt(exp_avg_sq_);
    at::_foreach_div_(denom, std::sqrt(bias2));
    at::_foreach_add_(denom, config_.eps);
    at::_foreach_addcdiv_(params, exp_avg_, denom, -lr / bias1);
}

std::vector<TensorData> AdamW::state() const {
    std::vector<TensorData> out;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        const DType type = safetensors_dtype(exp_avg_[i].scalar_type());
        out.push_back(tensor_data(parameters_[i].name + ".exp_avg", exp_avg_[i], type));
        out.push_back(tensor_data(parameters_[i].name + ".exp_avg_sq", exp_avg_sq_[i], type));
    }
    return out;
}

void AdamW::load_state(const SafetensorsFile& file, std::int64_t steps) {
    auto restore = [&](const std::string& name, at::Tensor& into) {
        auto it = file.tensors().find(name);
        if (it == file.tensors().end()) throw std::runtime_error(file.path() + ": tensor '" + name + "' is missing");
        if (it->second.shape != into.sizes().vec())
            throw std::runtime_error(file.path() + ": tensor '" + name + "' does not match the parameter's shape");
        into = tensor_from_view(it->second, into.scalar_type()).to(into.device());
    };
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        restore(parameters_[i].name + ".exp_avg", exp_avg_[i]);
        restore(parameters_[i].name + ".exp_avg_sq", exp_avg_sq_[i]);
    }
    steps_ = steps;
}

double learning_rate(const OptimizerConfig& config, std::int64_t step, std::int64_t total) {
    const auto s = static_cast<double>(step), warmup = static_cast<double>(config.warmup_steps);
    if (step < config.warmup_steps) return config.lr * s / std::max(1.0, warmup);
    const double progress = (s - warmup) / std::max(1.0, static_cast<double>(total) - warmup);
    switch (config.schedule) {
        case Schedule::Constant: return config.lr;
        case Schedule::Linear: return config.lr * std::max(0.0, 1.0 - progress);
        case Schedule::Cosine: return config.lr * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
    }
    return config.lr;
}

}  // namespace amalgam
