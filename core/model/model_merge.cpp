#include "core/model/model_merge.h"

#include <stdexcept>

#include "core/model/transformer.h"

namespace amalgam {

namespace fs = std::filesystem;

void merge_adapter_into_folder(const fs::path& model_dir, const fs::path& adapter_dir, const fs::path& out_dir) {
    if (fs::exists(out_dir) && !(fs::is_directory(out_dir) && fs::is_empty(out_dir)))
        throw std::runtime_error(out_dir.string() + " exists and is not an empty folder");
    // Folded in float32 whatever the file's type, then written back in that type.
    auto model = TransformerModel::load(model_dir, at::kCPU, Precision::Float32);
    model->load_adapter(adapter_dir);
    model->merge_lora();
    const fs::path partial = out_dir.string() + ".partial";
    fs::remove_all(partial);
    fs::create_directories(partial);
    for (const auto& entry : fs::directory_iterator(model_dir)) {
        const std::string name = entry.path().filename().string();
        const bool weights = entry.path().extension() == ".safetensors" || name == "model.safetensors.index.json" ||
                             entry.path().extension() == ".bin";
        if (entry.is_regular_file() && !weights) fs::copy_file(entry.path(), partial / name);
    }
    model->save_weights(partial / "model.safetensors", model->file_dtype());
    fs::remove_all(out_dir);
    fs::rename(partial, out_dir);
}

}  // namespace amalgam
