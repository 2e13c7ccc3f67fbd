#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dist/process_group.h"
#include "core/eval/context_format.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/util/progress.h"

namespace amalgam {

/** Which evaluation suites to run, and on what. */
struct EvalRequest {
    std::filesystem::path data_dir;  ///< holds winobias/, winogrande/ and winogender/
    std::vector<std::string> suites{"winobias", "winogrande", "winogender"};
    std::size_t limit = 0;           ///< at most this many items (pairs for WinoBias) per suite; 0: all
    std::size_t batch_size = 64;  ///< sequences per forward pass: the LM head's weights are read once for all
    ContextFormat format;         ///< contexts as they stand, or as the user's turn of the model's chat template
};

/** Runs the suites and returns results.json's body: "metrics" (bias, bias_entropy,
 *  bias_cluster, accuracy, similarity, winogrande, winogender: each when its suite ran),
 *  "counts" (items behind each metric) and "items" (per-item records by suite). Over a group,
 *  each rank scores its share of every suite's items and every rank returns the whole body,
 *  items in one process's order. Throws std::invalid_argument for an unknown suite, DataError
 *  for a missing or malformed file. */
nlohmann::ordered_json run_evaluation(const TransformerModel& model, const Tokenizer& tokenizer, const EvalRequest& request,
                                      Progress& progress, ProcessGroup* group = nullptr);

}  // namespace amalgam
