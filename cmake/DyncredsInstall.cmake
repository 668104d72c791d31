# Installs headers, both libraries, the CMake package and dyncreds.pc.
include(CMakePackageConfigHelpers)

set(DYNCREDS_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/dyncreds")

install(TARGETS dyncreds dyncreds_static
        EXPORT dyncredsTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/dyncreds"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${PROJECT_BINARY_DIR}/include/dyncreds/version.h"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dyncreds)
if(EXISTS "${PROJECT_SOURCE_DIR}/capi/dyncreds.h")
  install(FILES "${PROJECT_SOURCE_DIR}/capi/dyncreds.h" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()

install(EXPORT dyncredsTargets NAMESPACE dyncreds:: DESTINATION ${DYNCREDS_CMAKE_DIR})
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/dyncredsConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/dyncredsConfig.cmake"
  INSTALL_DESTINATION ${DYNCREDS_CMAKE_DIR})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/dyncredsConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/dyncredsConfig.cmake"
              "${PROJECT_BINARY_DIR}/dyncredsConfigVersion.cmake"
        DESTINATION ${DYNCREDS_CMAKE_DIR})

# pkg-config paths relative to the .pc file, so an installed tree relocates
# (and `cmake --install --prefix` works without reconfiguring).
file(RELATIVE_PATH DYNCREDS_PC_UP "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
set(DYNCREDS_PC_PREFIX "\${pcfiledir}/${DYNCREDS_PC_UP}")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(DYNCREDS_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(DYNCREDS_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file("${PROJECT_SOURCE_DIR}/cmake/dyncreds.pc.in"
               "${PROJECT_BINARY_DIR}/dyncreds.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/dyncreds.pc"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
