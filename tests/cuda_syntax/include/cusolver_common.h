// The cuSOLVER types libtorch's CUDA headers name (tests/cuda_syntax). Never linked.
#pragma once
typedef enum { CUSOLVER_STATUS_SUCCESS = 0, CUSOLVER_STATUS_EXECUTION_FAILED = 6 } cusolverStatus_t;
