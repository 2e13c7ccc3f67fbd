// The cuSOLVER types libtorch's CUDA headers name (tests/cuda_syntax). Never linked.
#pragma once
#include <cusolver_common.h>
typedef struct cusolverDnContext* cusolverDnHandle_t;
