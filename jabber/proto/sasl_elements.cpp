// SASL and STARTTLS negotiation elements (RFC 6120 sections 5.4.2.3, 6.4, 6.5).
#include "jabber/proto/sasl_elements.hpp"

#include "jabber/proto/namespaces.hpp"

#include <array>

namespace posta::jabber::proto {

namespace {

constexpr std::array<std::string_view, 11> sasl_names = {
    "aborted",
    "account-disabled",
    "credentials-expired",
    "encryption-required",
    "incorrect-encoding",
    "invalid-authzid",
    "invalid-mechanism",
    "malformed-request",
    "mechanism-too-weak",
    "not-authorized",
    "temporary-auth-failure",
};

std::string element(std::string_view name, std::string_view ns, std::string_view content) {
  std::string out = "<";
  out += name;
  out += " xmlns='";
  out += ns;
  if (content.empty()) return out + "'/>";
  out += "'>";
  out += content;
  out += "</";
  out += name;
  out += ">";
  return out;
}

}  // namespace

std::string_view condition_name(sasl_condition c) {
  return sasl_names[static_cast<std::size_t>(c)];
}

std::string format_sasl_failure(sasl_condition c) {
  std::string cond = "<";
  cond += condition_name(c);
  cond += "/>";
  return element("failure", ns::sasl, cond);
}

std::string format_sasl_challenge(std::string_view base64) {
  return element("challenge", ns::sasl, base64.empty() ? std::string_view("=") : base64);
}

std::string format_sasl_success(std::string_view base64) {
  return element("success", ns::sasl, base64);
}

std::string format_tls_proceed() {
  return element("proceed", ns::tls, {});
}

std::string format_tls_failure() {
  return element("failure", ns::tls, {});
}

std::optional<std::string_view> sasl_payload(std::string_view cdata) {
  if (cdata.empty()) return std::nullopt;
  if (cdata == "=") return std::string_view();
  return cdata;
}

}  // namespace posta::jabber::proto
