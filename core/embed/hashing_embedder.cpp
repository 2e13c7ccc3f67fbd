#include "core/embed/hashing_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "core/util/portable_log.h"

namespace amalgam {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/** Hashes of the text's unigrams and bigrams, sorted, so equal features sit together. */
std::vector<std::uint64_t> features(const std::string& text) {
    std::vector<std::uint64_t> words;
    std::uint64_t h = 0;
    bool in_word = false;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        bool word_char = std::isalnum(c) || c >= 0x80;  // bytes of non-ASCII letters count as word
        if (word_char) {
            if (!in_word) h = 0xcbf29ce484222325ULL;  // FNV-1a
            h = (h ^ static_cast<unsigned char>(std::tolower(c))) * 0x100000001b3ULL;
            in_word = true;
        } else if (in_word) {
            words.push_back(mix(h));
            in_word = false;
        }
    }
    if (in_word) words.push_back(mix(h));
    std::vector<std::uint64_t> out(words);
    for (std::size_t i = 1; i < words.size(); ++i) out.push_back(mix(words[i - 1] * 31 + words[i] + 0x9e3779b97f4a7c15ULL));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<float> HashingEmbedder::embed_texts(const std::vector<std::string>& texts, std::size_t corpus, Progress& progress) const {
    const std::size_t n = texts.size();
    progress.start("embed", n);
    std::vector<std::vector<std::uint64_t>> docs(n);
    std::unordered_map<std::uint64_t, std::uint32_t> document_frequency;
    for (std::size_t i = 0; i < n; ++i) {
        docs[i] = features(texts[i]);
        if (i >= corpus) continue;
        for (std::size_t j = 0; j < docs[i].size(); ++j)
            if (j == 0 || docs[i][j] != docs[i][j - 1]) ++document_frequency[docs[i][j]];
    }
    std::vector<float> out(n * kDim, 0.0f);
    const double log_docs = portable_log(1.0 + static_cast<double>(corpus));
    for (std::size_t i = 0; i < n; ++i) {
        float* row = &out[i * kDim];
        const auto& f = docs[i];
        for (std::size_t j = 0; j < f.size();) {
            std::size_t k = j;
            while (k < f.size() && f[k] == f[j]) ++k;
            double tf = 1.0 + portable_log(static_cast<double>(k - j));
            double idf = log_docs - portable_log(1.0 + document_frequency[f[j]]) + 1.0;  // smoothed, as scikit-learn
            double sign = (f[j] >> 63) ? -1.0 : 1.0;
            row[f[j] % kDim] += static_cast<float>(sign * tf * idf);
            j = k;
        }
        double norm = 0;
        for (std::size_t d = 0; d < kDim; ++d) norm += double(row[d]) * row[d];
        if (norm > 0) {
            float scale = static_cast<float>(1.0 / std::sqrt(norm));
            for (std::size_t d = 0; d < kDim; ++d) row[d] *= scale;
        }
        if ((i + 1) % 4096 == 0) progress.advance(i + 1);
    }
    progress.advance(n);
    progress.finish();
    return out;
}

}  // namespace amalgam
