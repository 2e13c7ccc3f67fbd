// Empty: libtorch's CUDA headers include it, and the declarations they use are in cuda_runtime_api.h.
#pragma once
#include "cuda_runtime_api.h"
