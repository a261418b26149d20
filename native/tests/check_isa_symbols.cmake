# ctest isa_symbols: every global symbol that a per-ISA kernel object defines must live in that ISA's
# namespace (cllm::cpu::<isa>::). A weak inline function or template instance defined outside it (say a
# std:: helper instantiated in the AVX-512 copy) could be the one the linker keeps for every copy, and
# the generic path would then run AVX-512 code: SIGILL on older CPUs. Local (anonymous-namespace)
# symbols are safe and ignored.
#   cmake -DNM=<nm> -DISA=<isa> "-DOBJECTS=<a.o;b.o>" -P check_isa_symbols.cmake
set(bad "")
foreach(object IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -C --defined-only ${object} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${object}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  foreach(line IN LISTS lines)
    # "<address> <type> <name>"; lower-case types are local.
    if(line MATCHES "^[0-9a-fA-F]* ([A-Za-z]) (.*)$")
      set(type "${CMAKE_MATCH_1}")
      set(name "${CMAKE_MATCH_2}")
      string(REGEX MATCH "^[A-Z]$" global "${type}")
      if(global AND NOT type STREQUAL "U" AND NOT name MATCHES "^cllm::cpu::${ISA}::"
         AND NOT name MATCHES "^DW\\.ref\\.__gxx_personality_v0$")
        list(APPEND bad "${object}: ${type} ${name}")
      endif()
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " text "${bad}")
  message(FATAL_ERROR "global symbols outside cllm::cpu::${ISA}:\n  ${text}")
endif()
list(LENGTH OBJECTS count)
message(STATUS "${ISA}: ${count} objects, all global symbols in cllm::cpu::${ISA}")
