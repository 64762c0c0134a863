// The catalogue of runtime settings. A limit of 0 means unlimited where the
// description says so.
#include "core/settings/settings.hpp"

#include <boost/json/array.hpp>

namespace posta::settings {
namespace json = boost::json;

std::vector<definition> const& definitions() {
  static std::vector<definition> const all = {
      {"auth.default_domain", kind::string, "", "domain appended to logins given without @", 0, 0, string_format::host_name},
      {"auth.max_failures_per_ip", kind::integer, 20, "failed logins from one IP before it is locked out", 1, 100000},
      {"auth.max_failures_per_account", kind::integer, 10, "failed logins for one account from one client network before that pair is locked out", 1, 100000},
      {"auth.max_failures_per_account_total", kind::integer, 100, "failed logins for one account from all networks before it is locked out everywhere", 1, 1000000},
      // SECURITY: how long a password the directory last accepted still logs in while no directory server can be reached.
      {"directory.cached_login_hours", kind::integer, 24, "while a directory cannot be reached, its users log in with the password it last accepted within this many hours; 0: never", 0, 720},
      // SECURITY: bounds of what CardDAV clients store (issue 14).
      {"addressbook.max_card_kb", kind::integer, 1024, "largest vCard a CardDAV client may store, in KiB (refused with 413 before it is parsed)", 1, 1024},
      {"addressbook.gal_scope", kind::string, "domain", "whom the global address list shows: \"domain\" (the user's own domain) or \"organisation\" (every domain)"},
      {"addressbook.max_cards", kind::integer, 50000, "cards in one personal address book", 1, 1000000},
      {"http.allow_plaintext_auth_on_loopback", kind::boolean, false, "allow HTTP Basic logins (CardDAV) without TLS from 127.0.0.0/8 and ::1 (a webmail on the same host)"},
      {"signature.html", kind::string, "", "signature template (HTML) with [variables] from each account's directory attributes: [cn] [mail] [title] [telephoneNumber] [mobile] [pager] [url] [postalAddress] [description] [info] [department] [company] [ou] [ounotes]; images only as data: URLs"},
      {"signature.text", kind::string, "", "plain-text signature template with the same [variables] as signature.html"},
      {"auth.failure_window_seconds", kind::integer, 300, "window in which failed logins are counted", 1, 86400},
      {"auth.lockout_seconds", kind::integer, 300, "how long a locked-out network, account-and-network or account is refused", 1, 86400},
      {"net.max_connections_per_ip", kind::integer, 50, "concurrent connections per client IP on IMAP, POP3, XMPP and HTTP (0 = unlimited)", 0, 1000000},
      {"net.max_connections", kind::integer, 10000, "concurrent connections on all listeners together; the last tenth is kept for the HTTP listener (lowered to fit the descriptor limit)", 10, 1000000},
      {"net.shutdown_grace_seconds", kind::integer, 30, "on SIGTERM, how long sessions in the middle of a message may take to finish", 0, 3600},
      {"pools.disk_threads", kind::integer, 4, "threads for disk work: fsync, file creation and removal, garbage collection (read at start-up)", 1, 256},
      {"pools.cpu_threads", kind::integer, 2, "threads for CPU work: password hashing, MIME parsing (read at start-up)", 1, 256},
      // SECURITY: copied into every reply and Received header: a host name only.
      {"smtp.banner_name", kind::string, "", "server name in the SMTP banner and EHLO reply (empty = the hostname)", 0, 0,
       string_format::host_name},
      {"smtp.max_message_size_mb", kind::integer, 25, "largest message accepted, in MB (0 = the largest the store parses, 2047 MB)", 0, 2047},
      {"smtp.max_header_kb", kind::integer, 100, "largest header block of a message, in KB (lines of at most 998 octets)", 1, 65536},
      {"smtp.max_recipients", kind::integer, 100, "recipients per message (0 = unlimited)", 0, 1000000},
      {"smtp.max_messages_per_ip_per_minute", kind::integer, 0, "messages per client IP per minute (0 = unlimited)", 0, 1000000},
      {"smtp.max_connections_per_ip", kind::integer, 10, "concurrent SMTP connections per client IP (0 = unlimited)", 0, 1000000},
      {"smtp.command_timeout_seconds", kind::integer, 300, "time for a whole command line to arrive, and the base time of a DATA or BDAT transfer", 1, 3600},
      {"smtp.min_data_rate_bytes_per_second", kind::integer, 500, "DATA and BDAT must arrive at least this fast after the base time (0 = no rate)", 0, 1000000000},
      {"smtp.max_commands_per_session", kind::integer, 10000, "commands per SMTP session, NOOP and RSET included (0 = unlimited)", 0, 100000000},
      {"smtp.max_commands_per_second", kind::integer, 500, "sustained commands per second per SMTP session, bursts of five times that (0 = unlimited)", 0, 1000000},
      {"smtp.max_session_minutes", kind::integer, 60, "longest SMTP session (0 = unlimited)", 0, 10080},
      {"smtp.message_memory_mb", kind::integer, 256, "RAM all sessions together may use to keep messages in DATA; past it they go to disk only", 0, 1000000},
      {"smtp.allow_list", kind::list, json::array{}, "IPs, networks, sender addresses or @domains whose mail is always accepted"},
      {"smtp.deny_list", kind::list, json::array{}, "IPs, networks, sender addresses or @domains whose mail is always rejected"},
      {"smtp.trusted_networks", kind::list, json::array{}, "networks allowed to relay without authentication (none by default)"},
      {"smtp.auth_on_mx", kind::boolean, false, "offer AUTH on the MX port (smtp listener) too, not only on submission"},
      {"smtp.allow_plaintext_auth_on_loopback", kind::boolean, false, "allow AUTH without TLS from 127.0.0.0/8 and ::1"},
      // SECURITY: IMAP bounds (mail/imap/server): a command line, a literal
      // (APPENDLIMIT; other literals count against the line), sessions per
      // account, commands per second, and the autologout of RFC 3501 5.4.
      {"imap.max_line_kb", kind::integer, 64, "longest IMAP command line in KB, literals not counted (longer lines get BAD)", 1, 10240},
      {"imap.max_literal_mb", kind::integer, 50, "largest message APPEND takes, in MB (APPENDLIMIT; larger ones get NO [TOOBIG] before any byte is read)", 1, 2047},
      {"imap.max_sessions_per_account", kind::integer, 50, "concurrent IMAP sessions per account (0 = unlimited)", 0, 1000000},
      {"imap.max_commands_per_second", kind::integer, 1000, "sustained IMAP commands per second per session, bursts of five times that; faster clients are slowed down (0 = unlimited)", 0, 1000000},
      {"imap.idle_timeout_minutes", kind::integer, 30, "autologout of an authenticated IMAP session that sends nothing, IDLE included (RFC 3501 asks for at least 30); before login it is one minute", 1, 1440},
      // SECURITY: per-session memory for metadata already read (0 = none kept).
      {"imap.session_cache_kb", kind::integer, 2048, "memory each IMAP session may keep for the metadata of messages of its selected mailbox it has already read (dates, sizes, structure), so that repeated SEARCH and FETCH do not ask the database again (0 = none)", 0, 1048576},
      {"imap.allow_plaintext_auth_on_loopback", kind::boolean, false, "allow LOGIN and AUTHENTICATE PLAIN without TLS from 127.0.0.0/8 and ::1 (a webmail on the same host)"},
      {"xmpp.require_tls", kind::boolean, true, "c2s streams must negotiate STARTTLS before SASL (xmpps is TLS from the start); PLAIN is offered only inside TLS either way"},
      {"xmpp.ping_interval_seconds", kind::integer, 300, "a bound c2s session silent this long is pinged (XEP-0199); one that stays silent for another interval is closed with connection-timeout; read when a resource is bound", 1, 86400},
      // SECURITY: RFC 6120 13.12: at least 10,000 bytes must be accepted.
      {"xmpp.max_stanza_kb", kind::integer, 256, "largest XML stanza (and text node) a c2s stream accepts; past it the stream ends with policy-violation; read when a stream starts", 10, 65536},
      // SECURITY: bounds what senders can make an absent account keep.
      {"xmpp.max_offline_messages", kind::integer, 1000, "messages kept for an XMPP account with no available resource (XEP-0160); past it the sender gets service-unavailable", 0, 100000},
      // SECURITY: per-account and per-session XMPP bounds (jabber/server/session_admin.cpp).
      {"xmpp.max_resources_per_account", kind::integer, 10, "resources one XMPP account may have bound at once; one more is refused with resource-constraint (RFC 6120 7.6.2.1) (0 = unlimited)", 0, 10000},
      {"xmpp.max_roster_items", kind::integer, 1000, "roster items an XMPP user may add with a roster set (shared roster groups not counted); a set adding one more gets policy-violation (0 = unlimited)", 0, 100000},
      {"xmpp.max_stanzas_per_second", kind::integer, 200, "sustained stanzas per second per c2s session, bursts of five times that; faster clients are slowed down (reads wait), not cut (0 = unlimited)", 0, 1000000},
      // SECURITY: a dropped XEP-0198 session keeps its memory (up to its outbox bound) this long, and only so many per node.
      {"xmpp.resume_timeout_seconds", kind::integer, 300, "how long a c2s session with XEP-0198 resumption enabled waits for its client to resume after the connection drops without a stream close; then its unacknowledged messages go to another resource or offline storage and its presence becomes unavailable (0 = no resumption); read when a client enables stream management", 0, 86400},
      {"xmpp.sm_ack_request_seconds", kind::integer, 30, "a c2s stream with XEP-0198 stream management that has stanzas unacknowledged and has read nothing this long is sent an ack request (<r/>), again at most once per interval (0 = only after each write)", 0, 86400},
      {"xmpp.max_resumable_sessions", kind::integer, 1000, "dropped c2s sessions that may wait for a resumption at once on this node (XEP-0198); past it a dropped session ends at once", 0, 100000},
      // SECURITY: bounds of what an XMPP account keeps on the server (XEP-0191, XEP-0054, XEP-0049).
      {"xmpp.max_blocklist_items", kind::integer, 1000, "JIDs one XMPP account may block (XEP-0191); a block past it gets not-acceptable", 1, 100000},
      {"xmpp.max_vcard_photo_kb", kind::integer, 128, "largest vCard PHOTO an XMPP account may set, decoded (XEP-0054); larger ones get not-acceptable. The stanza itself must also fit xmpp.max_stanza_kb (base64 adds a third)", 1, 16384},
      {"xmpp.max_private_namespaces", kind::integer, 100, "namespaces one XMPP account may keep private XML under (XEP-0049); past it a set gets not-acceptable", 1, 10000},
      {"xmpp.max_private_kb", kind::integer, 1024, "private XML one XMPP account may keep in all (XEP-0049); past it a set gets not-acceptable", 1, 1048576},
      {"pop3.allow_plaintext_auth_on_loopback", kind::boolean, false, "allow USER/PASS and AUTH PLAIN without TLS from 127.0.0.0/8 and ::1"},
      // SECURITY: RFC 1939 3 autologout timer: at least 10 minutes by the RFC.
      {"pop3.idle_timeout_minutes", kind::integer, 10, "POP3 session without a command for this long is closed (nothing is deleted)", 1, 1440},
      // SECURITY: a pipelining POP3 client is slowed down, not served flat
      // out; a session's maildrop holds at most pop3.max_messages (16 bytes
      // and one LIST/UIDL line each), the oldest ones.
      {"pop3.max_commands_per_second", kind::integer, 1000, "sustained POP3 commands per second per session, bursts of five times that; faster clients are slowed down (0 = unlimited)", 0, 1000000},
      {"pop3.max_messages", kind::integer, 100000, "messages a POP3 session offers: the oldest of INBOX; newer ones are offered once older ones are deleted", 1, 10000000},
      // SECURITY: bounds the memory of parsed structures and headers kept for FETCH and SEARCH.
      {"mail.message_cache_mb", kind::integer, 64, "memory for parsed message structures and headers that IMAP FETCH and SEARCH reuse (0 = none)", 0, 65536},
      {"mail.quota_grace_percent", kind::integer, 10, "a mailbox under its quota takes the message that crosses it if it ends within this share more", 0, 100},
      {"mail.auto_folders", kind::list, json::array{"Drafts", "Sent", "Trash", "Junk", "Archive"}, "folders created with each new account besides INBOX: \"Name\" (RFC 6154 names get their special-use) or \"Name \\Use\"; changes apply to accounts created afterwards"},
      {"mail.postmaster", kind::string, "", "local mailbox that receives postmaster@ and abuse@ of every domain without its own (empty: those get 451)"},
      {"journal.retention_days", kind::integer, 90, "days the journal is kept (0 = forever)", 0, 36500},
      {"search.language", kind::string, "english", "stemming of the full-text index and its queries: english, french, russian or none (documents indexed before a change keep the old stems until `posta search reindex`)"},
      {"blobs.inline_max_kb", kind::integer, 256, "message bodies up to this size (KB) are stored in the database, larger ones as files (0 = always files; at most 1024, so that a batch of 64 stays far below PostgreSQL's 1 GB value limit)", 0, 1024},
      // SECURITY: bounds every statement and idle gap in a transaction (server
      // side) and every wait for the database (client side, plus a margin).
      {"db.statement_timeout_ms", kind::integer, 30000, "longest a database statement may run; waits for the database are bounded by it", 100, 3600000},
      // RCPT look-ups are remembered this long (cleared at once by any identity
      // change); 0 asks the database for every recipient.
      {"smtp.recipient_cache_seconds", kind::integer, 30, "how long a recipient look-up is reused at RCPT (0 = never)", 0, 3600},
      // Items checked by dns::validate_server_entry (registered by app/).
      {"dns.servers", kind::list, json::array{}, "name servers for outbound mail and policy look-ups, \"192.0.2.53\", \"192.0.2.53:5353\" or \"[2001:db8::53]:53\" (empty = the system's, from /etc/resolv.conf)"},
      // Outbound delivery (mail/queue). relay.smarthost and relay.smarthost_tls
      // are checked by mail::queue::validate_* (registered by app/).
      {"relay.smarthost", kind::string, "", "relay host for all remote mail, \"host:port\" or \"[192.0.2.1]:587\" (empty = deliver to each domain's MX)"},
      {"relay.smarthost_tls", kind::string, "starttls", "TLS to the relay host: starttls (required, certificate verified), implicit (TLS from the first byte, port 465) or none"},
      {"relay.smarthost_user", kind::string, "", "user name for AUTH PLAIN at the relay host (empty = no AUTH); sent only inside TLS"},
      {"relay.smarthost_password", kind::string, "", "password for AUTH at the relay host", 0, 0, string_format::secret},
      {"relay.tls_ca_file", kind::string, "", "PEM file of the CAs that verify relay hosts and relay.require_tls_domains servers (empty = the system's trust store)"},
      {"relay.require_tls_domains", kind::list, json::array{}, "recipient domains whose MX hosts must offer STARTTLS with a certificate valid for the MX name; otherwise mail to them waits"},
      {"relay.mx_port", kind::integer, 25, "TCP port of MX hosts (25; another only behind a port-forwarding firewall or in tests)", 1, 65535},
      {"queue.retry_interval_minutes", kind::integer, 30, "longest wait between two delivery attempts of a deferred message", 1, 10080},
      {"queue.min_time_minutes", kind::integer, 5, "wait before the first retry; each further retry waits twice as long, up to queue.retry_interval_minutes", 1, 10080},
      {"queue.max_time_hours", kind::integer, 120, "a message not delivered after this long is returned to its sender", 1, 8760},
      {"queue.delay_warning_hours", kind::integer, 4, "a message still deferred this long after it was queued gets one delay report to its sender, if its NOTIFY allows (0: never)", 0, 8760},
      {"queue.max_connections", kind::integer, 100, "outbound SMTP connections of this node at once", 1, 10000},
      {"queue.max_connections_per_destination", kind::integer, 10, "outbound SMTP connections to one domain (or the relay host) at once", 1, 1000},
      {"dkim.sign", kind::boolean, true, "new domains get a DKIM key, and outgoing mail from local domains with an active key is signed (relaxed/relaxed, rsa-sha256)"},
      {"mail.encode_utf8_headers", kind::boolean, true, "a message with UTF-8 headers for a server without SMTPUTF8 gets its headers encoded as RFC 2047 words (off: it is sent as it is)"},
      {"blobs.gc_grace_seconds", kind::integer, 3600, "age before an unreferenced message body is deleted", 60, 31536000},
  };
  return all;
}

definition const* find_definition(std::string_view key) {
  for (auto const& d : definitions())
    if (d.key == key) return &d;
  return nullptr;
}

std::string_view kind_name(kind k) {
  switch (k) {
    case kind::boolean: return "bool";
    case kind::integer: return "int";
    case kind::string: return "string";
    case kind::list: return "list";
  }
  return "unknown";
}

namespace {
std::mutex validators_mutex;
std::map<std::string, item_validator, std::less<>>& validators() {
  static std::map<std::string, item_validator, std::less<>> all;
  return all;
}
item_validator validator_for(std::string_view key) {
  std::lock_guard lock(validators_mutex);
  auto it = validators().find(key);
  return it == validators().end() ? item_validator{} : it->second;
}
}  // namespace

std::string host_name_problem(std::string_view name) {
  if (name.empty()) return {};
  if (name.size() > 253) return "longer than 253 characters";
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = std::min(name.find('.', start), name.size());
    auto label = name.substr(start, dot - start);
    if (label.empty()) return "empty label";
    if (label.size() > 63) return "a label is longer than 63 characters";
    for (char c : label) {
      bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ldh) return "only letters, digits, '-' and '.' are allowed";
    }
    if (label.front() == '-' || label.back() == '-') return "a label starts or ends with '-'";
    start = dot + 1;
  }
  return {};
}

void register_item_validator(std::string key, item_validator validator) {
  std::lock_guard lock(validators_mutex);
  validators()[std::move(key)] = std::move(validator);
}

result<json::value> validate(definition const& def, json::value const& value) {
  auto bad = [&](std::string why) { return make_error(errc::invalid_argument, def.key + ": " + why); };
  switch (def.type) {
    case kind::boolean:
      if (!value.is_bool()) return bad("expected true or false");
      return value;
    case kind::integer: {
      if (!value.is_int64() && !value.is_uint64()) return bad("expected a whole number");
      if (value.is_uint64() && value.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return bad("too large");
      std::int64_t v = value.is_int64() ? value.as_int64() : static_cast<std::int64_t>(value.as_uint64());
      if (v < def.min || v > def.max)
        return bad("must be between " + std::to_string(def.min) + " and " + std::to_string(def.max));
      return json::value(v);
    }
    case kind::string:
      if (!value.is_string()) return bad("expected a string");
      if (value.as_string().size() > 4096) return bad("longer than 4096 characters");
      if (def.format == string_format::host_name) {
        auto why = host_name_problem(value.as_string());
        if (!why.empty()) return bad("not a host name: " + why);
      }
      if (auto check = validator_for(def.key); check && !value.as_string().empty())
        if (auto ok = check(value.as_string()); !ok) return bad(ok.error().context);
      return value;
    case kind::list: {
      if (!value.is_array()) return bad("expected a list of strings");
      if (value.as_array().size() > 10000) return bad("more than 10000 entries");
      auto check = validator_for(def.key);
      for (auto const& item : value.as_array()) {
        if (!item.is_string()) return bad("expected a list of strings");
        if (check)
          if (auto ok = check(item.as_string()); !ok) return bad(ok.error().context);
      }
      return value;
    }
  }
  return bad("unknown type");
}

}  // namespace posta::settings
