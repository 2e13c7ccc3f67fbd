// The CUDA runtime header by the name some of libtorch's CUDA headers include (tests/cuda_syntax).
#pragma once
#include <cuda_runtime_api.h>
