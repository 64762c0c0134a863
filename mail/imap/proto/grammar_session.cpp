// Grammar of AUTHENTICATE with SASL-IR (RFC 3501 6.2.2, RFC 4959), LOGIN,
// ENABLE (RFC 5161), ID (RFC 2971), COMPRESS (RFC 4978) and the QUOTA
// commands (RFC 9208 4.2-4.4).
#include "mail/imap/proto/grammar.hpp"
#include "mail/imap/proto/collation.hpp"

namespace posta::mail::imap::proto::grammar {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

}  // namespace

parsed authenticate(cursor& c) {
  authenticate_cmd cmd;
  if (!c.sp()) return std::nullopt;
  auto mech = c.atom();
  if (!mech) return std::nullopt;
  cmd.mechanism = casemap_key(*mech);
  if (c.eat(' ')) {
    // initial-resp = base64 / "=" (RFC 4959 7)
    std::string_view ir = c.take_while(is_base64_char);
    if (ir.empty()) return c.fail("base64 initial response or \"=\""), std::nullopt;
    cmd.initial_response = ir == "=" ? std::string() : std::string(ir);
  }
  return cmd;
}

parsed login(cursor& c) {
  login_cmd cmd;
  auto user = c.sp() ? c.astring() : std::nullopt;
  auto pass = user && c.sp() ? c.astring() : std::nullopt;
  if (!pass) return std::nullopt;
  cmd.user = std::move(*user);
  cmd.password = std::move(*pass);
  return cmd;
}

parsed enable(cursor& c) {
  enable_cmd cmd;
  while (c.eat(' ')) {
    auto cap = c.atom();
    if (!cap) return std::nullopt;
    cmd.capabilities.push_back(casemap_key(*cap));
  }
  if (cmd.capabilities.empty()) return c.fail("SP capability"), std::nullopt;
  return cmd;
}

// id-params-list = "(" *(string SP nstring) ")" / nil
parsed id(cursor& c) {
  id_cmd cmd;
  if (!c.sp()) return std::nullopt;
  if (c.eat_word("NIL")) return cmd;
  bool ok = paren_list(c, true, [&](cursor& c) {
    auto field = c.string();
    auto value = field && c.sp() ? c.nstring() : std::nullopt;
    if (!value) return false;
    cmd.params.emplace_back(std::move(*field), std::move(*value));
    return true;
  });
  if (!ok) return std::nullopt;
  return cmd;
}

parsed compress(cursor& c) {
  auto mech = c.sp() ? c.atom() : std::nullopt;
  if (!mech) return std::nullopt;
  return compress_cmd{casemap_key(*mech)};
}

parsed getquota(cursor& c) {
  auto root = c.sp() ? c.astring() : std::nullopt;
  if (!root) return std::nullopt;
  return getquota_cmd{std::move(*root)};
}

// setquota_list = "(" [setquota_resource *(SP setquota_resource)] ")"
parsed setquota(cursor& c) {
  setquota_cmd cmd;
  auto root = c.sp() ? c.astring() : std::nullopt;
  if (!root || !c.sp()) return std::nullopt;
  cmd.root = std::move(*root);
  bool ok = paren_list(c, true, [&](cursor& c) {
    auto name = c.atom();
    auto limit = name && c.sp() ? c.number64() : std::nullopt;
    if (!limit) return false;
    cmd.limits.emplace_back(casemap_key(*name), *limit);
    return true;
  });
  if (!ok) return std::nullopt;
  return cmd;
}

}  // namespace posta::mail::imap::proto::grammar
