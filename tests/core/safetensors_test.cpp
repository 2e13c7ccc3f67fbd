#include <cstring>
#include <functional>

#include <gtest/gtest.h>

#include "core/model_io/dtype.h"
#include "core/model_io/safetensors.h"
#include "test_support.h"

namespace amalgam {
namespace {

std::string float_bytes(const std::vector<float>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

std::string u16_bytes(const std::vector<float>& v, std::uint16_t (*convert)(float)) {
    std::string out;
    for (float f : v) {
        std::uint16_t h = convert(f);
        out += static_cast<char>(h & 0xFF);
        out += static_cast<char>(h >> 8);
    }
    return out;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

TEST(DType, HalfAndBfloat16Conversions) {
    EXPECT_EQ(float_to_half(1.0f), 0x3C00);
    EXPECT_EQ(float_to_half(-2.0f), 0xC000);
    EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
    EXPECT_EQ(float_to_half(1e6f), 0x7C00);      // overflows to infinity
    EXPECT_EQ(float_to_half(0.1f), 0x2E66);
    EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);  // smallest subnormal
    EXPECT_FLOAT_EQ(half_to_float(0x2E66), 0.0999755859375f);
    EXPECT_FLOAT_EQ(half_to_float(0x0001), 5.9604645e-8f);
    EXPECT_EQ(float_to_bfloat16(1.0f), 0x3F80);
    EXPECT_EQ(float_to_bfloat16(1.00390625f), 0x3F80);  // halfway: rounds to even
    EXPECT_FLOAT_EQ(bfloat16_to_float(0x4049), 3.140625f);
    for (float f : {0.0f, 0.5f, -1.25f, 1024.0f, 0.000030517578125f}) EXPECT_FLOAT_EQ(half_to_float(float_to_half(f)), f);
}

TEST(Safetensors, WriteThenReadEveryFloatType) {
    test::TempDir dir;
    std::vector<float> values = {0.5f, -1.0f, 2.25f, 1024.0f, 0.0f, -0.125f};
    std::string ids(16, '\0');
    ids[0] = 7;
    ids[8] = 9;
    write_safetensors(dir / "m.safetensors",
                      {{"a.weight", DType::F32, {2, 3}, float_bytes(values)},
                       {"b.weight", DType::F16, {6}, u16_bytes(values, float_to_half)},
                       {"c.weight", DType::BF16, {3, 2}, u16_bytes(values, float_to_bfloat16)},
                       {"ids", DType::I64, {2}, ids}},
                      {{"format", "pt"}});
    SafetensorsFile file(dir / "m.safetensors");
    EXPECT_EQ(file.metadata().at("format"), "pt");
    ASSERT_EQ(file.tensors().size(), 4u);
    for (const char* name : {"a.weight", "b.weight", "c.weight"}) EXPECT_EQ(file.tensors().at(name).to_float32(), values) << name;
    EXPECT_EQ(file.tensors().at("c.weight").shape, (std::vector<std::int64_t>{3, 2}));
    EXPECT_EQ(file.tensors().at("ids").data[8], 9);
    EXPECT_NE(message_of([&] { file.tensors().at("ids").to_float32(); }).find("'ids' is I64"), std::string::npos);
}

TEST(Safetensors, TruncatedFileNamesTheTensor) {
    test::TempDir dir;
    write_safetensors(dir / "m.safetensors", {{"w", DType::F32, {4}, float_bytes({1, 2, 3, 4})}});
    std::string bytes = test::read_text(dir / "m.safetensors");
    dir.write("cut.safetensors", bytes.substr(0, bytes.size() - 3));
    std::string error = message_of([&] { SafetensorsFile f(dir / "cut.safetensors"); });
    EXPECT_NE(error.find("cut.safetensors: truncated: tensor 'w'"), std::string::npos) << error;
    dir.write("tiny.safetensors", bytes.substr(0, 12));
    EXPECT_NE(message_of([&] { SafetensorsFile f(dir / "tiny.safetensors"); }).find("truncated"), std::string::npos);
}

TEST(Safetensors, HeaderThatLiesAboutSizesIsRefused) {
    test::TempDir dir;
    std::string header = R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
    std::string file(8, '\0');
    file[0] = static_cast<char>(header.size());
    dir.write("bad.safetensors", file + header + std::string(8, '\0'));
    std::string error = message_of([&] { SafetensorsFile f(dir / "bad.safetensors"); });
    EXPECT_NE(error.find("tensor 'w' holds 8 bytes, but F32 [3] needs 12"), std::string::npos) << error;
    // A shape whose size overflows is named for what it is, not as "needs 0".
    header = R"({"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})";
    file[0] = static_cast<char>(header.size());
    dir.write("huge.safetensors", file + header + std::string(8, '\0'));
    error = message_of([&] { SafetensorsFile f(dir / "huge.safetensors"); });
    EXPECT_NE(error.find("tensor 'w' has the shape [4611686018427387904, 4], too large for any file"), std::string::npos) << error;
}

TEST(Checkpoint, ShardedIndexAndExpectations) {
    test::TempDir dir;
    write_safetensors(dir / "model-00001-of-00002.safetensors", {{"embed.weight", DType::F32, {2, 2}, float_bytes({1, 2, 3, 4})}});
    write_safetensors(dir / "model-00002-of-00002.safetensors", {{"head.weight", DType::BF16, {2}, u16_bytes({1, 2}, float_to_bfloat16)}});
    dir.write("model.safetensors.index.json",
              R"({"metadata": {}, "weight_map": {"embed.weight": "model-00001-of-00002.safetensors",
                                                 "head.weight": "model-00002-of-00002.safetensors"}})");
    Checkpoint checkpoint(dir.path());
    EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"embed.weight", "head.weight"}));
    EXPECT_EQ(checkpoint.require("head.weight", {2}).to_float32(), (std::vector<float>{1, 2}));
    std::string wrong_shape = message_of([&] { checkpoint.require("embed.weight", {4, 2}); });
    EXPECT_NE(wrong_shape.find("model-00001-of-00002.safetensors: tensor 'embed.weight' has shape [2, 2], expected [4, 2]"),
              std::string::npos)
        << wrong_shape;
    std::string missing = message_of([&] { checkpoint.get("lm_head.weight"); });
    EXPECT_NE(missing.find("tensor 'lm_head.weight' is missing"), std::string::npos) << missing;
    // An index that puts a tensor in a shard that does not hold it.
    dir.write("model.safetensors.index.json",
              R"({"weight_map": {"embed.weight": "model-00001-of-00002.safetensors", "head.weight": "model-00001-of-00002.safetensors"}})");
    std::string lying = message_of([&] { Checkpoint again(dir.path()); });
    EXPECT_EQ(lying, (dir / "model.safetensors.index.json").string() +
                         ": lists tensor 'head.weight' in model-00001-of-00002.safetensors, which does not hold it");
}

}  // namespace
}  // namespace amalgam
