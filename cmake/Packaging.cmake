# SPDX-License-Identifier: Apache-2.0
# The Debian package, provstation_<version>_amd64.deb. The programs' install() rules sit at the
# end of each component's CMakeLists.txt (station/, kea-hooks/, phonesim/, scanner/); what the
# admin gets besides them is installed here.
#
#   cmake --build build --target provstation_deb     # builds what it packs, then cpack -G DEB
#                                                    # -> build/provstation_0.1.0_amd64.deb
#
# `cpack` by itself builds nothing (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: a package never drags the
# whole tree, tests included, through a build); the target provstation_package_contents builds
# every program and library of the product folders, whatever their install() rules name.

set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(_pkg ${PROJECT_SOURCE_DIR}/packaging)

# /etc/provstation/provstation.toml (a conffile: the admin's edits survive upgrades).
install(FILES ${_pkg}/provstation.toml DESTINATION /etc/provstation)
# Debian 12 (bookworm) keeps packaged units in /lib/systemd/system.
install(FILES ${_pkg}/systemd/provstation.service DESTINATION /lib/systemd/system)
install(FILES ${_pkg}/tmpfiles.d/provstation.conf DESTINATION lib/tmpfiles.d)
install(FILES ${_pkg}/debian/copyright DESTINATION share/doc/provstation)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/provstation)
install(FILES ${PROJECT_SOURCE_DIR}/kea-hooks/README.md DESTINATION share/doc/provstation
        RENAME README.kea-hooks.md)
install(FILES ${_pkg}/examples/kea-dhcp4-hook.json ${_pkg}/apparmor/kea-dhcp4.snippet
        DESTINATION share/doc/provstation/examples)

set(PROVSTATION_PACKAGE_MAINTAINER "provstation maintainers <provstation@localhost>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME provstation)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${PROVSTATION_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # provstation_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# (One string: the summary line comes from CPACK_PACKAGE_DESCRIPTION_SUMMARY.)
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "provstation takes Cisco SPA phones from factory default to a verified provider\n"
    "configuration on a bench LAN: TFTP, HTTP and syslog servers, a dashboard, and\n"
    "libprovstation_kea.so, a hook for kea-dhcp4 that reports every lease to the station.\n"
    "The service runs as the system user provstation. Set bench.address in\n"
    "/etc/provstation/provstation.toml, then systemctl enable --now provstation.")
# The runtime libraries come from dpkg-shlibdeps (kea-common (>= x.y.z) among them, for the
# hook); Kea's hook ABI changes with every Kea release, so an upper bound pins the hook to the
# Kea it was built against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(_deps "adduser")
if(PROVSTATION_BUILD_HOOK AND Kea_VERSION MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)")
  math(EXPR _next_patch "${CMAKE_MATCH_3} + 1")
  string(APPEND _deps ", kea-common (<< ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${_next_patch}~)")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_deps}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "kea-dhcp4-server")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "kea-admin, iproute2")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_pkg}/debian/conffiles ${_pkg}/debian/postinst ${_pkg}/debian/prerm ${_pkg}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# Everything the product folders build (not the tests): what their install() rules may name.
set(_package_targets)
set(_dirs station scanner phonesim kea-hooks tftpd web)
list(TRANSFORM _dirs PREPEND ${PROJECT_SOURCE_DIR}/)
while(_dirs)
  list(POP_FRONT _dirs _dir)
  get_property(_sub DIRECTORY ${_dir} PROPERTY SUBDIRECTORIES)
  list(APPEND _dirs ${_sub})
  get_property(_targets DIRECTORY ${_dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t IN LISTS _targets)
    get_target_property(_type ${_t} TYPE)
    get_target_property(_src ${_t} SOURCE_DIR)
    if(_type MATCHES "^(EXECUTABLE|MODULE_LIBRARY|SHARED_LIBRARY)$" AND NOT _src MATCHES "/(bench|tests)(/|$)")
      list(APPEND _package_targets ${_t})
    endif()
  endforeach()
endwhile()
add_custom_target(provstation_package_contents)
add_dependencies(provstation_package_contents ${_package_targets})
add_custom_target(provstation_deb
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  COMMENT "cpack -G DEB: provstation_${PROJECT_VERSION}_amd64.deb"
  VERBATIM)
add_dependencies(provstation_deb provstation_package_contents)

if(PROVSTATION_BUILD_TESTS)
  add_subdirectory(${PROJECT_SOURCE_DIR}/tests/integration/packaging
                   ${PROJECT_BINARY_DIR}/tests/integration/packaging)
endif()
