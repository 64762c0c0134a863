// DNS answers through c-ares' parsers into our types. RFC 1035 3.3, RFC 3596.
#include "core/dns/answers.hpp"

#include "core/dns/errors.hpp"
#include "core/dns/names.hpp"

#include <ares.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace posta::dns {
namespace {

dns_errc code_of(int status) {
  switch (status) {
    case ARES_ENOTFOUND: return dns_errc::nxdomain;
    case ARES_ENODATA: return dns_errc::nodata;
    case ARES_ETIMEOUT: return dns_errc::timeout;
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_EFORMERR: return dns_errc::refused;
    case ARES_EBADRESP:
    case ARES_EBADSTR: return dns_errc::bad_answer;
    case ARES_EBADNAME: return dns_errc::bad_name;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION: return dns_errc::cancelled;
    default: return dns_errc::server_failure;  // SERVFAIL, ECONNREFUSED, ENOMEM…: temporary
  }
}

unsigned char const* bytes(std::string_view answer) {
  return reinterpret_cast<unsigned char const*>(answer.data());
}
int length(std::string_view answer) { return static_cast<int>(std::min<std::size_t>(answer.size(), 65535)); }

template <class T>
struct ares_deleter {
  void operator()(T* p) const { ares_free_data(p); }
};
template <class T>
using ares_ptr = std::unique_ptr<T, ares_deleter<T>>;

}  // namespace

error error_from_status(int status, std::string_view what) {
  return make_error(code_of(status), std::string(what) + ": " + ares_strerror(status));
}

result<std::vector<mx_record>> parse_mx_answer(std::string_view answer, std::string_view what) {
  ares_mx_reply* raw = nullptr;
  int status = ares_parse_mx_reply(bytes(answer), length(answer), &raw);
  ares_ptr<ares_mx_reply> list(raw);
  if (status != ARES_SUCCESS) return error_from_status(status, what);
  std::vector<mx_record> out;
  for (auto* r = raw; r && out.size() < max_answer_records; r = r->next)
    out.push_back({r->priority, normalise_answer_name(r->host ? r->host : "")});
  if (out.empty()) return error_from_status(ARES_ENODATA, what);
  return out;
}

result<ipv4_list> parse_a_answer(std::string_view answer, std::string_view what) {
  std::array<ares_addrttl, max_answer_records> addrs{};
  int count = max_answer_records;
  int status = ares_parse_a_reply(bytes(answer), length(answer), nullptr, addrs.data(), &count);
  if (status != ARES_SUCCESS) return error_from_status(status, what);
  ipv4_list out;
  for (int i = 0; i < count; ++i) {
    boost::asio::ip::address_v4::bytes_type b;
    std::memcpy(b.data(), &addrs[i].ipaddr, b.size());
    out.emplace_back(b);
  }
  if (out.empty()) return error_from_status(ARES_ENODATA, what);
  return out;
}

result<ipv6_list> parse_aaaa_answer(std::string_view answer, std::string_view what) {
  std::array<ares_addr6ttl, max_answer_records> addrs{};
  int count = max_answer_records;
  int status = ares_parse_aaaa_reply(bytes(answer), length(answer), nullptr, addrs.data(), &count);
  if (status != ARES_SUCCESS) return error_from_status(status, what);
  ipv6_list out;
  for (int i = 0; i < count; ++i) {
    boost::asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), &addrs[i].ip6addr, b.size());
    out.emplace_back(b);
  }
  if (out.empty()) return error_from_status(ARES_ENODATA, what);
  return out;
}

result<txt_list> parse_txt_answer(std::string_view answer, std::string_view what) {
  ares_txt_ext* raw = nullptr;
  int status = ares_parse_txt_reply_ext(bytes(answer), length(answer), &raw);
  ares_ptr<ares_txt_ext> list(raw);
  if (status != ARES_SUCCESS) return error_from_status(status, what);
  txt_list out;
  std::size_t total = 0;
  for (auto* r = raw; r; r = r->next) {
    if (r->record_start && out.size() == max_answer_records) break;
    if (total + r->length > max_txt_octets) break;
    if (r->record_start || out.empty()) out.emplace_back();
    out.back().append(reinterpret_cast<char const*>(r->txt), r->length);
    total += r->length;
  }
  if (out.empty()) return error_from_status(ARES_ENODATA, what);
  return out;
}

}  // namespace posta::dns
