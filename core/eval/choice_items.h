#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/data/record.h"

namespace amalgam {

/** A multiple-choice item answered by log-likelihood: each option is a (context,
 *  continuation) pair, and the option whose continuation scores highest is the model's pick. */
struct ChoiceItem {
    std::string source;
    std::vector<std::pair<std::string, std::string>> options;
    int correct = 0;
};

/** WinoGrande with partial scoring, as evaluation harnesses do: the option fills the blank in
 *  the context and only the part of the sentence after the blank is scored. Takes prompts as
 *  the importer reads an answered file (responses[0] is the right option). */
std::vector<ChoiceItem> winogrande_choice_items(const std::vector<Prompt>& prompts);

/** Winogender: for every sentence of all_sentences.tsv, which of the occupation and the other
 *  participant follows `{sentence} "{pronoun}" refers to:`; the sentid says which is right. */
std::vector<ChoiceItem> winogender_choice_items(const std::filesystem::path& all_sentences_tsv);

}  // namespace amalgam
