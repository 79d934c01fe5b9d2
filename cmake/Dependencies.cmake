# SPDX-License-Identifier: Apache-2.0
# Every external dependency comes from a Debian package (packaging/install-deps.sh) and is found
# here once, as an imported target.

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(pugixml REQUIRED)
find_package(ZLIB REQUIRED)
find_package(ZXing 1.4 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)

# Boost.Asio and Beast are header-only here; this target carries their common definitions.
add_library(provstation_asio INTERFACE)
target_link_libraries(provstation_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(provstation_asio INTERFACE BOOST_ASIO_NO_DEPRECATED
                                                      BOOST_BEAST_USE_STD_STRING_VIEW)
add_library(provstation::asio ALIAS provstation_asio)

if(PROVSTATION_BUILD_HOOK)
  find_package(Kea)
  if(NOT Kea_FOUND)
    message(WARNING "Kea development files not found: the hook and its tests are not built")
    set(PROVSTATION_BUILD_HOOK OFF CACHE BOOL "" FORCE)
  endif()
endif()
