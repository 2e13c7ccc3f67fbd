#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/model_io/safetensors.h"
#include "core/train/train_config.h"

namespace amalgam {

/** A trainable tensor and the name it is saved under. */
struct Parameter {
    std::string name;
    at::Tensor tensor;
    bool decay = true;  ///< weight decay applies (not to biases, as transformers' Trainer does)
};

/** AdamW as torch.optim.AdamW defines it (decoupled weight decay, bias-corrected moments),
 *  with its state in the parameters' type, so that it saves and restores to the bit. Every
 *  parameter takes part in every step. */
class AdamW {
public:
    AdamW(std::vector<Parameter> parameters, const OptimizerConfig& config);

    /** One update at learning rate `lr` from the parameters' gradients. */
    void step(double lr);
    void zero_grad();
    /** Scales the gradients down to a global L2 norm of `max_norm` (0: leaves them) and
     *  returns their norm before that, as a tensor on the device. */
    at::Tensor clip_grad_norm(double max_norm);

    std::int64_t steps() const { return steps_; }
    const std::vector<Parameter>& parameters() const { return parameters_; }
    /** The parameters' gradients, in their order; throws for a parameter without one, or
     *  gives it zeros (a rank with no rows in a step still joins the step's reduction). */
    std::vector<at::Tensor> gradients(bool zeros_where_none = false) const;

    /** The moments, named "<parameter>.exp_avg" / ".exp_avg_sq", and the step count. */
    std::vector<TensorData> state() const;
    /** Restores state() from a safetensors file; errors name the file and the tensor. */
    void load_state(const SafetensorsFile& file, std::int64_t steps);

private:
    std::vector<Parameter> parameters_;
    std::vector<at::Tensor> exp_avg_, exp_avg_sq_;
    OptimizerConfig config_;
    std::int64_t steps_ = 0;
};

/** The learning rate of optimizer step `step` (0-based) of `total`, as transformers' schedulers
 *  give it: linear warm-up from 0, then constant, linear decay to 0, or a half cosine to 0. */
double learning_rate(const OptimizerConfig& config, std::int64_t step, std::int64_t total);

}  // namespace amalgam
