#include "core/model_io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"
#include "core/util/json_error.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

[[noreturn]] void fail(const std::string& file, const std::string& what) { throw std::runtime_error(file + ": " + what); }

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::uint64_t read_le64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

bool is_floating(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64; }

}  // namespace

std::int64_t TensorView::numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::vector<float> TensorView::to_float32() const {
    const std::size_t n = static_cast<std::size_t>(numel());
    std::vector<float> out(n);
    switch (dtype) {
        case DType::F32: std::memcpy(out.data(), data, n * 4); break;
        case DType::F64:
            for (std::size_t i = 0; i < n; ++i) {
                double v;
                std::memcpy(&v, data + 8 * i, 8);
                out[i] = static_cast<float>(v);
            }
            break;
        case DType::F16:
        case DType::BF16:
            for (std::size_t i = 0; i < n; ++i) {
                std::uint16_t h = static_cast<std::uint16_t>(data[2 * i] | (data[2 * i + 1] << 8));
                out[i] = dtype == DType::F16 ? half_to_float(h) : bfloat16_to_float(h);
            }
            break;
        default: fail(file, "tensor '" + name + "' is " + to_string(dtype) + ", not a floating-point type");
    }
    return out;
}

SafetensorsFile::SafetensorsFile(const fs::path& path) : path_(path.string()) {
    int fd = ::open(path_.c_str(), O_RDONLY);
    if (fd < 0) fail(path_, "cannot open");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        fail(path_, "cannot stat");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ < 8) {
        ::close(fd);
        fail(path_, "truncated: " + std::to_string(size_) + " bytes, too short for a safetensors header");
    }
    mapping_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapping_ == MAP_FAILED) {
        mapping_ = nullptr;
        fail(path_, "cannot map");
    }
    const auto* bytes = static_cast<const unsigned char*>(mapping_);
    const std::uint64_t header_size = read_le64(bytes);
    if (header_size > size_ - 8) fail(path_, "truncated: header of " + std::to_string(header_size) + " bytes does not fit");
    json header;
    try {
        header = json::parse(bytes + 8, bytes + 8 + header_size);
    } catch (const json::exception& e) {
        fail(path_, std::string("malformed header: ") + e.what());
    }
    if (!header.is_object()) fail(path_, "malformed header: not a JSON object");
    const unsigned char* data = bytes + 8 + header_size;
    const std::size_t data_size = size_ - 8 - header_size;
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            for (const auto& [k, v] : entry.items())
                if (v.is_string()) metadata_[k] = v.get<std::string>();
            continue;
        }
        TensorView view;
        view.name = name;
        view.file = path_;
        try {
            const std::optional<DType> dtype = dtype_names.find(entry.at("dtype").get<std::string>());
            if (!dtype) fail(path_, "tensor '" + name + "' has unknown dtype " + entry.at("dtype").dump());
            view.dtype = *dtype;
            view.shape = entry.at("shape").get<std::vector<std::int64_t>>();
            auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
            if (offsets.size() != 2 || offsets[0] > offsets[1]) fail(path_, "tensor '" + name + "' has bad data_offsets");
            if (offsets[1] > data_size)
                fail(path_, "truncated: tensor '" + name + "' ends at byte " + std::to_string(offsets[1]) + " of " +
                                std::to_string(data_size));
            view.data = data + offsets[0];
            view.bytes = offsets[1] - offsets[0];
            ranges.emplace_back(offsets[0], offsets[1]);
        } catch (const json::exception& e) {
            fail(path_, "tensor '" + name + "': " + json_error_text(e));
        }
        if (std::any_of(view.shape.begin(), view.shape.end(), [](std::int64_t d) { return d < 0; }))
            fail(path_, "tensor '" + name + "' has a negative dimension");
        // The size its shape needs, counted without overflow: a shape too large for any file says so.
        std::size_t needs = dtype_size(view.dtype);
        for (std::int64_t d : view.shape)
            if (__builtin_mul_overflow(needs, static_cast<std::size_t>(d), &needs))
                fail(path_, "tensor '" + name + "' has the shape " + shape_text(view.shape) + ", too large for any file");
        if (needs != view.bytes)
            fail(path_, "tensor '" + name + "' holds " + std::to_string(view.bytes) + " bytes, but " + to_string(view.dtype) + " " +
                            shape_text(view.shape) + " needs " + std::to_string(needs));
        tensors_.emplace(name, std::move(view));
    }
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].first < ranges[i - 1].second) fail(path_, "tensors overlap in the data section");
}

SafetensorsFile::~SafetensorsFile() {
    if (mapping_) ::munmap(mapping_, size_);
}

Checkpoint::Checkpoint(const fs::path& path) {
    fs::path file = path;
    if (fs::is_directory(path)) {
        if (fs::exists(path / "model.safetensors.index.json")) file = path / "model.safetensors.index.json";
        else if (fs::exists(path / "model.safetensors")) file = path / "model.safetensors";
        else fail(path.string(), "no model.safetensors or model.safetensors.index.json in this folder");
    }
    std::vector<fs::path> shards;
    std::map<std::string, std::string> listed;  // tensor -> the shard the index puts it in
    if (file.extension() == ".json") {
        std::ifstream in(file);
        if (!in) fail(file.string(), "cannot open");
        json index;
        try {
            index = json::parse(in);
            std::vector<std::string> names;
            for (const auto& [tensor, shard] : index.at("weight_map").items()) {
                names.push_back(shard.get<std::string>());
                listed.emplace(tensor, names.back());
            }
            std::sort(names.begin(), names.end());
            names.erase(std::unique(names.begin(), names.end()), names.end());
            for (const auto& n : names) shards.push_back(file.parent_path() / n);
        } catch (const json::exception& e) {
            fail(file.string(), "malformed index: " + json_error_text(e));
        }
    } else {
        shards.push_back(file);
    }
    description_ = file.string();
    for (const auto& shard : shards) {
        files_.push_back(std::make_unique<SafetensorsFile>(shard));
        for (const auto& [name, view] : files_.back()->tensors())
            if (!index_.emplace(name, &view).second) fail(shard.string(), "tensor '" + name + "' is also in another shard");
    }
    for (const auto& [tensor, shard] : listed)
        if (!index_.count(tensor) || fs::path(index_.at(tensor)->file).filename() != fs::path(shard).filename())
            fail(file.string(), "lists tensor '" + tensor + "' in " + shard + ", which does not hold it");
}

std::vector<std::string> Checkpoint::names() const {
    std::vector<std::string> out;
    for (const auto& [name, view] : index_) out.push_back(name);
    return out;
}

const TensorView& Checkpoint::get(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) fail(description_, "tensor '" + name + "' is missing");
    return *it->second;
}

const TensorView& Checkpoint::require(const std::string& name, const std::vector<std::int64_t>& shape) const {
    const TensorView& view = get(name);
    if (!is_floating(view.dtype)) fail(view.file, "tensor '" + name + "' is " + to_string(view.dtype) + ", expected a floating-point type");
    if (view.shape != shape)
        fail(view.file, "tensor '" + name + "' has shape " + shape_text(view.shape) + ", expected " + shape_text(shape));
    return view;
}

std::string encode_safetensors(const std::vector<TensorData>& tensors, const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::size_t offset = 0;
    for (const auto& t : tensors) {
        std::int64_t n = 1;
        for (auto d : t.shape) n *= d;
        if (static_cast<std::size_t>(n) * dtype_size(t.dtype) != t.bytes.size())
            throw std::invalid_argument("tensor '" + t.name + "': " + std::to_string(t.bytes.size()) + " bytes do not fit " +
                                        to_string(t.dtype) + " " + shape_text(t.shape));
        header[t.name] = {{"dtype", to_string(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data section to 8 bytes
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xFF);
    out += text;
    for (const auto& t : tensors) out += t.bytes;
    return out;
}

void write_safetensors(const fs::path& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    write_file_atomically(path, encode_safetensors(tensors, metadata));
}

}  // namespace amalgam
