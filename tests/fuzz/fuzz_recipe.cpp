// The recipe parser on arbitrary text.
#include "core/recipe/recipe.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    amalgam::fuzz::expect_clean([&] {
        const amalgam::Recipe recipe = amalgam::parse_recipe(text, "fuzz.yaml", amalgam::fuzz::folder(), std::nullopt);
        amalgam::parse_recipe(amalgam::to_yaml(recipe), "again.yaml", amalgam::fuzz::folder(), std::nullopt);  // what it writes reads back
    });
    return 0;
}
