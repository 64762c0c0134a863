# posta_module(NAME DEPS...): one static library per top-level folder, from every
# .cpp below it (tests live elsewhere). Globbing lets a new file join its module
# without touching CMake.
function(posta_module name)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(posta_${name} STATIC ${sources})
    target_include_directories(posta_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_compile_options(posta_${name} PRIVATE -Wall -Wextra)
    target_link_libraries(posta_${name} PUBLIC ${ARGN})
  else()
    add_library(posta_${name} INTERFACE)
    target_include_directories(posta_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(posta_${name} INTERFACE ${ARGN})
  endif()
endfunction()
