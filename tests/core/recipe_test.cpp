#include <gtest/gtest.h>

#include "core/recipe/recipe.h"
#include "core/recipe/recipe_sources.h"
#include "core/util/data_error.h"
#include "test_support.h"

namespace amalgam {
namespace {

// The minimal recipe of DESIGN.md, exactly as written there.
const char* kDesignRecipe = R"(datasets:
  - name: winogrande
    path: ${data}/winogrande/train_xs.jsonl
    format: winogrande          # or auto
  - name: oasst
    path: ${data}/oasst1/oasst1-validation-en.jsonl
    format: oasst
    label: detoxify.toxicity    # labels.quality, rank, or a column of a rated file
    direction: lower_is_better  # or higher_is_better
curate:
  embedder: hashing             # or minilm, with model: DIR
  clusters: 10
  restarts: 10
  fraction: 0.2
  seed: 0
)";

TEST(Recipe, ParsesTheDesignExample) {
    Recipe r = parse_recipe(kDesignRecipe, "design.yaml", "/recipes", std::filesystem::path("/data"));
    ASSERT_EQ(r.datasets.size(), 2u);
    EXPECT_EQ(r.datasets[0].name, "winogrande");
    EXPECT_EQ(r.datasets[0].path, "/data/winogrande/train_xs.jsonl");
    EXPECT_EQ(r.datasets[0].role, DatasetRole::Train);
    EXPECT_EQ(r.datasets[1].format, "oasst");
    EXPECT_EQ(*r.datasets[1].label, "detoxify.toxicity");
    EXPECT_EQ(*r.datasets[1].direction, Direction::LowerIsBetter);
    EXPECT_EQ(r.curate.embedder, EmbedderKind::Hashing);
    EXPECT_EQ(r.curate.clusters, 10);
    EXPECT_EQ(r.curate.restarts, 10);
    EXPECT_EQ(r.curate.seed, 0u);
    EXPECT_EQ(r.fractions, std::vector<double>{0.2});
    EXPECT_EQ(r.text, kDesignRecipe);
}

TEST(Recipe, DataPrefixNeedsDataDir) {
    try {
        parse_recipe(kDesignRecipe, "design.yaml", "/recipes", std::nullopt);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), "design.yaml:3: path uses ${data}: pass --data DIR");
    }
}

TEST(Recipe, AValueYamlTurnsIntoInvalidUtf8IsRefusedAtItsLine) {
    const std::string text("datasets:\n  - path: a.jsonl\n    name: mPP___\x13\x00___P\n", 51);
    try {
        parse_recipe(text, "r.yaml", "/x", std::nullopt);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()), "r.yaml:3: name is not valid UTF-8 text (a control character or escape?)");
    }
}

TEST(Recipe, RelativePathsAreTakenFromTheRecipe) {
    Recipe r = parse_recipe("datasets:\n  - path: ../examples/pairwise.jsonl\n", "r.yaml", "/x/recipes", std::nullopt);
    EXPECT_EQ(r.datasets[0].path, "/x/examples/pairwise.jsonl");
    EXPECT_EQ(r.datasets[0].name, "pairwise");  // the file stem when no name is given
    EXPECT_EQ(r.fractions, std::vector<double>{1.0});
}

TEST(Recipe, TyposAndBadValuesAreErrorsWithLines) {
    auto error_of = [](const std::string& text) {
        try {
            parse_recipe(text, "r.yaml", "/", std::nullopt);
        } catch (const DataError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    auto starts = [](const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; };
    EXPECT_PRED2(starts, error_of("datasets:\n  - path: a.jsonl\ncurate:\n  fracton: 0.2\n"),
                 "r.yaml:4: unknown key 'fracton' in curate:");
    EXPECT_PRED2(starts, error_of("datasets:\n  - path: a.jsonl\n    direction: up\n"),
                 "r.yaml:3: unknown direction 'up' (lower_is_better or higher_is_better)");
    EXPECT_PRED2(starts, error_of("datasets:\n  - path: a.jsonl\n    format: parquet\n"),
                 "r.yaml:3: unknown format 'parquet'");
    EXPECT_EQ(error_of("datasets:\n  - path: a.jsonl\ncurate:\n  fraction: 1.5\n"), "r.yaml:4: a fraction must be in (0, 1]");
    EXPECT_EQ(error_of("datasets: []\n"), "r.yaml:1: datasets: must be a non-empty list");
    EXPECT_EQ(error_of("datasets:\n  - path: a\n  - path: a\n"), "r.yaml:3: two datasets are named 'a'");
    EXPECT_EQ(error_of("datasets:\n  - path: a\n    label: x\n    label: y\n"), "r.yaml:4: 'label' is given twice in a dataset (first on line 3)");
    EXPECT_EQ(error_of("curate:\n  seed: 1\ndatasets:\n  - path: a\ncurate:\n  seed: 2\n"),
              "r.yaml:5: 'curate' is given twice in the recipe (first on line 1)");
    EXPECT_PRED2(starts, error_of("datasets:\n  - path: a\n    fields:\n      prompt: question\n      anwser: reply\n"),
                 "r.yaml:5: unknown key 'anwser' in fields:");
    EXPECT_EQ(error_of("datasets:\n  - path: a\ncurate:\n  seed: -1\n"), "r.yaml:4: seed must be a whole number from 0 to 9999999999999999999, not '-1'");
}

TEST(Recipe, FractionList) {
    Recipe r = parse_recipe("datasets:\n  - path: a.jsonl\ncurate:\n  fraction: [0.2, 0.4, 1.0]\n", "r.yaml", "/", std::nullopt);
    EXPECT_EQ(r.fractions, (std::vector<double>{0.2, 0.4, 1.0}));
}

TEST(Recipe, WrittenYamlReadsBackToTheSameRecipe) {
    Recipe r = parse_recipe(kDesignRecipe, "design.yaml", "/recipes", std::filesystem::path("/data"));
    r.datasets[0].options.fields["prompt"] = "question";
    r.datasets[1].role = DatasetRole::Eval;
    r.fractions = {0.2, 0.5};
    const std::string yaml = to_yaml(r);
    Recipe back = parse_recipe(yaml, "again.yaml", "/elsewhere", std::nullopt);
    ASSERT_EQ(back.datasets.size(), 2u);
    EXPECT_EQ(back.datasets[0].path, "/data/winogrande/train_xs.jsonl");
    EXPECT_EQ(back.datasets[0].options.fields.at("prompt"), "question");
    EXPECT_EQ(back.datasets[1].label, "detoxify.toxicity");
    EXPECT_EQ(back.datasets[1].direction, Direction::LowerIsBetter);
    EXPECT_EQ(back.datasets[1].role, DatasetRole::Eval);
    EXPECT_EQ(back.curate.clusters, 10);
    EXPECT_EQ(back.fractions, r.fractions);
    EXPECT_EQ(to_yaml(back), yaml);
}

TEST(Recipe, LabelResolution) {
    DatasetSpec spec;
    spec.name = "o";
    EXPECT_EQ(resolve_label(spec, "oasst")->name, "rank");  // the format's default
    EXPECT_FALSE(resolve_label(spec, "pairwise"));
    spec.label = "detoxify.toxicity";
    EXPECT_THROW(resolve_label(spec, "oasst"), std::invalid_argument);  // no direction
    spec.direction = Direction::LowerIsBetter;
    EXPECT_EQ(resolve_label(spec, "oasst")->direction, Direction::LowerIsBetter);
    spec.label = "rank";
    spec.direction.reset();
    EXPECT_EQ(resolve_label(spec, "ranked")->direction, Direction::LowerIsBetter);
    spec.label = kThumbsLabel;
    EXPECT_EQ(resolve_label(spec, "rated")->direction, Direction::HigherIsBetter);
}

TEST(Recipe, AThresholdBelongsToANumericalLabel) {
    const std::string head = "datasets:\n  - {path: a.jsonl, ";
    Recipe r = parse_recipe(head + "label: score, direction: higher_is_better, threshold: 3.5}\n", "r.yaml", "/", std::nullopt);
    EXPECT_EQ(r.datasets[0].threshold, 3.5);
    EXPECT_EQ(resolve_label(r.datasets[0], "rated")->threshold, 3.5);
    EXPECT_NE(to_yaml(r).find("threshold: 3.5"), std::string::npos);
    EXPECT_EQ(parse_recipe(to_yaml(r), "again.yaml", "/", std::nullopt).datasets[0].threshold, 3.5);

    for (const char* label : {"label: rank, ", ""}) {
        Recipe ordinal = parse_recipe(head + label + "threshold: 1}\n", "r.yaml", "/", std::nullopt);
        try {
            resolve_label(ordinal.datasets[0], "pairwise");
            ADD_FAILURE() << label;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("threshold needs a numerical label"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(parse_recipe(head + "label: s, direction: lower_is_better, threshold: high}\n", "r.yaml", "/", std::nullopt), DataError);
}

TEST(Recipe, ALabelNoRecordCarriesIsAnErrorListingThoseThatExist) {
    DatasetSpec spec;
    spec.name = "oasst";
    spec.path = test::examples_dir() / "oasst_messages.jsonl";
    spec.label = "detoxify.toxicty";
    spec.direction = Direction::LowerIsBetter;
    try {
        load_source(spec, false, nullptr);
        FAIL() << "a misspelt label was accepted";
    } catch (const DataError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.find(spec.path.string() + ": no record has the label 'detoxify.toxicty' (its labels: detoxify.identity_attack, "), 0u)
            << what;
        EXPECT_NE(what.find("detoxify.toxicity"), std::string::npos);
    }
    spec.label = "detoxify.toxicity";
    EXPECT_EQ(load_source(spec, false, nullptr).label->name, "detoxify.toxicity");
}

TEST(Recipe, ShippedRecipesLoad) {
    Recipe demo = load_recipe(test::source_dir() / "resources/recipes/demo.yaml", std::nullopt);
    for (const auto& d : demo.datasets) EXPECT_TRUE(std::filesystem::exists(d.path)) << d.path;
    Recipe paper = load_recipe(test::source_dir() / "resources/recipes/paper.yaml", std::filesystem::path("/data"));
    EXPECT_EQ(paper.fractions, (std::vector<double>{0.2, 0.4, 0.6, 1.0}));
    EXPECT_EQ(paper.curate.clusters, 10);
    EXPECT_EQ(paper.curate.restarts, 10);
}

}  // namespace
}  // namespace amalgam
