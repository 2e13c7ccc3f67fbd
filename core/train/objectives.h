#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "core/model/transformer.h"
#include "core/train/train_config.h"
#include "core/train/train_data.h"

namespace amalgam {

/** Encoded texts as one right-padded batch on a device: ids and mask [batch, longest], and
 *  `response` marking the tokens a loss predicts. */
struct TokenBatch {
    at::Tensor ids, mask;
    /// The positions whose next token is a response token, as (sequence, position) index
    /// tensors: made on the host, so that selecting them needs no wait for the device.
    at::Tensor predicting_rows, predicting_positions;
};
TokenBatch make_batch(const std::vector<const EncodedText*>& texts, std::int32_t pad_id, at::Device device);

/** Log-probabilities the model gives the response tokens of a batch, teacher-forced: their
 *  per-sequence sums [batch], and per sequence how many of them are the model's top choice. */
struct ResponseLogps {
    at::Tensor sums;
    at::Tensor correct;
};
/** Logits are taken only at the positions that predict a response token. */
ResponseLogps response_logps(const TransformerModel& model, const TokenBatch& batch);

/** The examples of one micro-batch and their row numbers in the data. */
struct MicroBatch {
    std::vector<const TrainExample*> examples;
    std::vector<std::int64_t> rows;
};

/** What a micro-batch gives: the summed loss (to divide by the step's units) and the sums of
 *  each metric over its units [metrics], in the order of metric_names(), left on the device
 *  so that reading them waits for nothing before the backward pass is queued. */
struct LossSums {
    at::Tensor loss;
    at::Tensor metrics;

    /** The metric sums on the host (one wait for the device). */
    std::vector<double> values() const;
};

/** A logged value: a metric's name as TRL logs it, and its value. */
using Logged = std::vector<std::pair<std::string, double>>;

/** Each metric's sum over `units`: how a window of most objectives is logged. */
Logged per_unit(const std::vector<std::string>& names, const std::vector<double>& sums, double units);

/** A training objective. A step's loss is the mean over its units (response tokens for SFT,
 *  pairs, or KTO's completions), whatever the split into micro-batches. */
class Objective {
public:
    virtual ~Objective() = default;
    virtual double units(const MicroBatch& batch) const = 0;
    /** The metric sums a micro-batch gives, in order; the first is always "loss". */
    virtual std::vector<std::string> metric_names() const = 0;
    virtual LossSums sums(const MicroBatch& batch) = 0;
    /** What a window's sums log as: by default each over the units, as metric_names() name them. */
    virtual Logged logged(const std::vector<double>& sums, double units) const { return per_unit(metric_names(), sums, units); }
};

/** The reference's sequence log-probabilities of every row, when computed before training (DPO's
 *  pairs; KTO's completions, in `chosen`, with `rejected` zero). */
struct ReferenceLogps {
    at::Tensor chosen, rejected;  ///< [rows], float32 on the model's device
};

/** The objective of `config.stage` on `model` (with the score head for the reward model). */
std::unique_ptr<Objective> make_objective(const TrainConfig& config, TransformerModel& model, std::int32_t pad_id,
                                          const ReferenceLogps* reference);

/** The reference's log-probabilities of every example, adapter off, in batches of `batch_size`;
 *  of the chosen texts alone unless `pairs`. */
ReferenceLogps reference_logps(TransformerModel& model, const std::vector<TrainExample>& examples, std::int64_t batch_size,
                               std::int32_t pad_id, bool pairs);

/** KTO's mismatched texts: row i's prompt before row i - 1's completion (the last row's for the
 *  first), as TRL rotates the completions of a batch; cut to `max_length` tokens. */
std::vector<EncodedText> mismatched_texts(const std::vector<const TrainExample*>& examples, std::size_t max_length);

}  // namespace amalgam
