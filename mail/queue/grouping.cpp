#include "mail/queue/grouping.hpp"

namespace posta::mail::queue {

bool same_message(queued_recipient const& a, queued_recipient const& b) {
  return a.blob_hash == b.blob_hash && a.sender == b.sender && a.envid == b.envid && a.ret == b.ret &&
         a.delivery_id == b.delivery_id && a.smtputf8 == b.smtputf8 && a.body_type == b.body_type;
}

}  // namespace posta::mail::queue
