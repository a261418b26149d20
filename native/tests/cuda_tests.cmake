# CUDA native tests (included from the top level once the kernels and the plugin exist). Each prints
# "SKIP: no CUDA device" and passes where no GPU answers, so ctest passes on machines without one;
# ci/gpu-check.sh fails a run in which a GPU is visible and they skip.
set(CLLM_TESTS_DIR ${CMAKE_SOURCE_DIR}/native/tests)

add_executable(test_cuda_kernels ${CLLM_TESTS_DIR}/test_cuda_kernels.cpp)
target_include_directories(test_cuda_kernels PRIVATE ${CMAKE_SOURCE_DIR}/native/src ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(test_cuda_kernels PRIVATE cllm_testing cllm_kernels CUDA::cudart_static)
if(TARGET cllm_kernels_cublas)
  target_link_libraries(test_cuda_kernels PRIVATE cllm_kernels_cublas)
endif()
cllm_warnings(test_cuda_kernels)
add_test(NAME cuda_kernels COMMAND test_cuda_kernels)

add_executable(test_cuda_backend ${CLLM_TESTS_DIR}/test_cuda_backend.cpp)
target_include_directories(test_cuda_backend PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(test_cuda_backend PRIVATE cllm_testing CUDA::cudart_static)
add_dependencies(test_cuda_backend cllm_cuda)  # loaded with dlopen from next to libcllm.so
cllm_warnings(test_cuda_backend)
add_test(NAME cuda_backend COMMAND test_cuda_backend)

# The kernels behind the opt-in speed switches (native/cuda/NOTES.md): switch on vs off vs CPU twin.
add_executable(test_cuda_switches ${CLLM_TESTS_DIR}/test_cuda_switches.cpp)
target_include_directories(test_cuda_switches PRIVATE ${CMAKE_SOURCE_DIR}/native/src ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(test_cuda_switches PRIVATE cllm_testing cllm_kernels CUDA::cudart_static)
cllm_warnings(test_cuda_switches)
add_test(NAME cuda_switches COMMAND test_cuda_switches)

# The whole backend (CUDA vs CPU logits, Jacobi == AR, graph modes, errors) with every speed switch on.
add_test(NAME cuda_backend_all_switches COMMAND test_cuda_backend)
set_tests_properties(cuda_backend_all_switches PROPERTIES ENVIRONMENT
  "CLLM_CUDA_PDL=1;CLLM_CUDA_ROPE_TABLE=1;CLLM_CUDA_ROW_SPREAD=1;CLLM_CUDA_ATTN_V2=1;CLLM_CUDA_GEMM_PREFETCH=1")

# ci/gpu-check.sh's own logic on this machine, GPU or not (ci/test-gpu-check.sh): with a stub nvidia-smi
# listing an H200 and the real build, the check must fail, within its deadline, with at most 8 files
# of results and a summary saying the CUDA tests did not run. Registered only here (nvcc found)
# because the check builds the CUDA backend. The script uses this build's cmake and nvcc.
find_program(CLLM_BASH bash)
if(CLLM_BASH)
  add_test(NAME gpu_check_script COMMAND ${CLLM_BASH} ${CMAKE_SOURCE_DIR}/ci/test-gpu-check.sh)
  set_tests_properties(gpu_check_script PROPERTIES
    TIMEOUT 900
    SKIP_RETURN_CODE 77
    ENVIRONMENT "CLLM_TEST_CMAKE=${CMAKE_COMMAND};CLLM_TEST_NVCC=${CMAKE_CUDA_COMPILER}")
endif()

# The device sampler against its CPU twin (native/src/sampling.cpp).
add_executable(test_cuda_sampling ${CLLM_TESTS_DIR}/test_cuda_sampling.cpp)
target_include_directories(test_cuda_sampling PRIVATE ${CMAKE_SOURCE_DIR}/native/src ${CMAKE_SOURCE_DIR}/kernels
                                                      ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(test_cuda_sampling PRIVATE cllm_testing cllm_kernels CUDA::cudart_static)
cllm_warnings(test_cuda_sampling)
add_test(NAME cuda_sampling COMMAND test_cuda_sampling)
