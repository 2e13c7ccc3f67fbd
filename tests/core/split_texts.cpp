// Splits texts as a byte-level pre-tokenizer does, for tests/core/split_equality.py to set
// beside Python's `regex`: reads {"regex": ..., "texts": [...]} from the file named by argv[1]
// (the regex as tokenizer.json spells it) and prints a JSON list of each text's pieces.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/tokenize/pretokenizer.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: amalgam_split_texts INPUT.json\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    const nlohmann::json input = nlohmann::json::parse(in);
    const amalgam::SplitPattern pattern = amalgam::split_pattern_from_regex(input.at("regex").get<std::string>());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& text : input.at("texts")) out.push_back(amalgam::split_text(text.get<std::string>(), pattern));
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
}
