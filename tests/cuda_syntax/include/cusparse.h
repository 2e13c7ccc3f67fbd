// The cuSPARSE types libtorch's CUDA headers name (tests/cuda_syntax). Never linked.
#pragma once
typedef struct cusparseContext* cusparseHandle_t;
typedef enum { CUSPARSE_STATUS_SUCCESS = 0 } cusparseStatus_t;
