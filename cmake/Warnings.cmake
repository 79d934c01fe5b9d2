# SPDX-License-Identifier: Apache-2.0
# Warnings and sanitizers, applied PRIVATE to our own targets only.

function(provstation_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
                                           -Woverloaded-virtual -Wimplicit-fallthrough)
  if(PROVSTATION_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PROVSTATION_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Applies the same flags to a target whose sources include third-party headers that are noisy
# under -Wold-style-cast (Kea, ZXing): everything but that warning.
function(provstation_set_warnings_relaxed target)
  provstation_set_warnings(${target})
  target_compile_options(${target} PRIVATE -Wno-old-style-cast -Wno-pedantic)
endfunction()
