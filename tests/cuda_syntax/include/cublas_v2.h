// The cuBLAS types libtorch's CUDA headers name (tests/cuda_syntax). Never linked.
#pragma once
typedef struct cublasContext* cublasHandle_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0 } cublasStatus_t;
