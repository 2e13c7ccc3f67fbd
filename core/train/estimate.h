#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <ATen/ATen.h>

#include "core/model_io/model_config.h"
#include "core/train/train_config.h"

namespace amalgam {

/** What a training step is expected to need: memory by part, and time from the work it does
 *  and the device's measured matrix-product speed. */
struct TrainEstimate {
    double weights_bytes = 0;      ///< base weights in the run's dtype
    double trainable_bytes = 0;    ///< LoRA (and head) parameters and their gradients, float32
    double optimizer_bytes = 0;    ///< AdamW's two moments
    double activation_bytes = 0;   ///< what autograd keeps for the backward pass, at the batch and length
    double logits_bytes = 0;       ///< float32 logits of the predicted positions, their softmax and gradient
    double peak_bytes = 0;
    double flops_per_step = 0;
    double device_flops = 0;       ///< measured, floating-point operations per second
    double seconds_per_step = 0;
    std::int64_t trainable_parameters = 0;
};

/** The estimate for `config` on a model of shape `model` in `dtype`; `device_flops` is the
 *  measured matrix-product speed (measure_device_flops). */
TrainEstimate estimate_training(const ModelConfig& model, const TrainConfig& config, at::ScalarType dtype, double device_flops);

/** Times a few matrix products of the size a training step does, in `dtype` on `device`. */
double measure_device_flops(at::Device device, at::ScalarType dtype);

/** The memory free for a run on `device` now: the kernel's MemAvailable for the CPU, the
 *  driver's free memory for a CUDA device; nothing where it cannot be asked. */
std::optional<double> free_memory_bytes(at::Device device);

/** Bytes as "12.34 GiB", or "56.7 MiB" below a GiB. */
std::string memory_text(double bytes);

/** The estimate as lines for a terminal. */
std::string describe(const TrainEstimate& e);

}  // namespace amalgam
