#pragma once

#include <memory>

#include "core/data/importer.h"

namespace amalgam {

// One factory per format; each lives in its own <format>_importer.cpp.
std::unique_ptr<Importer> make_winogrande_importer();
std::unique_ptr<Importer> make_oasst_importer();
std::unique_ptr<Importer> make_winobias_importer();
std::unique_ptr<Importer> make_winogender_importer();
std::unique_ptr<Importer> make_pairwise_importer();
std::unique_ptr<Importer> make_ranked_importer();
std::unique_ptr<Importer> make_sft_importer();
std::unique_ptr<Importer> make_rated_importer();

}  // namespace amalgam
