// Stanza error types and conditions and their XML (RFC 6120 section 8.3).
#include "jabber/proto/stanza_error.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <array>

namespace posta::jabber::proto {

namespace {

using type = stanza_error_type;

struct condition_entry {
  std::string_view name;
  stanza_error_type type;
};

// Indexed by stanza_condition; the types of the examples in RFC 6120 8.3.3.
constexpr std::array<condition_entry, 22> conditions = {{
    {"bad-request", type::modify},
    {"conflict", type::cancel},
    {"feature-not-implemented", type::cancel},
    {"forbidden", type::auth},
    {"gone", type::cancel},
    {"internal-server-error", type::cancel},
    {"item-not-found", type::cancel},
    {"jid-malformed", type::modify},
    {"not-acceptable", type::modify},
    {"not-allowed", type::cancel},
    {"not-authorized", type::auth},
    {"policy-violation", type::modify},
    {"recipient-unavailable", type::wait},
    {"redirect", type::modify},
    {"registration-required", type::auth},
    {"remote-server-not-found", type::cancel},
    {"remote-server-timeout", type::wait},
    {"resource-constraint", type::wait},
    {"service-unavailable", type::cancel},
    {"subscription-required", type::auth},
    {"undefined-condition", type::modify},
    {"unexpected-request", type::wait},
}};

static_assert(conditions.size() == static_cast<std::size_t>(stanza_condition::unexpected_request) + 1);

// Indexed by stanza_error_type.
constexpr std::array<std::string_view, 5> types = {"auth", "cancel", "continue", "modify", "wait"};

}  // namespace

std::string_view type_name(stanza_error_type t) {
  return types.at(static_cast<std::size_t>(t));
}

std::string_view condition_name(stanza_condition c) {
  return conditions.at(static_cast<std::size_t>(c)).name;
}

stanza_error_type default_type(stanza_condition c) {
  return conditions.at(static_cast<std::size_t>(c)).type;
}

std::optional<stanza_error_type> parse_stanza_error_type(std::string_view name) {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i] == name) return static_cast<stanza_error_type>(i);
  }
  return std::nullopt;
}

std::optional<stanza_condition> parse_stanza_condition(std::string_view name) {
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (conditions[i].name == name) return static_cast<stanza_condition>(i);
  }
  return std::nullopt;
}

stanza_error make_stanza_error(stanza_condition c, std::string text) {
  return stanza_error{default_type(c), c, std::move(text), {}};
}

std::string format_stanza_error(stanza_error const& e) {
  std::string out = "<error type='";
  out.append(type_name(e.type)).append("'");
  if (!e.by.empty()) {
    out.append(" by='");
    append_escaped(out, e.by);
    out.append("'");
  }
  out.append("><").append(condition_name(e.condition)).append(" xmlns='").append(ns::stanzas_errors).append("'/>");
  if (!e.text.empty()) {
    out.append("<text xmlns='").append(ns::stanzas_errors).append("' xml:lang='en'>");
    append_escaped(out, e.text);
    out.append("</text>");
  }
  return out.append("</error>");
}

}  // namespace posta::jabber::proto
