#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/util/progress.h"

namespace amalgam {

/** Turns prompt texts into vectors for the diversity step (paper 2.5). */
class Embedder {
public:
    virtual ~Embedder() = default;
    virtual std::string name() const = 0;
    virtual std::size_t dim() const = 0;
    /** Roughly how long one text takes, for announcing the work's stages (measured on 2 cores). */
    virtual double seconds_per_text() const = 0;
    /// Row-major texts.size() x dim(), each row L2-normalised (all zero for an empty text).
    virtual std::vector<float> embed(const std::vector<std::string>& texts, Progress& progress) const = 0;
};

}  // namespace amalgam
