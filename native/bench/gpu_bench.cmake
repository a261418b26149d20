# cllm-gpu-bench: GPU timings of the CUDA backend (CUDA events, peak bandwidth, WHILE graph vs host
# loop, GEMM alone vs cuBLAS). Included from the top level when the CUDA backend is built.
set(CLLM_BENCH_DIR ${CMAKE_SOURCE_DIR}/native/bench)
add_executable(cllm-gpu-bench
  ${CLLM_BENCH_DIR}/gpu_bench_main.cpp
  ${CLLM_BENCH_DIR}/gpu_device.cpp
  ${CLLM_BENCH_DIR}/gpu_model.cpp
  ${CLLM_BENCH_DIR}/gpu_runner.cpp
  ${CLLM_BENCH_DIR}/gpu_report.cpp
  ${CLLM_BENCH_DIR}/gpu_switches.cpp
  ${CLLM_BENCH_DIR}/presets.cpp)
include(ModelPresets)
target_include_directories(cllm-gpu-bench PRIVATE ${CUDAToolkit_INCLUDE_DIRS} ${CMAKE_SOURCE_DIR}/native/src
                           ${CLLM_MODEL_PRESETS_DIR})
target_link_libraries(cllm-gpu-bench PRIVATE cllm cllm_testing cllm_kernels CUDA::cudart_static Threads::Threads)
if(TARGET cllm_kernels_cublas)
  target_link_libraries(cllm-gpu-bench PRIVATE cllm_kernels_cublas)
endif()
add_dependencies(cllm-gpu-bench cllm_cuda)
target_compile_options(cllm-gpu-bench PRIVATE -O2)
cllm_warnings(cllm-gpu-bench)

# cllm-bench (the backend-independent benchmark) gets the same GPU section for --backend cuda.
if(TARGET cllm-bench)
  target_sources(cllm-bench PRIVATE
    ${CLLM_BENCH_DIR}/gpu_device.cpp ${CLLM_BENCH_DIR}/gpu_model.cpp ${CLLM_BENCH_DIR}/gpu_runner.cpp
    ${CLLM_BENCH_DIR}/gpu_report.cpp
  ${CLLM_BENCH_DIR}/presets.cpp)
  target_include_directories(cllm-bench PRIVATE ${CUDAToolkit_INCLUDE_DIRS} ${CMAKE_SOURCE_DIR}/kernels)
  target_link_libraries(cllm-bench PRIVATE CUDA::cudart_static Threads::Threads)
  target_compile_definitions(cllm-bench PRIVATE CLLM_BENCH_CUDA=1)
  add_dependencies(cllm-bench cllm_cuda)
endif()
