// Declarations of the NCCL API that libtorch's c10d headers use, for the syntax check of the
// NCCL process group (core/dist/process_group.cpp) where NCCL is absent. Never linked.
#pragma once

#include <cstddef>

#define NCCL_MAJOR 2
#define NCCL_MINOR 10
#define NCCL_PATCH 3
#define NCCL_VERSION_CODE 21003
#define NCCL_VERSION(X, Y, Z) ((X) * 10000 + (Y) * 100 + (Z))

extern "C" {
typedef struct ncclComm* ncclComm_t;
typedef struct {
    char internal[128];
} ncclUniqueId;
typedef enum { ncclSuccess = 0, ncclUnhandledCudaError, ncclSystemError, ncclInternalError, ncclInvalidArgument, ncclInvalidUsage,
               ncclRemoteError, ncclInProgress, ncclNumResults } ncclResult_t;
typedef enum { ncclSum, ncclProd, ncclMax, ncclMin, ncclAvg, ncclNumOps } ncclRedOp_t;
typedef enum { ncclInt8, ncclChar = ncclInt8, ncclUint8, ncclInt32, ncclInt = ncclInt32, ncclUint32, ncclInt64, ncclUint64, ncclFloat16,
               ncclHalf = ncclFloat16, ncclFloat32, ncclFloat = ncclFloat32, ncclFloat64, ncclDouble = ncclFloat64, ncclBfloat16,
               ncclNumTypes } ncclDataType_t;
ncclResult_t ncclGetVersion(int* version);
ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId);
ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank);
ncclResult_t ncclCommDestroy(ncclComm_t comm);
ncclResult_t ncclCommAbort(ncclComm_t comm);
const char* ncclGetErrorString(ncclResult_t result);
const char* ncclGetLastError(ncclComm_t comm);
ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError);
ncclResult_t ncclGroupStart();
ncclResult_t ncclGroupEnd();
}
