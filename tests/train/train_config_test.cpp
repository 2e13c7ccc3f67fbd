// The training config: presets, overrides, and errors that point at the YAML line.
#include <gtest/gtest.h>

#include "core/util/yaml_json.h"
#include "core/train/train_config.h"
#include "core/train/train_data.h"
#include "core/util/data_error.h"
#include "train_support.h"

namespace amalgam {
namespace {

TrainConfig parse(const std::string& yaml) { return train_config_from_json(yaml_to_json(yaml, "c.yaml").value, "/base"); }

/** The line an error in `yaml` is reported at, the way `train` reports it. */
std::size_t error_line(const std::string& yaml, std::string* reason = nullptr) {
    const YamlJson doc = yaml_to_json(yaml, "c.yaml");
    try {
        train_config_from_json(doc.value, "/base");
    } catch (const ConfigError& e) {
        if (reason) *reason = e.what();
        return doc.line_of(e.key());
    }
    ADD_FAILURE() << "no error for:\n" << yaml;
    return 0;
}

TEST(TrainConfig, AValueYamlTurnsIntoInvalidUtf8IsRefusedAtItsLine) {
    // A control character and a NUL in a plain scalar: valid UTF-8 in the file, not once read (found by fuzz_train_config).
    const std::string yaml("stage: sft\nmodel: mPP___\x13\x00___P\ndata: d.jsonl\n", 45);
    try {
        yaml_to_json(yaml, "c.yaml");
        ADD_FAILURE() << "accepted";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "c.yaml:2: a value that is not valid UTF-8 text (a control character or escape?)");
    }
}

TEST(TrainConfig, PaperPresetsCarryAppendixA3) {
    TrainConfig sft = parse("preset: paper-sft\nmodel: m\ndata: d.jsonl\n");
    EXPECT_EQ(sft.stage, Stage::Sft);
    EXPECT_DOUBLE_EQ(sft.optimizer.lr, 1e-5);
    EXPECT_EQ(sft.optimizer.schedule, Schedule::Cosine);
    EXPECT_DOUBLE_EQ(sft.optimizer.weight_decay, 0.05);
    EXPECT_EQ(sft.optimizer.warmup_steps, 100);
    EXPECT_EQ(sft.batch_size, 4);
    EXPECT_EQ(sft.max_length, 512);
    EXPECT_EQ(sft.max_steps, 5000);
    EXPECT_EQ(sft.lora.r, 16);
    EXPECT_DOUBLE_EQ(sft.lora.alpha, 32);
    EXPECT_DOUBLE_EQ(sft.lora.dropout, 0.05);
    EXPECT_EQ(sft.model, "/base/m");

    TrainConfig rm = parse("preset: paper-rm\nmodel: m\ndata: d.jsonl\n");
    EXPECT_EQ(rm.stage, Stage::RewardModel);
    EXPECT_DOUBLE_EQ(rm.optimizer.lr, 2e-5);
    EXPECT_EQ(rm.optimizer.schedule, Schedule::Linear);
    EXPECT_DOUBLE_EQ(rm.optimizer.weight_decay, 0.001);
    EXPECT_EQ(rm.lora.r, 8);
    EXPECT_DOUBLE_EQ(rm.lora.dropout, 0.1);
    EXPECT_FALSE(rm.max_steps.has_value());
    EXPECT_EQ(rm.epochs, 1);
}

TEST(TrainConfig, PaperPpoPresetAndItsSection) {
    TrainConfig c = parse("preset: paper-ppo\nmodel: m\nadapter: sft\nreward: rm\ndata: d.jsonl\n"
                          "ppo: {kl: {adaptive: false, init: 0.05}, new_tokens: [8, 16], cliprange: 0.1}\n");
    EXPECT_EQ(c.stage, Stage::Ppo);
    EXPECT_DOUBLE_EQ(c.optimizer.lr, 1.41e-5);
    EXPECT_EQ(c.batch_size, 32);
    EXPECT_EQ(c.grad_accum, 4);
    EXPECT_EQ(c.ppo.mini_batch, 1);
    EXPECT_EQ(c.ppo.ppo_epochs, 4);
    EXPECT_EQ(c.max_steps, 20000);
    EXPECT_EQ(c.lora.r, 16);
    EXPECT_EQ(c.reward, "/base/rm");
    EXPECT_FALSE(c.ppo.adaptive_kl);
    EXPECT_DOUBLE_EQ(c.ppo.kl_init, 0.05);
    EXPECT_DOUBLE_EQ(c.ppo.kl_target, 6.0);
    EXPECT_EQ(c.ppo.min_new_tokens, 8);
    EXPECT_EQ(c.ppo.max_new_tokens, 16);
    EXPECT_DOUBLE_EQ(c.ppo.cliprange, 0.1);
    EXPECT_DOUBLE_EQ(c.ppo.vf_coef, 0.1);
    EXPECT_FALSE(c.ppo.stop_at_eos) << "Stack-LLaMA never stops a response at EOS";
    EXPECT_EQ(c.eval_every, 100) << "the step at which the paper evaluates RLHF";
    EXPECT_EQ(c.log_every, 1);
    EXPECT_EQ(train_config_from_json(c.to_json(), "/elsewhere").to_json(), c.to_json());
    const TrainConfig bare = parse("stage: ppo\nmodel: m\nadapter: sft\nreward: rm\ndata: d.jsonl\n");
    EXPECT_TRUE(bare.ppo.stop_at_eos);
    EXPECT_EQ(bare.eval_every, 100) << "PPO evaluates every 100 steps unless told otherwise";
    EXPECT_EQ(bare.log_every, 1) << "and logs every step";
    EXPECT_EQ(parse("stage: ppo\nmodel: m\nreward: rm\ndata: d.jsonl\neval_every: 0\n").eval_every, 0);
    EXPECT_EQ(parse("stage: sft\nmodel: m\ndata: d.jsonl\n").eval_every, 0);
    EXPECT_TRUE(parse("preset: paper-ppo\nmodel: m\nadapter: sft\nreward: rm\ndata: d.jsonl\nppo: {stop_at_eos: true}\n").ppo.stop_at_eos);
}

TEST(TrainConfig, KtoPresetIsTrlsDefaultsAndItsSectionUsesTrlsNames) {
    TrainConfig c = parse("preset: kto\nmodel: m\nadapter: sft\ndata: u.jsonl\n"
                          "kto: {beta: 0.2, desirable_weight: 1.33, undesirable_weight: 0.5, precompute_ref_log_probs: true}\n");
    EXPECT_EQ(c.stage, Stage::Kto);
    EXPECT_DOUBLE_EQ(c.optimizer.lr, 1e-6);
    EXPECT_EQ(c.optimizer.warmup_steps, 0);
    EXPECT_EQ(c.batch_size, 8);
    EXPECT_EQ(c.max_length, 1024);
    EXPECT_EQ(c.epochs, 3);
    EXPECT_DOUBLE_EQ(c.kto.beta, 0.2);
    EXPECT_DOUBLE_EQ(c.kto.desirable_weight, 1.33);
    EXPECT_DOUBLE_EQ(c.kto.undesirable_weight, 0.5);
    EXPECT_TRUE(c.kto.precompute_ref_log_probs);
    EXPECT_EQ(train_config_from_json(c.to_json(), "/elsewhere").to_json(), c.to_json());
    const TrainConfig bare = parse("stage: kto\nmodel: m\ndata: u.jsonl\n");
    EXPECT_DOUBLE_EQ(bare.kto.beta, 0.1);
    EXPECT_DOUBLE_EQ(bare.kto.desirable_weight, 1.0);
    EXPECT_FALSE(bare.kto.precompute_ref_log_probs);
    std::string reason;
    EXPECT_EQ(error_line("stage: kto\nmodel: m\ndata: d\nbatch_size: 1\n", &reason), 4u);
    EXPECT_EQ(reason, "batch_size: must be at least 2 for kto: its KL estimate pairs each prompt with another row's completion");
    EXPECT_EQ(error_line("stage: kto\nmodel: m\ndata: d\nkto:\n  lambda_d: 2\n", &reason), 5u);
    EXPECT_NE(reason.find("kto.lambda_d: unknown key"), std::string::npos);
}

TEST(TrainConfig, TheFileOverridesItsPreset) {
    TrainConfig c = parse("preset: paper-sft\nmodel: /abs/m\ndata: d.jsonl\noptimizer: {lr: 2.0e-4}\nlora: {r: 4}\nepochs: 2\n");
    EXPECT_DOUBLE_EQ(c.optimizer.lr, 2e-4);
    EXPECT_EQ(c.optimizer.schedule, Schedule::Cosine);  // the rest of the preset stays
    EXPECT_EQ(c.lora.r, 4);
    EXPECT_DOUBLE_EQ(c.lora.alpha, 32);
    EXPECT_FALSE(c.max_steps.has_value());  // epochs given, so the preset's step count goes
    EXPECT_EQ(c.epochs, 2);
    EXPECT_EQ(c.model, "/abs/m");
    // run.json's form reads back to the same config.
    EXPECT_EQ(train_config_from_json(c.to_json(), "/elsewhere").to_json(), c.to_json());
}

TEST(TrainConfig, ErrorsNameTheYamlLine) {
    std::string reason;
    EXPECT_EQ(error_line("stage: sft\nmodel: m\ndata: d\noptimizer:\n  lr: fast\n", &reason), 5u);
    EXPECT_EQ(reason, "optimizer.lr: must be a number");
    EXPECT_EQ(error_line("stage: sft\nmodel: m\ndata: d\nlora:\n  r: 8\n  rank: 4\n", &reason), 6u);
    EXPECT_NE(reason.find("lora.rank: unknown key"), std::string::npos);
    EXPECT_EQ(error_line("stage: dpg\nmodel: m\ndata: d\n"), 1u);
    EXPECT_EQ(error_line("stage: ppo\nmodel: m\ndata: d\n", &reason), 0u);
    EXPECT_EQ(reason, "reward: is missing (the reward model's adapter folder)");
    EXPECT_EQ(error_line("stage: ppo\nmodel: m\ndata: d\nreward: r\nppo:\n  new_tokens: [64, 32]\n"), 6u);
    EXPECT_EQ(error_line("stage: sft\nmodel: m\ndata: d\ntemplate: \"{response} first\"\n"), 4u);
    EXPECT_EQ(error_line("model: m\ndata: d\n", &reason), 0u);
    EXPECT_EQ(reason, "stage: is missing (sft, rm, dpo, kto, ppo, grpo or rloo)");
    EXPECT_EQ(error_line("stage: sft\nmodel: m\ndata: d\nbatch_size: 0\n"), 4u);
    EXPECT_EQ(error_line("preset: paper-xl\nmodel: m\ndata: d\n"), 1u);
    try {
        yaml_to_json("stage: sft\nmodel: [m\n", "c.yaml");
        FAIL() << "broken YAML was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.file(), "c.yaml");
        EXPECT_GT(e.line(), 1u);
    }
    try {
        yaml_to_json("stage: sft\noptimizer:\n  lr: 1e-4\n  lr: 1e-5\n", "c.yaml");
        FAIL() << "a key given twice was accepted";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "c.yaml:4: 'optimizer.lr' is given twice (first on line 3)");
    }
}

TEST(TrainConfig, QuotedScalarsStayText) {
    YamlJson doc = yaml_to_json("a: \"12\"\nb: 12\nc: 1.5e-5\nd: true\ne: ~\n", "c.yaml");
    EXPECT_TRUE(doc.value["a"].is_string());
    EXPECT_TRUE(doc.value["b"].is_number_integer());
    EXPECT_DOUBLE_EQ(doc.value["c"].get<double>(), 1.5e-5);
    EXPECT_TRUE(doc.value["d"].is_boolean());
    EXPECT_TRUE(doc.value["e"].is_null());
}

TEST(TrainConfig, EveryPresetSurvivesTheTripThroughYaml) {
    for (const std::string& name : preset_names()) {
        TrainConfig config = preset_config(name);
        config.model = "/m/base model";
        config.data = "/d/train \"quoted\".jsonl";
        config.lora.target_modules = {"q_proj", "v_proj"};
        if (config.stage == Stage::Ppo) config.reward = "/runs/rm/adapter";
        config.prompt_template = "Q: {prompt}\n\nA: {response}";
        const std::string yaml = json_to_yaml(config.to_json());
        const TrainConfig back = train_config_from_json(yaml_to_json(yaml, "c.yaml").value, "/elsewhere");
        EXPECT_EQ(back.to_json(), config.to_json()) << yaml;
    }
    EXPECT_EQ(json_to_yaml({{"a", 1}, {"b", {{"c", "x y"}, {"d", {1, 2}}}}, {"e", 1.5e-5}}), "a: 1\nb:\n  c: \"x y\"\n  d: [1,2]\ne: 1.5e-05\n");
}

TEST(TrainConfig, TheFilesAConfigNamesMustBeWhatItsStageReads) {
    test::TempDir dir;
    const std::string pairs = dir.write("pairs.jsonl", "{}\n").string(), suites = dir.path().string();
    auto error = [](Stage stage, const std::string& data, const std::string& eval_data) {
        TrainConfig c = stage_defaults(stage);
        c.data = data;
        c.eval_data = eval_data;
        try {
            check_inputs(c);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("taken");
    };
    EXPECT_EQ(error(Stage::Sft, pairs, ""), "taken");
    EXPECT_EQ(error(Stage::Dpo, pairs, pairs), "taken");
    EXPECT_EQ(error(Stage::Ppo, pairs, suites), "taken");
    EXPECT_EQ(error(Stage::Sft, suites + "/none.jsonl", ""), "data: " + suites + "/none.jsonl: no such file");
    EXPECT_EQ(error(Stage::RewardModel, suites, ""), "data: " + suites + ": is a folder, expected a file of training data");
    EXPECT_EQ(error(Stage::Sft, pairs, suites),
              "eval_data: " + suites + ": is a folder; sft holds out a JSON-lines file of examples (a folder of evaluation suites is for ppo, grpo and rloo)");
    EXPECT_EQ(error(Stage::RewardModel, pairs, suites + "/none.jsonl"), "eval_data: " + suites + "/none.jsonl: no such file");
    EXPECT_EQ(error(Stage::Ppo, pairs, pairs), "eval_data: " + pairs + ": is a file; ppo evaluates on a folder of evaluation suites");
    EXPECT_EQ(error(Stage::Ppo, pairs, suites + "/none"), "eval_data: " + suites + "/none: no such folder");
}

TEST(TrainData, ReadsEveryRowShapeAndNamesTheLineOfABadOne) {
    test::TempDir dir;
    auto sft = dir.write("sft.jsonl", R"({"prompt": "p1", "response": "r1"}
{"prompt": "p2", "chosen": "c2", "rejected": "x"}

{"instruction": "Do it.", "input": "now", "output": "Done."}
)");
    auto rows = read_train_rows(sft, RowShape::Demonstration);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1].chosen, "c2");
    EXPECT_EQ(rows[2].prompt, "Do it.\n\nnow");
    EXPECT_EQ(rows[2].line, 4u);
    EXPECT_THROW(read_train_rows(sft, RowShape::Pair), DataError);  // line 1 has no rejected answer

    auto bad = dir.write("bad.jsonl", "{\"prompt\": \"p\", \"response\": \"r\"}\n{\"prompt\": 3, \"response\": \"r\"}\n");
    try {
        read_train_rows(bad, RowShape::Demonstration);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), bad.string() + ":2: field 'prompt' must be text");
    }
    EXPECT_THROW(read_train_rows(dir.write("empty.jsonl", "\n"), RowShape::Demonstration), DataError);
    EXPECT_EQ(read_train_rows(dir.write("prompts.jsonl", "{\"prompt\": \"only\"}\n"), RowShape::Prompt)[0].prompt, "only");
    EXPECT_THROW(read_train_rows(dir.write("broken.jsonl", "{\"prompt\": \n"), RowShape::Demonstration), DataError);
}

TEST(TrainData, LabelledRowsComeUnpairedOrFromAPair) {
    test::TempDir dir;
    auto rows = read_train_rows(dir.write("u.jsonl", R"({"prompt": "p1", "completion": "good", "label": true}
{"prompt": "p2", "chosen": "c2", "rejected": "r2"}
{"prompt": "p3", "response": "bad", "label": false}
)"),
                                RowShape::Labelled);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].chosen, "good");
    EXPECT_TRUE(rows[0].desirable);
    EXPECT_EQ(rows[1].chosen, "c2");  // the pair: its chosen desirable, then its rejected not
    EXPECT_TRUE(rows[1].desirable);
    EXPECT_EQ(rows[2].chosen, "r2");
    EXPECT_FALSE(rows[2].desirable);
    EXPECT_EQ(rows[2].line, 2u);
    EXPECT_EQ(rows[3].prompt, "p3");
    EXPECT_FALSE(rows[3].desirable);
    auto error_of = [&](const std::string& line) {
        const auto file = dir.write("bad.jsonl", line + "\n");
        try {
            read_train_rows(file, RowShape::Labelled);
        } catch (const DataError& e) {
            return std::string(e.what()).substr(file.string().size());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(error_of(R"({"prompt": "p", "completion": "c", "label": "yes"})"), ":1: field 'label' must be true or false");
    EXPECT_EQ(error_of(R"({"prompt": "p", "completion": "c"})"), ":1: missing field 'label' (a labelled row needs prompt, completion and label)");
    EXPECT_EQ(error_of(R"({"prompt": "p", "label": true})"), ":1: missing field 'completion' (a labelled row needs prompt, completion and label)");
}

TEST(TrainData, TemplateMasksThePromptAndEosEndsTheResponse) {
    test::TinyModel m(ModelType::Llama);
    auto tokenizer = load_tokenizer(m.dir.path());
    TextEncoder encoder(*tokenizer, TextFormat{"Q: {prompt}\nA: {response}"}, 256, 64);
    EncodedText t = encoder.encode("hi", "yo");
    // Byte-level ids: the prompt part "Q: hi\nA: " is 9 bytes; then "yo" and the end-of-text token.
    ASSERT_EQ(t.ids.size(), 12u);
    EXPECT_EQ(t.response_start, 9u);
    EXPECT_EQ(t.ids[9], 'y');
    EXPECT_EQ(t.ids.back(), 256);
    EXPECT_FALSE(t.truncated);

    TextEncoder short_encoder(*tokenizer, TextFormat{"Q: {prompt}\nA: {response}"}, 256, 16);
    EncodedText cut = short_encoder.encode(std::string(40, 'p'), std::string(40, 'r'));
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.ids.size(), 16u);
    EXPECT_EQ(cut.response_start, 8u);  // the prompt keeps half the length, its end
    EXPECT_EQ(cut.ids[7], ' ');
    EXPECT_EQ(cut.ids[8], 'r');
}

TEST(TrainData, ChatTemplateMasksAllButTheAssistantTurn) {
    test::ChatModel m;
    auto tokenizer = load_tokenizer(m.dir.path());
    const TextFormat format = text_format("chat", m.dir.path());
    ASSERT_TRUE(format.chat);
    TextEncoder encoder(*tokenizer, format, 256, 256);
    const std::vector<ChatMessage> context = {{"user", "Hi"}, {"assistant", "Hello."}};
    EncodedText t = encoder.encode("Why?", "Because.", context);
    const std::string prompt = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nWhy?<|im_end|>\n"
                               "<|im_start|>assistant\n";
    // The template writes the markers; nothing is added, and no end-of-text token follows its end of turn.
    EXPECT_EQ(t.ids, tokenizer->encode(prompt + "Because.<|im_end|>\n", false));
    EXPECT_EQ(t.response_start, tokenizer->encode(prompt, false).size());
    EXPECT_EQ(tokenizer->decode({t.ids.begin() + static_cast<std::ptrdiff_t>(t.response_start), t.ids.end()}, false), "Because.<|im_end|>\n");
    EXPECT_EQ(t.ids[t.response_start - 1], '\n');
    EXPECT_EQ(std::count(t.ids.begin(), t.ids.end(), 257), 4);  // every turn's start is the one special token
    EXPECT_EQ(encoder.turn_end_token(), 258);
    EXPECT_EQ(*encoder.encode_prompt("Why?", 8, context), tokenizer->encode(prompt, false));

    // A folder without a template keeps the default; a template text still overrides.
    test::TinyModel plain(ModelType::Llama);
    EXPECT_FALSE(text_format("chat", plain.dir.path()).chat);
    EXPECT_EQ(text_format("chat", plain.dir.path()).fill_in, TrainConfig{}.prompt_template);
    EXPECT_EQ(TextEncoder(*tokenizer, text_format("Q: {prompt}\nA: {response}", m.dir.path()), 256, 64).encode("hi", "yo").ids.back(), 256);
    EXPECT_FALSE(TextEncoder(*tokenizer, text_format("Q: {prompt}\nA: {response}", m.dir.path()), 256, 64).turn_end_token());
}

TEST(TrainData, ContextIsReadAsCurateWritesItAndCheckedByLine) {
    test::TempDir dir;
    const auto rows = read_train_rows(dir.write("c.jsonl", R"({"prompt": "p", "chosen": "c", "rejected": "r", "context": [{"role": "user", "text": "u"}, {"role": "assistant", "content": "a"}]})"
                                                            "\n"),
                                      RowShape::Pair);
    ASSERT_EQ(rows[0].context.size(), 2u);
    EXPECT_EQ(rows[0].context[1].role, "assistant");
    EXPECT_EQ(rows[0].context[1].content, "a");
    const auto bad = dir.write("bad.jsonl", R"({"prompt": "p", "response": "r", "context": [{"role": "narrator", "text": "x"}]})"
                                            "\n");
    try {
        read_train_rows(bad, RowShape::Demonstration);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), bad.string() + ":1: field 'context' has a turn of role 'narrator' (user, assistant or system)");
    }
}

}  // namespace
}  // namespace amalgam
