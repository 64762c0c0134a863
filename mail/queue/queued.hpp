// One queued remote recipient as the runner holds it (a `queue` row,
// schema/002, 004, 013), with the ages the database computed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace posta::mail::queue {

struct queued_recipient {
  std::int64_t id = 0;
  std::string blob_hash;
  std::int64_t size = 0;
  std::string sender;     // "" for the null reverse-path
  std::string recipient;  // "local@domain"
  std::string domain;     // lower case: the destination
  std::optional<std::string> envid;
  std::optional<std::string> ret;     // "FULL" | "HDRS"
  std::optional<std::string> notify;  // "NEVER" or "SUCCESS,FAILURE,DELAY"
  std::optional<std::string> orcpt;   // "rfc822;addr"
  std::optional<std::string> delivery_id;
  bool smtputf8 = false;                 // UTF-8 in the envelope or header
  std::optional<std::string> body_type;  // "8BITMIME" | "BINARYMIME"; nullopt: 7BIT
  bool may_sign = false;                 // DKIM: an authenticated or trusted client sent it (schema/015)
  int attempts = 0;                   // failed attempts so far
  bool delay_notice_sent = false;     // its sender was told of the delay
  std::chrono::seconds age{0};        // since it was queued
};

}  // namespace posta::mail::queue
