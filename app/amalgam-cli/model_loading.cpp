#include "model_loading.h"

#include <ATen/Context.h>

#include "core/contract/device.h"
#include "process_group_option.h"

namespace amalgam::cli {

std::set<std::string> with_model_loading(std::set<std::string> options) {
    options.insert({"adapter", "device", "dtype"});
    return options;
}

at::Device device_option(const Arguments& args) {
    Device device;
    try {
        device = Device::parse(args.option("device").value_or("cpu"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--device: ") + e.what());
    }
    if (device.kind == DeviceKind::Cpu) return at::Device(at::kCPU);
    if (!at::hasCUDA()) throw std::runtime_error("this build of libtorch has no CUDA support; use --device cpu");
    return at::Device(at::kCUDA, static_cast<at::DeviceIndex>(device.index));
}

Precision precision_option(const Arguments& args) {
    try {
        return parse_name<Precision>(args.option("dtype").value_or("auto"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--dtype: ") + e.what());
    }
}

std::unique_ptr<TransformerModel> load_model(const Arguments& args, const std::filesystem::path& dir, const ProcessGroup* group) {
    auto model = TransformerModel::load(dir, rank_device(device_option(args), group), precision_option(args));
    if (auto adapter = args.option("adapter")) model->load_adapter(*adapter);
    return model;
}

}  // namespace amalgam::cli
