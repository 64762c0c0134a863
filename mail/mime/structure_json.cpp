// Compact JSON form of message_structure for the jsonb column. Layout (v1):
//   {"v":1,"z":size,"hl":header lines,"s":subject,"f":from name,"d":date,
//    "a":attachments,"e":envelope,"b":root part}
//   envelope: [date,subject,from,sender|null,reply_to|null,to,cc,bcc,
//              in_reply_to,message_id]   (null sender/reply_to = same as from)
//   address:  [mailbox,host,name,adl] with trailing nulls dropped
//   part: {"t":"type/subtype","p":[k,v,...],"i","ds","en","m","dt","dp","lg",
//          "lc","o":[header_start,body_start,body_end],"l":lines,"c":[parts],
//          "e":envelope}   (absent key = NIL / empty / 0)
#include "mail/mime/structure_json.hpp"

#include "mail/mime/utf8.hpp"
#include "core/util/hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace posta::mail::mime {

namespace json = boost::json;

namespace {

// ---- writing ----

json::value bytes_value(std::string_view s) {
  if (is_valid_utf8(s) && s.find('\0') == std::string_view::npos) return json::string(s);
  return json::object{{"x", util::hex_encode(s)}};
}

json::value nbytes_value(std::optional<std::string> const& s) {
  return s ? bytes_value(*s) : json::value(nullptr);
}

json::array params_value(std::vector<parameter> const& params) {
  json::array out;
  for (auto const& p : params) {
    out.push_back(bytes_value(p.name));
    out.push_back(bytes_value(p.value));
  }
  return out;
}

json::array address_value(address const& a) {
  json::array out{nbytes_value(a.mailbox), nbytes_value(a.host), nbytes_value(a.name),
                  nbytes_value(a.adl)};
  while (!out.empty() && out.back().is_null()) out.pop_back();
  return out;
}

json::array address_list_value(address_list const& list) {
  json::array out;
  for (auto const& a : list) out.push_back(address_value(a));
  return out;
}

json::array envelope_value(envelope const& e) {
  auto defaulted = [&](address_list const& l) {
    return l == e.from ? json::value(nullptr) : json::value(address_list_value(l));
  };
  return json::array{nbytes_value(e.date),        nbytes_value(e.subject),
                     address_list_value(e.from),  defaulted(e.sender),
                     defaulted(e.reply_to),       address_list_value(e.to),
                     address_list_value(e.cc),    address_list_value(e.bcc),
                     nbytes_value(e.in_reply_to), nbytes_value(e.message_id)};
}

void put_optional(json::object& o, char const* key, std::optional<std::string> const& s) {
  if (s) o[key] = bytes_value(*s);
}

json::object part_value(body_part const& p) {
  json::object o;
  o["t"] = bytes_value(p.type + "/" + p.subtype);
  if (!p.params.empty()) o["p"] = params_value(p.params);
  put_optional(o, "i", p.id);
  put_optional(o, "ds", p.description);
  put_optional(o, "en", p.encoding);
  put_optional(o, "m", p.md5);
  put_optional(o, "dt", p.disposition);
  if (!p.disposition_params.empty()) o["dp"] = params_value(p.disposition_params);
  if (!p.language.empty()) {
    json::array langs;
    for (auto const& l : p.language) langs.push_back(bytes_value(l));
    o["lg"] = std::move(langs);
  }
  put_optional(o, "lc", p.location);
  o["o"] = json::array{p.header_start, p.body_start, p.body_end};
  if (p.lines) o["l"] = p.lines;
  if (!p.children.empty()) {
    json::array children;
    for (auto const& c : p.children) children.push_back(part_value(c));
    o["c"] = std::move(children);
  }
  if (p.message_envelope) o["e"] = envelope_value(*p.message_envelope);
  return o;
}

// ---- reading: each getter returns false on a malformed value ----

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool get_bytes(json::value const& v, std::string& out) {
  if (auto const* s = v.if_string()) {
    out.assign(s->data(), s->size());
    return true;
  }
  auto const* o = v.if_object();
  auto const* x = o ? o->if_contains("x") : nullptr;
  auto const* hex = x ? x->if_string() : nullptr;
  if (!hex || hex->size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < hex->size(); i += 2) {
    int hi = hex_digit((*hex)[i]), lo = hex_digit((*hex)[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool get_nbytes(json::value const* v, std::optional<std::string>& out) {
  out.reset();
  if (!v || v->is_null()) return true;
  return get_bytes(*v, out.emplace());
}

bool get_uint(json::value const* v, std::uint64_t& out) {
  if (!v) return false;
  boost::system::error_code ec;
  out = v->to_number<std::uint64_t>(ec);
  return !ec;
}

bool get_params(json::value const* v, std::vector<parameter>& out) {
  out.clear();
  if (!v) return true;
  auto const* a = v->if_array();
  if (!a || a->size() % 2) return false;
  for (std::size_t i = 0; i < a->size(); i += 2) {
    parameter p;
    if (!get_bytes((*a)[i], p.name) || !get_bytes((*a)[i + 1], p.value)) return false;
    out.push_back(std::move(p));
  }
  return true;
}

bool get_address(json::value const& v, address& out) {
  auto const* a = v.if_array();
  if (!a || a->size() > 4) return false;
  std::optional<std::string>* fields[] = {&out.mailbox, &out.host, &out.name, &out.adl};
  for (std::size_t i = 0; i < 4; ++i)
    if (!get_nbytes(i < a->size() ? &(*a)[i] : nullptr, *fields[i])) return false;
  return true;
}

bool get_address_list(json::value const& v, address_list& out) {
  auto const* a = v.if_array();
  if (!a) return false;
  out.resize(a->size());
  for (std::size_t i = 0; i < a->size(); ++i)
    if (!get_address((*a)[i], out[i])) return false;
  return true;
}

bool get_envelope(json::value const* v, envelope& e) {
  auto const* a = v ? v->if_array() : nullptr;
  if (!a || a->size() != 10) return false;
  auto const& f = *a;
  bool ok = get_nbytes(&f[0], e.date) && get_nbytes(&f[1], e.subject) &&
            get_address_list(f[2], e.from) && get_address_list(f[5], e.to) &&
            get_address_list(f[6], e.cc) && get_address_list(f[7], e.bcc) &&
            get_nbytes(&f[8], e.in_reply_to) && get_nbytes(&f[9], e.message_id);
  if (!ok) return false;
  e.sender = e.from;
  e.reply_to = e.from;
  return (f[3].is_null() || get_address_list(f[3], e.sender)) &&
         (f[4].is_null() || get_address_list(f[4], e.reply_to));
}

bool get_media_type(json::value const* v, body_part& p) {
  std::string t;
  if (!v || !get_bytes(*v, t)) return false;
  auto slash = t.find('/');
  if (slash == std::string::npos) return false;
  p.type = t.substr(0, slash);
  p.subtype = t.substr(slash + 1);
  return true;
}

bool get_languages(json::value const* v, std::vector<std::string>& out) {
  out.clear();
  if (!v) return true;
  auto const* a = v->if_array();
  if (!a) return false;
  for (auto const& l : *a)
    if (!get_bytes(l, out.emplace_back())) return false;
  return true;
}

bool get_offsets(json::value const* v, body_part& p, std::uint64_t size) {
  auto const* a = v ? v->if_array() : nullptr;
  if (!a || a->size() != 3) return false;
  if (!get_uint(&(*a)[0], p.header_start) || !get_uint(&(*a)[1], p.body_start) ||
      !get_uint(&(*a)[2], p.body_end))
    return false;
  // SECURITY: stored offsets are later used to slice the blob.
  return p.header_start <= p.body_start && p.body_start <= p.body_end && p.body_end <= size;
}

// SECURITY: the parser nests at most 64 levels; anything deeper is corrupt
// and must not recurse without bound.
constexpr int max_json_depth = 256;

bool get_part(json::value const& v, body_part& p, std::uint64_t size, int depth) {
  auto const* o = v.if_object();
  if (!o || depth > max_json_depth) return false;
  bool ok = get_media_type(o->if_contains("t"), p) && get_params(o->if_contains("p"), p.params) &&
            get_nbytes(o->if_contains("i"), p.id) && get_nbytes(o->if_contains("ds"), p.description) &&
            get_nbytes(o->if_contains("en"), p.encoding) && get_nbytes(o->if_contains("m"), p.md5) &&
            get_nbytes(o->if_contains("dt"), p.disposition) &&
            get_params(o->if_contains("dp"), p.disposition_params) &&
            get_languages(o->if_contains("lg"), p.language) &&
            get_nbytes(o->if_contains("lc"), p.location) && get_offsets(o->if_contains("o"), p, size);
  if (!ok) return false;
  p.lines = 0;
  if (auto const* l = o->if_contains("l"); l && !get_uint(l, p.lines)) return false;
  if (auto const* e = o->if_contains("e")) {
    if (!get_envelope(e, p.message_envelope.emplace())) return false;
  }
  auto const* c = o->if_contains("c");
  if (!c) return true;
  auto const* children = c->if_array();
  if (!children) return false;
  p.children.resize(children->size());
  for (std::size_t i = 0; i < children->size(); ++i)
    if (!get_part((*children)[i], p.children[i], size, depth + 1)) return false;
  return true;
}

error corrupt(char const* what) {
  return make_error(errc::invalid_argument, std::string("stored message structure: bad ") + what);
}

}  // namespace

json::value to_json(message_structure const& ms) {
  json::object o;
  o["v"] = structure_json_version;
  o["z"] = ms.size;
  o["hl"] = ms.header_lines;
  if (!ms.subject_decoded.empty()) o["s"] = bytes_value(ms.subject_decoded);
  if (!ms.from_name_decoded.empty()) o["f"] = bytes_value(ms.from_name_decoded);
  if (ms.sent_date) o["d"] = *ms.sent_date;
  if (ms.has_attachments) o["a"] = true;
  o["e"] = envelope_value(ms.env);
  o["b"] = part_value(ms.root);
  return o;
}

result<message_structure> from_json(json::value const& v) {
  auto const* o = v.if_object();
  if (!o) return corrupt("top level");
  auto const* version = o->if_contains("v");
  if (!version || !version->is_int64() || version->as_int64() != structure_json_version)
    return corrupt("version");
  message_structure ms;
  if (!get_uint(o->if_contains("z"), ms.size) || !get_uint(o->if_contains("hl"), ms.header_lines))
    return corrupt("sizes");
  std::optional<std::string> subject, from_name;
  if (!get_nbytes(o->if_contains("s"), subject) || !get_nbytes(o->if_contains("f"), from_name))
    return corrupt("decoded strings");
  ms.subject_decoded = subject.value_or("");
  ms.from_name_decoded = from_name.value_or("");
  if (auto const* d = o->if_contains("d")) {
    if (!d->is_int64()) return corrupt("date");
    ms.sent_date = d->as_int64();
  }
  if (auto const* a = o->if_contains("a")) {
    if (!a->is_bool()) return corrupt("attachment flag");
    ms.has_attachments = a->as_bool();
  }
  if (!get_envelope(o->if_contains("e"), ms.env)) return corrupt("envelope");
  auto const* b = o->if_contains("b");
  if (!b || !get_part(*b, ms.root, ms.size, 0)) return corrupt("body structure");
  return ms;
}

std::string to_json_text(message_structure const& ms) { return json::serialize(to_json(ms)); }

result<message_structure> from_json_text(std::string_view text) {
  json::parse_options options;
  options.max_depth = 4 * max_json_depth;  // each level: part object + children array + envelope
  boost::system::error_code ec;
  auto v = json::parse(text, ec, {}, options);
  if (ec) return make_error(errc::invalid_argument, "stored message structure: " + ec.message());
  return from_json(v);
}

}  // namespace posta::mail::mime
