#include "core/model/model_merge.h"

#include <stdexcept>

#include "core/model/transformer.h"
#include "core/util/atomic_file.h"

namespace amalgam {

namespace fs = std::filesystem;

void merge_adapter_into_folder(const fs::path& model_dir, const fs::path& adapter_dir, const fs::path& out_dir) {
    OutputFolder folder(out_dir);  // a new or empty folder only
    // Folded in float32 whatever the file's type, then written back in that type.
    auto model = TransformerModel::load(model_dir, at::kCPU, Precision::Float32);
    if (model->config().text_of_multimodal)  // the folder would lose the towers that are not read
        throw std::runtime_error(model_dir.string() + ": a multimodal checkpoint (" + model->config().architecture +
                                 ") is not merged: only its text model is read");
    model->load_adapter(adapter_dir);
    model->merge_lora();
    for (const auto& entry : fs::directory_iterator(model_dir)) {
        const std::string name = entry.path().filename().string();
        const bool weights = entry.path().extension() == ".safetensors" || name == "model.safetensors.index.json" ||
                             entry.path().extension() == ".bin";
        if (entry.is_regular_file() && !weights) fs::copy_file(entry.path(), folder.staging() / name);
    }
    model->save_weights(folder.staging() / "model.safetensors", model->file_dtype());
    folder.commit();
}

}  // namespace amalgam
