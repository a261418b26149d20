# Optional sanitizer builds: cmake -DCLLM_SANITIZE=address (or undefined, thread, or address,undefined).
# ci/native-sanitizers.sh runs the native tests under them in every CI run. Undefined behaviour is fatal
# (no recovery), so a report fails the test instead of scrolling past.
set(CLLM_SANITIZE "" CACHE STRING "Sanitizers to build with (address, undefined, thread, ...); empty for none")
if(CLLM_SANITIZE)
  add_compile_options(-fsanitize=${CLLM_SANITIZE} -fno-omit-frame-pointer)
  if(CLLM_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  add_link_options(-fsanitize=${CLLM_SANITIZE})
endif()
