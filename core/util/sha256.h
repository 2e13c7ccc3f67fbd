#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace amalgam {

/** Incremental SHA-256, used for content hashes of input files (reproducibility of a
 *  selection is keyed on them, so the hash must be a standard one). */
class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    std::string hex_digest();  // finishes the hash; call once

private:
    void block(const unsigned char* p);
    std::uint32_t h_[8];
    unsigned char buffer_[64];
    std::size_t buffered_ = 0;
    std::uint64_t length_ = 0;
};

std::string sha256_hex(std::string_view data);

/** The SHA-256 of a file's bytes; a file that cannot be read is a DataError naming it. */
std::string file_sha256(const std::filesystem::path& path);

}  // namespace amalgam
