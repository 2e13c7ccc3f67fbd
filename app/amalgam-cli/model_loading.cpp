#include "model_loading.h"

#include <ATen/Context.h>

namespace amalgam::cli {

std::set<std::string> with_model_loading(std::set<std::string> options) {
    options.insert({"adapter", "device", "dtype"});
    return options;
}

at::Device device_option(const Arguments& args) {
    const std::string device = args.option("device").value_or("cpu");
    if (device != "cpu" && device != "cuda") throw UsageError("--device must be cpu or cuda, not '" + device + "'");
    if (device == "cuda" && !at::hasCUDA()) throw std::runtime_error("this build of libtorch has no CUDA support; use --device cpu");
    return device == "cuda" ? at::Device(at::kCUDA) : at::Device(at::kCPU);
}

Precision precision_option(const Arguments& args) {
    try {
        return parse_precision(args.option("dtype").value_or("auto"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--dtype: ") + e.what());
    }
}

std::unique_ptr<TransformerModel> load_model(const Arguments& args, const std::filesystem::path& dir) {
    auto model = TransformerModel::load(dir, device_option(args), precision_option(args));
    if (auto adapter = args.option("adapter")) model->load_adapter(*adapter);
    return model;
}

}  // namespace amalgam::cli
