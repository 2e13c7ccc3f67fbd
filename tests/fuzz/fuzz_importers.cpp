// Every importer on arbitrary bytes: the first byte picks the format and the options.
#include "core/data/importer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const char* const kFormats[] = {"auto", "winogrande", "oasst", "pairwise", "rated", "ranked", "sft", "winobias", "winogender"};
    const std::uint8_t pick = data[0];
    amalgam::ImportOptions options;
    options.skip_bad_lines = pick & 0x80;
    if (pick & 0x40) options.label = "helpfulness";
    const char* format = kFormats[(pick & 0x3f) % 9];
    const auto path = amalgam::fuzz::as_file(std::string(format) == "winogender" ? "all_sentences.tsv" : "input.jsonl", data + 1, size - 1);
    amalgam::fuzz::expect_clean([&] { amalgam::import_dataset(path, format, options); });
    return 0;
}
