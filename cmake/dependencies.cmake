# Third-party libraries. Imported targets keep their headers SYSTEM, so our
# warnings stay on our own code only.
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 REQUIRED COMPONENTS json)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(LDAP REQUIRED IMPORTED_TARGET ldap lber)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
pkg_check_modules(GSASL REQUIRED IMPORTED_TARGET libgsasl)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(XAPIAN REQUIRED IMPORTED_TARGET xapian-core)
pkg_check_modules(GLOOX REQUIRED IMPORTED_TARGET gloox)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 CONFIG QUIET)
find_package(EXPAT REQUIRED)
if(POSTA_TESTS)
  find_package(GTest REQUIRED)
endif()

# Boost.Asio: coroutines, no deprecated names, one io_context per process.
add_library(posta_asio INTERFACE)
target_link_libraries(posta_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(posta_asio INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_HAS_CO_AWAIT)
