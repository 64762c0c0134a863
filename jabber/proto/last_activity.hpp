// XEP-0012 last activity, the pure part: the <query xmlns='jabber:iq:last'/>
// of a result (section 3: server uptime; section 4: seconds since the
// account's last resource went unavailable, with its status text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// <query xmlns='jabber:iq:last' seconds='N'>STATUS</query>; negative seconds
// (a clock step backwards) are shown as 0.
std::string format_last_activity(std::int64_t seconds, std::string_view status = {});

}  // namespace posta::jabber::proto
