# Debian package of the workbench: `cpack -G DEB` in the build folder.
set(CPACK_PACKAGE_NAME amalgam)
set(CPACK_PACKAGE_VENDOR "Amalgam")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for fine-tuning LLMs on heterogeneous human feedback")
set(CPACK_PACKAGE_CONTACT "amalgam@localhost")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_GENERATOR DEB)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/examples ${PROJECT_SOURCE_DIR}/resources/recipes
        DESTINATION share/amalgam)
if(AMALGAM_GUI)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/amalgam.desktop DESTINATION share/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.amalgam.Amalgam.metainfo.xml DESTINATION share/metainfo)
endif()

include(CPack)
