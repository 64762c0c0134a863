// Table tests of the LDAP message reader (bench_login_load --self-test):
// answers as slapd sends them, whole and cut at every byte.
#pragma once

namespace posta::bench::login_load {

int run_self_test();  // 0 when every case passed

}  // namespace posta::bench::login_load
