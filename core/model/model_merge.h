#pragma once

#include <filesystem>

namespace amalgam {

/** Writes `out_dir`, a Hugging Face folder of the model in `model_dir` with the LoRA adapter
 *  of `adapter_dir` folded into its weights: model.safetensors in the checkpoint's own type,
 *  and the folder's other files (config, tokenizer) copied. All or nothing (an OutputFolder);
 *  an existing non-empty `out_dir` is refused. */
void merge_adapter_into_folder(const std::filesystem::path& model_dir, const std::filesystem::path& adapter_dir,
                               const std::filesystem::path& out_dir);

}  // namespace amalgam
