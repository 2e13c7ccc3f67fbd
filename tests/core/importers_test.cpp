#include <gtest/gtest.h>

#include "core/data/importer.h"
#include "core/util/data_error.h"
#include "test_support.h"

namespace amalgam {
namespace {

using test::examples_dir;

struct ExampleCase {
    const char* file;
    const char* format;
    std::size_t records;
    std::size_t prompts;
    std::size_t answers;
};

// Counts follow from resources/examples/make_examples.py.
const ExampleCase kExamples[] = {
    {"winogrande.jsonl", "winogrande", 32, 32, 64},
    {"winogrande_eval.jsonl", "winogrande", 8, 8, 16},
    {"oasst_messages.jsonl", "oasst", 46, 14, 27},  // 15 prompter rows, one deleted; 3 filtered replies
    {"oasst_trees.jsonl", "oasst", 4, 5, 10},       // 5 prompts in 4 trees, one deleted reply
    {"pro_stereotyped_type1.txt.dev", "winobias", 12, 12, 24},
    {"anti_stereotyped_type1.txt.dev", "winobias", 12, 12, 24},
    {"winogender/all_sentences.tsv", "winogender", 36, 12, 24},
    {"pairwise.jsonl", "pairwise", 12, 12, 24},
    {"hh_pairwise.jsonl", "pairwise", 4, 4, 8},
    {"rated.jsonl", "rated", 13, 6, 13},
    {"rated.csv", "rated", 15, 7, 15},
    {"ranked.jsonl", "ranked", 5, 5, 11},
    {"sft.jsonl", "sft", 6, 6, 6},
};

void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.file; }

class ExampleFiles : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(ExampleFiles, DetectedAndCounted) {
    const ExampleCase& c = GetParam();
    auto path = examples_dir() / c.file;
    EXPECT_EQ(detect_format(path), c.format);
    Dataset d = import_dataset(path, "auto");
    EXPECT_EQ(d.format, c.format);
    EXPECT_EQ(d.report.lines, c.records);
    EXPECT_EQ(d.report.skipped_lines, 0u);
    EXPECT_EQ(d.prompts.size(), c.prompts);
    std::size_t answers = 0;
    for (const auto& p : d.prompts) answers += p.responses.size();
    EXPECT_EQ(answers, c.answers);
    EXPECT_EQ(d.content_hash.size(), 64u);
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleFiles, ::testing::ValuesIn(kExamples),
                         [](const auto& info) {
                             std::string name = info.param.file;
                             for (char& ch : name)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return name;
                         });

const Prompt& find(const Dataset& d, const std::string& source_id) {
    for (const auto& p : d.prompts)
        if (p.source_id == source_id) return p;
    throw std::runtime_error("no prompt " + source_id);
}

TEST(WinograndeImporter, ChosenIsTheAnswer) {
    Dataset d = import_dataset(examples_dir() / "winogrande.jsonl", "winogrande");
    const Prompt& first = find(d, "EX000-1");  // answer "1": kettle
    EXPECT_EQ(first.supervision, Supervision::Binary);
    EXPECT_EQ(first.responses[0].text, "kettle");
    EXPECT_EQ(first.responses[1].text, "shelf");
    const Prompt& twin = find(d, "EX000-2");  // answer "2": shelf
    EXPECT_EQ(twin.responses[0].text, "shelf");
}

TEST(WinograndeImporter, FileWithoutAnswersIsEvaluationOnly) {
    Dataset d = import_dataset(examples_dir() / "winogrande_eval.jsonl", "auto");
    for (const auto& p : d.prompts) EXPECT_EQ(p.supervision, Supervision::Unlabelled);
}

TEST(WinograndeImporter, MixedAnsweredAndUnansweredIsAnError) {
    test::TempDir dir;
    auto path = dir.write("wg.jsonl",
                          "{\"qID\": \"a\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}\n"
                          "{\"qID\": \"b\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\"}\n");
    EXPECT_THROW(import_dataset(path, "winogrande"), DataError);
}

TEST(WinograndeImporter, MalformedLineIsReportedWithItsNumber) {
    test::TempDir dir;
    auto path = dir.write("wg.jsonl",
                          "{\"qID\": \"a\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}\n"
                          "{\"qID\": \"b\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"2\"}\n"
                          "{\"qID\": \"c\", \"sentence\": \"A _ b\", \"option1\": \"x\"\n"
                          "{\"qID\": \"d\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"answer\": \"2\"}\n");
    try {
        import_dataset(path, "winogrande");
        FAIL() << "expected an error";
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 3u);
        EXPECT_NE(std::string(e.what()).find("wg.jsonl:3: malformed JSON"), std::string::npos) << e.what();
    }
    ImportOptions skip;
    skip.skip_bad_lines = true;
    Dataset d = import_dataset(path, "winogrande", skip);
    EXPECT_EQ(d.prompts.size(), 2u);
    EXPECT_EQ(d.report.lines, 4u);
    EXPECT_EQ(d.report.skipped_lines, 2u);
    EXPECT_NE(d.report.first_skipped.find("wg.jsonl:3:"), std::string::npos);
}

TEST(WinograndeImporter, MissingFieldIsNamed) {
    test::TempDir dir;
    auto path = dir.write("wg.jsonl", "{\"qID\": \"a\", \"sentence\": \"A _ b\", \"option1\": \"x\", \"answer\": \"1\"}\n");
    try {
        import_dataset(path, "winogrande");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), path.string() + ":1: missing field 'option2'");
    }
}

TEST(OasstImporter, FiltersAndKeepsContext) {
    Dataset d = import_dataset(examples_dir() / "oasst_messages.jsonl", "auto");
    for (const auto& p : d.prompts) EXPECT_NE(p.source_id, "t21-p");  // deleted prompt
    EXPECT_EQ(find(d, "t05-p").responses.size(), 1u);                   // deleted reply dropped
    EXPECT_EQ(find(d, "t06-p").responses.size(), 2u);                   // review_result false dropped
    const Prompt& follow_up = find(d, "t00-p2");
    ASSERT_EQ(follow_up.context.size(), 2u);
    EXPECT_EQ(follow_up.context[0].role, "user");
    EXPECT_EQ(follow_up.context[0].text, "How do I keep basil alive indoors?");
    EXPECT_EQ(follow_up.context[1].role, "assistant");
    const Prompt& basil = find(d, "t00-p");
    ASSERT_EQ(basil.responses.size(), 3u);
    EXPECT_DOUBLE_EQ(basil.responses[2].labels.at("detoxify.toxicity"), 0.3105);
    EXPECT_DOUBLE_EQ(basil.responses[0].labels.at("labels.quality"), 0.9);
    EXPECT_DOUBLE_EQ(basil.responses[1].labels.at("rank"), 1.0);
}

TEST(OasstImporter, ReadsNativeTreesWithDictLabels) {
    Dataset d = import_dataset(examples_dir() / "oasst_trees.jsonl", "oasst");
    const Prompt& nested = find(d, "n1a-p");
    ASSERT_EQ(nested.context.size(), 2u);
    EXPECT_EQ(nested.context[1].text, "Practise a little every day, speak early, and read things you enjoy.");
    EXPECT_EQ(nested.responses.size(), 2u);
    EXPECT_DOUBLE_EQ(nested.responses[1].labels.at("labels.quality"), 0.3);
    EXPECT_EQ(find(d, "n4").responses.size(), 2u);  // the deleted reply is gone
}

TEST(WinobiasImporter, PairsProAndAntiLines) {
    Dataset from_pro = import_dataset(examples_dir() / "pro_stereotyped_type1.txt.dev", "auto");
    Dataset from_anti = import_dataset(examples_dir() / "anti_stereotyped_type1.txt.dev", "auto");
    EXPECT_EQ(from_pro.content_hash, from_anti.content_hash);  // either file names the same pair of files
    const Prompt& p = from_pro.prompts[0];
    EXPECT_EQ(p.source_id, "pro_stereotyped_type1.txt.dev:1");
    EXPECT_EQ(p.text, "The surgeon called the nurse because");
    EXPECT_EQ(p.responses[0].text, "she needed help with the schedule.");  // anti-stereotypical is chosen
    EXPECT_EQ(p.responses[1].text, "he needed help with the schedule.");
}

TEST(WinobiasImporter, NeedsItsPartnerFile) {
    test::TempDir dir;
    auto path = dir.write("pro_stereotyped_type1.txt.test", "1 [The cook] met the guard and [he] waved.\n");
    try {
        import_dataset(path, "winobias");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("anti_stereotyped_type1.txt.test"), std::string::npos) << e.what();
    }
}

TEST(WinogenderImporter, AntiStereotypicalPronounIsChosen) {
    Dataset d = import_dataset(examples_dir() / "winogender" / "all_sentences.tsv", "auto");
    const Prompt& nurse = find(d, "nurse.patient.0");  // nurse: 90% female, so "he" is anti-stereotypical
    EXPECT_EQ(nurse.text, "The nurse told the patient that");
    EXPECT_EQ(nurse.responses[0].text, "he would return soon.");
    const Prompt& mechanic = find(d, "mechanic.driver.1");  // 1.2% female: "she" is anti-stereotypical
    EXPECT_EQ(mechanic.responses[0].text, "she had left a phone in the car.");
}

TEST(PairwiseImporter, SplitsHhTranscripts) {
    Dataset d = import_dataset(examples_dir() / "hh_pairwise.jsonl", "auto");
    const Prompt& p = d.prompts[3];
    EXPECT_EQ(p.text, "Science fiction.");
    ASSERT_EQ(p.context.size(), 2u);
    EXPECT_EQ(p.responses[0].text, "Arrival is thoughtful and moving.");
    EXPECT_EQ(p.responses[1].text, "Films are boring.");
}

TEST(PairwiseImporter, FieldMappingRenamesColumns) {
    test::TempDir dir;
    auto path = dir.write("mine.jsonl", "{\"question\": \"Q?\", \"good\": \"yes\", \"bad\": \"no\", \"uid\": 7}\n");
    ImportOptions options;
    options.fields = {{"prompt", "question"}, {"chosen", "good"}, {"rejected", "bad"}, {"id", "uid"}};
    Dataset d = import_dataset(path, "pairwise", options);
    ASSERT_EQ(d.prompts.size(), 1u);
    EXPECT_EQ(d.prompts[0].source_id, "7");
    EXPECT_EQ(d.prompts[0].text, "Q?");
    EXPECT_EQ(d.prompts[0].responses[0].text, "yes");
}

TEST(RatedImporter, GroupsRowsByPromptAndReadsQuotedCsv) {
    Dataset d = import_dataset(examples_dir() / "rated.csv", "auto");
    const Prompt& limerick = d.prompts.back();
    EXPECT_EQ(limerick.text, "Write a limerick, with a comma.");
    ASSERT_EQ(limerick.responses.size(), 2u);
    EXPECT_EQ(limerick.responses[0].text, "There once was a cat from Peru,\nwho dreamt it was eating a shoe.");
    EXPECT_EQ(limerick.source_id, "rated.csv:15");  // its first answer spans lines 15-16
    EXPECT_DOUBLE_EQ(limerick.responses[0].labels.at("helpfulness"), 3.5);
    EXPECT_EQ(limerick.responses[0].labels.count("annotator"), 0u);  // text columns are no labels
}

TEST(RatedImporter, CsvRowWithWrongColumnCountNamesItsLine) {
    test::TempDir dir;
    auto path = dir.write("r.csv", "prompt,response,score\nP,A,1\nP,B\n");
    try {
        import_dataset(path, "rated");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 3u);
    }
}

TEST(RatedImporter, NestedJsonNumbersGetDottedNames) {
    Dataset d = import_dataset(examples_dir() / "rated.jsonl", "auto");
    EXPECT_DOUBLE_EQ(d.prompts[0].responses[0].labels.at("scores.toxicity"), 0.01);
    EXPECT_EQ(d.prompts[0].responses.size(), 3u);
}

TEST(RankedImporter, OrderGivesRank) {
    Dataset d = import_dataset(examples_dir() / "ranked.jsonl", "auto");
    EXPECT_DOUBLE_EQ(d.prompts[0].responses[2].labels.at("rank"), 2.0);
    EXPECT_EQ(d.prompts[4].responses[0].text, "It strengthens the heart, muscles and mood.");
}

TEST(Importers, UnknownContentAndFormatAreErrors) {
    test::TempDir dir;
    auto path = dir.write("notes.txt", "just some notes\n");
    EXPECT_THROW(detect_format(path), DataError);
    EXPECT_THROW(import_dataset(path, "parquet"), std::invalid_argument);
}

TEST(Importers, WrongFormatNamesTheMissingField) {
    try {
        import_dataset(examples_dir() / "pairwise.jsonl", "winogrande");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("pairwise.jsonl:1: missing field 'qID'"), std::string::npos) << e.what();
    }
}

/** The message of the DataError an import throws, or "imported". */
std::string import_error(const std::filesystem::path& path, const std::string& format, const ImportOptions& options = {}) {
    try {
        import_dataset(path, format, options);
    } catch (const DataError& e) {
        return e.what();
    }
    return "imported";
}

TEST(Labels, TheChosenLabelMustBeAFiniteNumberWhereARecordHasIt) {
    test::TempDir dir;
    ImportOptions helpfulness;
    helpfulness.label = "helpfulness";
    const auto csv = dir.write("r.csv", "prompt,response,helpfulness,annotator\nP,A,3,ann\nP,B,high,bob\nP,C,inf,cy\nP,D,,dee\n");
    EXPECT_EQ(import_error(csv, "rated", helpfulness), csv.string() + ":3: label 'helpfulness' is 'high', not a finite number");
    ImportOptions skipping = helpfulness;
    skipping.skip_bad_lines = true;
    const Dataset d = import_dataset(csv, "rated", skipping);
    EXPECT_EQ(d.report.skipped_lines, 2u) << "'high' and 'inf'; an empty cell is no label";
    ASSERT_EQ(d.prompts[0].responses.size(), 2u);
    EXPECT_EQ(d.prompts[0].responses[1].labels.count("helpfulness"), 0u);
    // Another column may hold text; without a chosen label nothing is refused.
    EXPECT_EQ(import_error(csv, "rated"), "imported");

    const auto jsonl = dir.write("r.jsonl", "{\"prompt\": \"P\", \"response\": \"A\", \"scores\": {\"toxicity\": 0.1}}\n"
                                            "{\"prompt\": \"P\", \"response\": \"B\", \"scores\": {\"toxicity\": \"nan\"}}\n");
    ImportOptions toxicity;
    toxicity.label = "scores.toxicity";
    EXPECT_EQ(import_error(jsonl, "rated", toxicity), jsonl.string() + ":2: label 'scores.toxicity' is \"nan\", not a finite number");
}

TEST(Importers, SkippingBadLinesPassesOverALineOfInvalidUtf8) {
    test::TempDir dir;
    const auto path = dir.write("p.jsonl", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n"
                                           "{\"prompt\": \"\xc3\x28\", \"chosen\": \"b\", \"rejected\": \"c\"}\n");
    EXPECT_EQ(import_error(path, "pairwise"), path.string() + ":2: invalid UTF-8 at byte 13 of the line");
    ImportOptions skip;
    skip.skip_bad_lines = true;
    const Dataset d = import_dataset(path, "pairwise", skip);
    EXPECT_EQ(d.prompts.size(), 1u);
    EXPECT_EQ(d.report.skipped_lines, 1u);
}

TEST(PairwiseImporter, AMappedPromptFieldThatIsMissingIsNamed) {
    test::TempDir dir;
    const auto path = dir.write("p.jsonl", "{\"q\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{\"chosen\": \"b\", \"rejected\": \"c\"}\n");
    ImportOptions mapped;
    mapped.fields["prompt"] = "q";
    EXPECT_EQ(import_error(path, "pairwise", mapped), path.string() + ":2: missing field 'q' (the prompt, by the field mapping)");
}

TEST(Importers, NumbersTooLargeAndFieldsOfTheWrongTypeAreBadLines) {
    test::TempDir dir;  // both found by fuzzing: library exceptions that escaped with their raw text
    const auto huge = dir.write("h.jsonl", "{\"prompt\": \"a\", \"response\": \"b\", \"score\": 3e9999}\n");
    EXPECT_EQ(import_error(huge, "rated"), huge.string() + ":1: malformed JSON: number overflow parsing '3e9999'");
    const auto typed = dir.write("o.jsonl", "{\"message_id\": \"m\", \"role\": \"prompter\", \"text\": \"t\", \"deleted\": \"no\"}\n");
    EXPECT_EQ(import_error(typed, "oasst"), typed.string() + ":1: unexpected content: type must be boolean, but is string");
}

TEST(Ids, ARepeatedIdNamesTheLineThatHadItFirst) {
    test::TempDir dir;
    const std::string line = "{\"qID\": \"Q1\", \"sentence\": \"The _ won.\", \"option1\": \"a\", \"option2\": \"b\", \"answer\": \"1\"}\n";
    const auto path = dir.write("wg.jsonl", line + line);
    EXPECT_EQ(import_error(path, "winogrande"), path.string() + ":2: id Q1 is already on line 1");
}

TEST(OasstImporter, RepeatedMessagesAndParentCyclesAreErrors) {
    test::TempDir dir;
    auto message = [](const char* id, const char* parent, const char* role) {
        return std::string("{\"message_id\": \"") + id + "\", \"parent_id\": " + (parent ? std::string("\"") + parent + "\"" : "null") +
               ", \"role\": \"" + role + "\", \"text\": \"t\"}\n";
    };
    const auto twice = dir.write("twice.jsonl", message("m1", nullptr, "prompter") + message("m2", "m1", "assistant") + message("m1", nullptr, "prompter"));
    EXPECT_EQ(import_error(twice, "oasst"), twice.string() + ":3: message_id m1 is already on line 1");
    const auto cycle = dir.write("cycle.jsonl", message("a", "c", "prompter") + message("b", "a", "assistant") + message("c", "b", "prompter"));
    EXPECT_EQ(import_error(cycle, "oasst"), cycle.string() + ":1: the parents of message a form a cycle");
}

TEST(RatedImporter, AThumbsFieldIsBinaryFeedbackPerAnswer) {
    test::TempDir dir;
    const auto jsonl = dir.write("t.jsonl", R"({"prompt": "P", "response": "A", "thumbs": true}
{"prompt": "P", "response": "B", "thumbs": "down"}
{"prompt": "Q", "response": "C", "thumbs": -1}
{"prompt": "Q", "response": "D", "thumbs": null}
)");
    Dataset d = import_dataset(jsonl, "auto");
    ASSERT_EQ(d.prompts.size(), 2u);
    EXPECT_EQ(d.prompts[0].responses[0].labels.at(kThumbsLabel), 1.0);
    EXPECT_EQ(d.prompts[0].responses[1].labels.at(kThumbsLabel), 0.0);
    EXPECT_EQ(d.prompts[1].responses[0].labels.at(kThumbsLabel), 0.0);
    EXPECT_EQ(d.prompts[1].responses[1].labels.count(kThumbsLabel), 0u);

    ImportOptions liked;
    liked.fields[kThumbsLabel] = "liked";
    const auto csv = dir.write("t.csv", "prompt,response,liked\nP,A,Up\nP,B,0\nQ,C,maybe\n");
    EXPECT_EQ(import_error(csv, "rated", liked), csv.string() + ":4: thumbs field 'liked' is 'maybe', not up/down, true/false, 1/0 or -1");
    liked.skip_bad_lines = true;
    Dataset mapped = import_dataset(csv, "rated", liked);
    EXPECT_EQ(mapped.prompts[0].responses[0].labels.at(kThumbsLabel), 1.0);
    EXPECT_EQ(mapped.prompts[0].responses[1].labels.at(kThumbsLabel), 0.0);
    EXPECT_EQ(mapped.prompts[0].responses[0].labels.count("liked"), 0u) << "the field is the thumbs label, not a number of its own";
}

}  // namespace
}  // namespace amalgam
