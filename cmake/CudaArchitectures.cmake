# CUDA architectures: Ampere (sm_80, A100) and Hopper (sm_90, H100/H200) by default. Override with
# -DCMAKE_CUDA_ARCHITECTURES=... ; CI compiles both on every run so a kernel that breaks on one fails.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES 80 90)
endif()
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
# Static cudart: the plugin loads without a driver (the first CUDA call then reports no device), and
# the jar needs no separate libcudart.
set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
