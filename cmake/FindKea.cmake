# SPDX-License-Identifier: Apache-2.0
# Debian's kea-dev ships no pkg-config or CMake package files: find headers and libraries by hand.
# Defines Kea::hooks (an imported interface target) and Kea_FOUND.

find_path(KEA_INCLUDE_DIR hooks/hooks.h PATH_SUFFIXES kea)
set(_kea_libs dhcp++ hooks log cc asiolink util exceptions)
set(KEA_LIBRARIES "")
set(_kea_missing "")
foreach(l IN LISTS _kea_libs)
  find_library(KEA_LIB_${l} NAMES kea-${l})
  if(KEA_LIB_${l})
    list(APPEND KEA_LIBRARIES ${KEA_LIB_${l}})
  else()
    list(APPEND _kea_missing ${l})
  endif()
endforeach()
# Debian's kea_version.h has no version number; config.h has PACKAGE_VERSION.
if(KEA_INCLUDE_DIR AND EXISTS "${KEA_INCLUDE_DIR}/config.h")
  file(STRINGS "${KEA_INCLUDE_DIR}/config.h" _kea_ver REGEX "define PACKAGE_VERSION ")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" Kea_VERSION "${_kea_ver}")
endif()
find_program(KEA_DHCP4_EXECUTABLE kea-dhcp4 PATHS /usr/sbin)
find_program(KEA_PERFDHCP_EXECUTABLE perfdhcp PATHS /usr/sbin)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Kea REQUIRED_VARS KEA_INCLUDE_DIR KEA_LIBRARIES
                                  VERSION_VAR Kea_VERSION)
if(Kea_FOUND AND NOT _kea_missing STREQUAL "")
  set(Kea_FOUND FALSE)
endif()
if(Kea_FOUND AND NOT TARGET Kea::hooks)
  add_library(Kea::hooks INTERFACE IMPORTED)
  set_target_properties(Kea::hooks PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${KEA_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${KEA_LIBRARIES};Boost::headers")
endif()
mark_as_advanced(KEA_INCLUDE_DIR KEA_DHCP4_EXECUTABLE KEA_PERFDHCP_EXECUTABLE)
