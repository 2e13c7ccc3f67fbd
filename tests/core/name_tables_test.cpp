// Every enum's one name table: each value has a name, each name (and other spelling) parses
// back to its value, no two values share a name, and an unknown name is refused with the list.
#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/contract/device.h"
#include "core/contract/job_kind.h"
#include "core/contract/precision.h"
#include "core/contract/stage.h"
#include "core/embed/embedder.h"
#include "core/data/label_choice.h"
#include "core/data/record.h"
#include "core/model_io/dtype.h"
#include "core/model_io/model_config.h"
#include "core/tokenize/sentencepiece_bpe_tokenizer.h"
#include "core/model/stop_reason.h"
#include "core/recipe/recipe.h"
#include "core/train/train_config.h"
#include "core/util/simd_level.h"

namespace amalgam {
namespace {

/** Checks `table` over an enum whose values are 0 .. count-1. */
template <typename Enum, std::size_t N>
void expect_round_trip(const NameTable<Enum, N>& table, int count) {
    SCOPED_TRACE(table.what);
    ASSERT_EQ(table.values().size(), static_cast<std::size_t>(count)) << "a value without a row, or a row out of order";
    std::set<std::string> seen;
    for (int i = 0; i < count; ++i) {
        const Enum value = static_cast<Enum>(i);
        const std::string name = to_string(value);
        EXPECT_NE(name, "?") << "value " << i << " has no name";
        EXPECT_EQ(parse_name<Enum>(name), value) << name;
        EXPECT_TRUE(seen.insert(name).second) << name << " names two values";
    }
    for (const auto& [value, spelling] : table.rows) {
        EXPECT_EQ(table.find(spelling), value) << spelling;
        EXPECT_EQ(std::count_if(table.rows.begin(), table.rows.end(), [&](const auto& r) { return std::string(r.second) == spelling; }), 1)
            << spelling << " is spelt twice";
    }
    try {
        parse_name<Enum>("no-such-name");
        ADD_FAILURE() << "an unknown name was taken";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()), "unknown " + std::string(table.what) + " 'no-such-name' (" + table.choices() + ")");
    }
}

TEST(NameTables, EveryNameRoundTrips) {
    expect_round_trip(stage_names, 7);
    expect_round_trip(schedule_names, 3);
    expect_round_trip(job_kind_names, 6);
    expect_round_trip(job_state_names, 5);
    expect_round_trip(device_kind_names, 2);
    expect_round_trip(precision_names, 5);
    expect_round_trip(embedder_kind_names, 2);
    expect_round_trip(direction_names, 2);
    expect_round_trip(supervision_names, 3);
    expect_round_trip(dtype_names, 10);
    expect_round_trip(model_family_names, 3);
    expect_round_trip(model_type_names, 11);
    expect_round_trip(rope_type_names, 6);
    expect_round_trip(norm_placement_names, 3);
    expect_round_trip(qk_norm_names, 3);
    expect_round_trip(activation_names, 4);
    expect_round_trip(dataset_role_names, 2);
    expect_round_trip(simd_level_names, 3);
    expect_round_trip(stop_reason_names, 3);
    expect_round_trip(prepend_scheme_names, 3);
}

TEST(NameTables, OtherSpellingsParseButAreNeverWritten) {
    EXPECT_EQ(parse_name<Activation>("swish"), Activation::Silu);
    EXPECT_EQ(parse_name<Activation>("gelu_pytorch_tanh"), Activation::GeluTanh);
    EXPECT_EQ(parse_name<Activation>("gelu_fast"), Activation::GeluTanh);
    EXPECT_STREQ(to_string(Activation::GeluTanh), "gelu_new");
    EXPECT_EQ(activation_names.choices(), "silu, gelu, gelu_new or relu");
}

TEST(NameTables, TheNamesFilesAndTheStoreHoldStayAsTheyWere) {
    // Workspaces, run.json and recipes written by earlier builds hold these spellings.
    EXPECT_STREQ(to_string(Stage::RewardModel), "rm");
    EXPECT_STREQ(to_string(JobKind::Evaluate), "eval");
    EXPECT_STREQ(to_string(JobKind::MakeModel), "make-model");
    EXPECT_STREQ(to_string(JobState::Cancelled), "cancelled");
    EXPECT_STREQ(to_string(Direction::LowerIsBetter), "lower_is_better");
    EXPECT_STREQ(to_string(DType::Bool), "BOOL");
    EXPECT_STREQ(to_string(EmbedderKind::MiniLm), "minilm");
}

TEST(Device, ParsesTheNamesTheWorkerPrints) {
    EXPECT_EQ(Device::parse("cpu"), (Device{DeviceKind::Cpu, -1}));
    EXPECT_EQ(Device::parse("cuda"), (Device{DeviceKind::Cuda, -1}));
    EXPECT_EQ(Device::parse("cuda:3"), (Device{DeviceKind::Cuda, 3}));
    for (const char* name : {"cpu", "cuda", "cuda:0", "cuda:12"}) EXPECT_EQ(Device::parse(name).name(), name);
    for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:1x", "cpu:0", ""}) EXPECT_THROW(Device::parse(bad), std::invalid_argument) << bad;
}

TEST(Precision, AutoResolvesByDeviceAndTheRestAreThemselves) {
    EXPECT_EQ(resolved(Precision::Auto, DeviceKind::Cpu), Precision::Float32);
    EXPECT_EQ(resolved(Precision::Auto, DeviceKind::Cuda), Precision::BFloat16);
    for (Precision p : precision_names.values()) {
        if (p == Precision::Auto) continue;
        for (DeviceKind kind : device_kind_names.values()) EXPECT_EQ(resolved(p, kind), p) << to_string(p);
    }
}

}  // namespace
}  // namespace amalgam
