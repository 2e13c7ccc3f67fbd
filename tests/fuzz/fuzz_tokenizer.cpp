// The tokenizer.json loader on arbitrary bytes, and the tokenizer it makes on a fixed text.
#include "core/tokenize/tokenizer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    amalgam::fuzz::as_file("tokenizer.json", data, size);
    amalgam::fuzz::expect_clean([&] {
        auto tokenizer = amalgam::load_tokenizer(amalgam::fuzz::folder());
        const auto ids = tokenizer->encode("Hello, world! Ünïcödé 123 \xE2\x80\x94 the end.\n");
        tokenizer->decode(ids);
    });
    return 0;
}
