#pragma once

#include <tuple>

#include <ATen/ATen.h>

namespace amalgam {

/** Each row of `x` [rows, n] in descending order, ties in ascending index: the values and
 *  their indices (int64), as at::sort(x, stable, dim 1, descending) gives them, NaN first;
 *  only the first `limit` of each row where limit is not negative. For float32 on the CPU it
 *  is a radix sort (four passes of 8 bits a row, the rows shared among the cores), where
 *  libtorch 1.13's comparison sort took most of a sampled decoding step with a real
 *  vocabulary, and a radix selection of the first `limit` where that is an eighth of the row
 *  or less (top-k sampling). Elsewhere it is at::sort. */
std::tuple<at::Tensor, at::Tensor> sort_descending(const at::Tensor& x, std::int64_t limit = -1);

}  // namespace amalgam
