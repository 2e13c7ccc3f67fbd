#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "arguments.h"
#include "core/dist/process_group.h"
#include "core/model/transformer.h"

namespace amalgam::cli {

/** The options every command that loads a model takes, for its usage text (a literal, so
 *  that usage texts stay constants). */
#define AMALGAM_MODEL_LOADING_OPTIONS                                                            \
    "  --adapter DIR       apply a LoRA adapter (PEFT layout)\n"                                  \
    "  --device DEVICE     cpu, cuda or cuda:N (a CUDA build of libtorch; default cpu)\n"           \
    "  --dtype TYPE        auto (bfloat16 on cuda, float32 on cpu), float32, bfloat16 or\n"      \
    "                      float16; weights are converted once from the file's own type\n"
/** A command's own option names with those added, for Arguments. */
std::set<std::string> with_model_loading(std::set<std::string> options);

/** --device (cpu, cuda or cuda:N) and --dtype, checked. */
at::Device device_option(const Arguments& args);
Precision precision_option(const Arguments& args);

/** The model of `dir` on --device (as a rank of `group`: cuda is its own GPU) in --dtype, with
 *  the --adapter applied. */
std::unique_ptr<TransformerModel> load_model(const Arguments& args, const std::filesystem::path& dir, const ProcessGroup* group = nullptr);

}  // namespace amalgam::cli
