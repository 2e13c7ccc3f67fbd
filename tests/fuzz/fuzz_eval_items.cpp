// The evaluation suites' readers on arbitrary bytes: the first byte picks WinoBias bracketed
// sentences or Winogender's all_sentences.tsv.
#include "core/eval/choice_items.h"
#include "core/eval/winobias_items.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool winobias = data[0] & 1;
    const auto path = amalgam::fuzz::as_file(winobias ? "pro_stereotyped_type1.txt.test" : "all_sentences.tsv", data + 1, size - 1);
    amalgam::fuzz::expect_clean([&] {
        if (winobias) amalgam::read_winobias_file(path);
        else amalgam::winogender_choice_items(path);
    });
    return 0;
}
