// Which names the resolver asks for and how it spells them (RFC 1035 2.3.4:
// labels of 1..63 octets, 255 octets on the wire). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::dns {

// The name as it is asked: lower case, one trailing dot removed; nullopt
// when it cannot be asked. SECURITY: only letters, digits, '-' and '_'
// (SRV, DKIM and DMARC labels) in labels, so that nothing a remote peer or a
// message supplied reaches the wire as a control byte or a second label
// separator; internationalised names must arrive as A-labels.
std::optional<std::string> normalise_query_name(std::string_view name);

// A host name from an answer (MX exchange), in the same spelling; the root
// ("" or ".") stays "".
std::string normalise_answer_name(std::string_view name);

}  // namespace posta::dns
