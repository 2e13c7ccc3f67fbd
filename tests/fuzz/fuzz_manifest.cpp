// The public data's manifest parser on arbitrary text.
#include "core/fetch/data_manifest.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    amalgam::fuzz::expect_clean([&] { amalgam::parse_data_manifest(text, "manifest.tsv"); });
    return 0;
}
