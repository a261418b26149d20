# Optional sanitizer builds: cmake -DCLLM_SANITIZE=address (or undefined, or address,undefined).
set(CLLM_SANITIZE "" CACHE STRING "Sanitizers to build with (address, undefined, ...); empty for none")
if(CLLM_SANITIZE)
  add_compile_options(-fsanitize=${CLLM_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${CLLM_SANITIZE})
endif()
