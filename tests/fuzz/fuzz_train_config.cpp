// The training config reader on arbitrary bytes, read as amalgam-cli train reads a config
// file: a config it accepts writes out as JSON that reads back to the same config.
#include <nlohmann/json.hpp>

#include "core/util/yaml_json.h"
#include "core/train/train_config.h"
#include "core/util/text_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = amalgam::fuzz::as_file("train.yaml", data, size);
    amalgam::fuzz::expect_clean([&] {
        const amalgam::YamlJson yaml = amalgam::yaml_to_json(amalgam::TextFile(path).content(), path.string());
        const amalgam::TrainConfig config = amalgam::train_config_from_json(yaml.value, amalgam::fuzz::folder().string());
        const nlohmann::ordered_json written = config.to_json();
        if (amalgam::train_config_from_json(nlohmann::json::parse(written.dump()), amalgam::fuzz::folder().string()).to_json() != written) {
            std::fprintf(stderr, "a config does not read back as it was written: %s\n", written.dump().c_str());
            std::abort();
        }
    });
    return 0;
}
