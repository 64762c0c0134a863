// Delivery ids and their records; the per-field check of a request.
#include "mail/delivery/idempotency.hpp"

#include "core/db/arrays.hpp"
#include "core/util/crypto_random.hpp"
#include "core/util/hex.hpp"
#include "core/util/utf8.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace posta::mail::delivery {
namespace {

namespace json = boost::json;

json::array to_json(std::vector<std::string> const& v) {
  json::array out;
  for (auto const& s : v) out.emplace_back(s);
  return out;
}

std::vector<std::string> from_json(json::value const* v) {
  std::vector<std::string> out;
  if (auto const* a = v ? v->if_array() : nullptr)
    for (auto const& s : *a)
      if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

report parse_report(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  auto const* o = ec ? nullptr : v.if_object();
  if (!o) return {};
  report out;
  out.delivered = from_json(o->if_contains("delivered"));
  out.queued = from_json(o->if_contains("queued"));
  out.over_quota = from_json(o->if_contains("over_quota"));
  out.gone = from_json(o->if_contains("gone"));
  auto const* notice = o->if_contains("notice_sent");
  out.notice_sent = notice && notice->is_bool() && notice->get_bool();
  return out;
}

std::optional<error> check(std::string_view field, std::string_view value) {
  auto bad = util::first_unstorable_byte(value);
  if (!bad) return std::nullopt;
  return make_error(errc::invalid_argument, std::string(field) + " holds bytes that cannot be stored (offset " +
                                                std::to_string(*bad) + ")");
}

}  // namespace

asio::awaitable<result<std::map<std::string, report>>> committed_earlier(db::connection& c,
                                                                         std::vector<std::string> const& ids) {
  std::map<std::string, report> out;
  if (ids.empty()) co_return out;
  POSTA_CO_TRY_ASSIGN(auto r, co_await c.q("SELECT id, report::text FROM deliveries WHERE id = ANY($1::text[])",
                                           db::text_array(ids)));
  for (int i = 0; i < r.size(); ++i) out.emplace(r.str(i, 0), parse_report(r.text(i, 1)));
  co_return out;
}

db::statement record_deliveries(std::vector<std::string> const& ids, std::vector<report> const& reports) {
  std::vector<std::string> texts;
  for (auto const& rep : reports)
    texts.push_back(json::serialize(json::object{{"delivered", to_json(rep.delivered)},
                                                 {"queued", to_json(rep.queued)},
                                                 {"over_quota", to_json(rep.over_quota)},
                                                 {"gone", to_json(rep.gone)},
                                                 {"notice_sent", rep.notice_sent}}));
  return {"INSERT INTO deliveries(id, report) SELECT i, r FROM unnest($1::text[], $2::text[]) AS v(i, r)",
          db::make_params(db::text_array(ids), db::text_array(texts))};
}

result<std::string> new_delivery_id() {
  auto const raw = POSTA_TRY(util::random_bytes(16));
  std::string out;
  for (char c : raw) util::append_hex(out, static_cast<unsigned char>(c), true);
  return out;
}

std::optional<error> unstorable_field(request const& req) {
  if (auto e = check("sender", req.sender)) return e;
  for (std::size_t i = 0; i < req.recipients.size(); ++i) {
    auto const& r = req.recipients[i];
    auto n = " of recipient " + std::to_string(i + 1);
    if (auto e = check("address" + n, r.address)) return e;
    if (auto e = check("NOTIFY" + n, r.notify.value_or(""))) return e;
    if (auto e = check("ORCPT" + n, r.orcpt.value_or(""))) return e;
  }
  if (auto e = check("ENVID", req.envid.value_or(""))) return e;
  if (auto e = check("RET", req.ret.value_or(""))) return e;
  if (auto e = check("client address", req.client_ip)) return e;
  if (auto e = check("message structure", req.structure_json)) return e;
  return std::nullopt;
}

}  // namespace posta::mail::delivery
