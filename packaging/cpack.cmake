# The Debian package: `cpack -G DEB` in the build folder (README: Install as a package).
set(CPACK_PACKAGE_NAME amalgam)
set(CPACK_PACKAGE_VENDOR "The Amalgam developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for fine-tuning LLMs on heterogeneous human feedback")
set(CPACK_PACKAGE_CONTACT "The Amalgam developers <amalgam@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # appends the shared libraries' packages to the list below
if(AMALGAM_GUI)
  # Qt loads its platform plugins at run time, so no shared-library link names their package.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_GENERATOR DEB)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/examples ${PROJECT_SOURCE_DIR}/resources/recipes
        DESTINATION share/amalgam PATTERN "*.py" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION share/doc/amalgam)
if(AMALGAM_GUI)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.amalgam.amalgam.desktop DESTINATION share/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.amalgam.amalgam.metainfo.xml DESTINATION share/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.amalgam.amalgam.mime.xml DESTINATION share/mime/packages RENAME io.amalgam.amalgam.xml)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/icons/io.amalgam.amalgam.svg DESTINATION share/icons/hicolor/scalable/apps)
  foreach(size 16 32 48 64 128 256)
    install(FILES ${PROJECT_SOURCE_DIR}/packaging/icons/io.amalgam.amalgam-${size}.png
            DESTINATION share/icons/hicolor/${size}x${size}/apps RENAME io.amalgam.amalgam.png)
  endforeach()
endif()

include(CPack)
