// The lexical layer of the IMAP command grammar (RFC 3501 4 and 9, RFC 9051
// 4 and 9): atoms, numbers, quoted strings, literals, astrings, mailboxes and
// flags over the text of one complete command as the command_reader hands it
// on (literals inline after their "{n}\r\n"). Internal to mail/imap/proto.
#pragma once

#include "mail/imap/proto/parse_options.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

class cursor {
 public:
  cursor(std::string_view text, parse_options const& options, std::span<std::size_t const> streamed = {})
      : text_(text), options_(options), streamed_(streamed) {}

  parse_options const& options() const noexcept { return options_; }
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  std::size_t position() const noexcept { return pos_; }
  void seek(std::size_t pos) noexcept { pos_ = pos; }

  // Consumes c when it is next.
  bool eat(char c);
  // Consumes a word (case-insensitive) that is not followed by another atom
  // character, e.g. eat_word("FLAGS") does not match "FLAGS.SILENT".
  bool eat_word(std::string_view w);
  // Consumes exactly these characters (case-insensitive), e.g. "BODY.PEEK[".
  bool eat_prefix(std::string_view w);

  // Each of these returns nullopt (or false) after recording what was expected.
  bool sp();
  bool expect(char c);
  std::optional<std::string_view> atom();  // 1*ATOM-CHAR
  std::optional<std::string_view> tag();   // 1*<ASTRING-CHAR except "+">
  std::optional<std::uint32_t> number();   // number (32 bits)
  std::optional<std::uint32_t> nz_number();
  std::optional<std::uint64_t> number64();  // RFC 9051 number64 (63 bits)
  std::optional<std::string> quoted();
  std::optional<std::string> literal(bool allow_literal8, bool* was_literal8 = nullptr);
  // A literal that may have been streamed (an APPEND message): then its
  // bytes are not in the text, the result is empty and `*streamed` is its
  // index among the command's streamed literals. literal() refuses those.
  std::optional<std::string> literal(bool allow_literal8, bool* was_literal8, std::optional<std::size_t>* streamed);
  std::optional<std::string> string();  // quoted / literal
  std::optional<std::string> astring();
  std::optional<std::optional<std::string>> nstring();
  std::optional<std::string> mailbox();             // astring, decoded, INBOX canonical
  std::optional<std::string> list_mailbox();        // 1*list-char / string, decoded
  std::optional<std::string> flag();                // \System, \Extension or keyword
  std::optional<std::string_view> sequence_text();  // the characters of a sequence-set
  // The longest run of characters satisfying pred (possibly empty).
  std::string_view take_while(bool (*pred)(char));

  // Records the first failure: "expected <what>". Returns false.
  bool fail(std::string_view what);
  bool failed() const noexcept { return !expected_.empty(); }
  // "expected <what> at \"<next few characters>\"" (printable ASCII only).
  std::string error_text() const;

 private:
  std::optional<std::string> decode_mailbox(std::string name);

  std::string_view text_;
  parse_options const& options_;
  std::span<std::size_t const> streamed_;  // positions of streamed literal bytes
  std::size_t pos_ = 0;
  std::string expected_;
  std::size_t fail_pos_ = 0;
};

// ATOM-CHAR of RFC 3501 9: CHAR except atom-specials.
bool is_atom_char(char c);

}  // namespace posta::mail::imap::proto
