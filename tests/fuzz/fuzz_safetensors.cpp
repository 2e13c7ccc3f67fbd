// The safetensors reader on arbitrary bytes, down to every tensor's values.
#include "core/model_io/safetensors.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = amalgam::fuzz::as_file("model.safetensors", data, size);
    amalgam::fuzz::expect_clean([&] {
        amalgam::SafetensorsFile file(path);
        for (const auto& [name, tensor] : file.tensors())
            if (tensor.bytes <= (1u << 20) && (tensor.dtype == amalgam::DType::F32 || tensor.dtype == amalgam::DType::F16 ||
                                               tensor.dtype == amalgam::DType::BF16))
                tensor.to_float32();
    });
    return 0;
}
