#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model_io/dtype.h"

namespace amalgam {

/** A tensor inside a mapped safetensors file: no copy, valid while its file is open. */
struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const unsigned char* data = nullptr;
    std::size_t bytes = 0;
    std::string file;

    std::int64_t numel() const;
    /// The values as float32, whatever the stored floating type.
    std::vector<float> to_float32() const;
};

/** One memory-mapped .safetensors file, its header checked on open: every tensor's dtype,
 *  shape and byte range agree, ranges stay inside the file and do not overlap. Errors are
 *  std::runtime_error naming the file and the tensor. */
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    const std::map<std::string, TensorView>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

private:
    std::string path_;
    void* mapping_ = nullptr;
    std::size_t size_ = 0;
    std::map<std::string, TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

/** The weights of a model folder: model.safetensors, or the shards that
 *  model.safetensors.index.json lists, looked up by tensor name. */
class Checkpoint {
public:
    /// A folder, a .safetensors file, or an index .json file.
    explicit Checkpoint(const std::filesystem::path& path);

    bool contains(const std::string& name) const { return index_.count(name) > 0; }
    std::vector<std::string> names() const;

    /// The tensor; an error names it and the files looked in when it is missing.
    const TensorView& get(const std::string& name) const;
    /// A floating-point tensor (F32, F16 or BF16) of the shape the model expects.
    const TensorView& require(const std::string& name, const std::vector<std::int64_t>& shape) const;

private:
    std::string description_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const TensorView*> index_;
};

/** A tensor to write: name, type, shape and its bytes (little-endian, row-major). */
struct TensorData {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::string bytes;
};

/** A safetensors file's bytes: the header, then the data in the order given. */
std::string encode_safetensors(const std::vector<TensorData>& tensors, const std::map<std::string, std::string>& metadata = {});

/** Writes a .safetensors file atomically (temporary file, then rename). */
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace amalgam
