# Installing wblab and packaging it (cpack -G DEB). Everything lands in the layout that
# support/install_layout.hpp finds relative to the program: bin/, share/wblab/ (templates,
# scenarios), lib/wblab/ (modules); nothing installed names the build or source tree. Beside them:
# man pages (help2man), bash completion, documentation and the CMake package that downstream agent
# projects use (find_package(wblab), wblab_add_scenarios()).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(wblab-agent PROPERTIES EXPORT_NAME agent)
install(TARGETS wblab wblab-agent EXPORT wblabTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${WBLAB_INSTALL_DATADIR}/scenarios
        COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/docs/scenario.schema.json
        DESTINATION ${WBLAB_INSTALL_DATADIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/criteria/catalog.yaml
        DESTINATION ${WBLAB_INSTALL_DATADIR}/criteria COMPONENT runtime)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/agents/examples/bash-agent
        DESTINATION ${WBLAB_INSTALL_DATADIR}/agents COMPONENT runtime)
file(GLOB wblab_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${wblab_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/harness/completion/wblab.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME wblab
        COMPONENT runtime)

# Man pages from each program's --help and --version, at build time.
find_program(WBLAB_HELP2MAN help2man)
if(WBLAB_HELP2MAN)
  set(man_pages)
  foreach(page wblab wblab-agent)
    if(page STREQUAL "wblab")
      set(description "test lab and conformance harness for password writeback")
      set(commands "run,validate,list,explain,criteria,zoo,lab+up,report+merge")
    else()
      set(description "the reference password-writeback agent of wblab")
      set(commands "")
    endif()
    set(out ${PROJECT_BINARY_DIR}/man/${page}.1.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${CMAKE_COMMAND} "-DPROGRAM=$<TARGET_FILE:${page}>" -DNAME=${page}
              "-DDESCRIPTION=${description}" "-DCOMMANDS=${commands}"
              -DINCLUDE=${PROJECT_SOURCE_DIR}/docs/man/${page}.h2m -DOUTPUT=${out}
              -DWORK=${PROJECT_BINARY_DIR}/man -P ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
      DEPENDS ${page} ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
              ${PROJECT_SOURCE_DIR}/docs/man/${page}.h2m
      COMMENT "Man page ${page}(1)")
    list(APPEND man_pages ${out})
  endforeach()
  add_custom_target(wblab_man_pages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
else()
  message(WARNING "help2man not found (Debian package help2man): no man pages")
endif()

# The CMake package: relocatable, found beside the programs whatever the prefix.
set(cmake_dir lib/cmake/wblab)
install(EXPORT wblabTargets NAMESPACE wblab:: DESTINATION ${cmake_dir} COMPONENT devel)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/package/wblabConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/wblabConfig.cmake INSTALL_DESTINATION ${cmake_dir}
  PATH_VARS CMAKE_INSTALL_BINDIR WBLAB_INSTALL_DATADIR)
# 0.x: a new minor version may change what scenarios and options mean.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/wblabConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/wblabConfig.cmake
              ${PROJECT_BINARY_DIR}/package/wblabConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/package/WblabScenarios.cmake
        DESTINATION ${cmake_dir} COMPONENT devel)

# The Debian package: one .deb with everything above, its library dependencies found by
# dpkg-shlibdeps, its programs declared (slapd and slapadd, libfaketime's preload library).
set(CPACK_PACKAGE_NAME wblab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "wblab plays the cloud (Entra ID self-service password reset and password writeback), runs a \
real OpenLDAP slapd shaped like Active Directory (or a Samba AD DC), starts the writeback agent \
under test as a child process, replays YAML scenarios and reports, criterion by criterion, what \
conforms (JUnit, JSON, Markdown, HTML).")
set(CPACK_PACKAGE_CONTACT "wblab maintainers <maintainers@wblab.invalid>")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "slapd (>= 2.5), libfaketime")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "samba-ad-dc, samba-ad-provision, winbind, faketime, bash-completion, ldap-utils, jq, openssl, python3-cryptography")
include(CPack)
