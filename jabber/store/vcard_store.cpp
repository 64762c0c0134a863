// vCard rows: identity joined with the user-owned fields; upsert of those.
#include "jabber/store/vcard_store.hpp"

#include "core/util/base64.hpp"

namespace posta::jabber::store {

asio::awaitable<result<std::optional<proto::vcard>>> load_vcard(db::pool& pool, std::string const& account) {
  POSTA_CO_TRY_ASSIGN(auto rows, co_await pool.q("SELECT a.address, a.display_name, v.nickname, v.photo_type, "
                                                 "v.photo IS NOT NULL, v.photo FROM accounts a "
                                                 "LEFT JOIN xmpp_vcards v ON v.account_id = a.id "
                                                 "WHERE a.address = $1",
                                                 account));
  if (rows.empty()) co_return std::nullopt;
  proto::vcard v;
  v.jabber_id = rows.str(0, 0);
  v.email = rows.str(0, 0);  // every account is a mailbox of that address
  v.full_name = rows.str(0, 1);
  v.nickname = rows.str(0, 2);
  if (rows.boolean(0, 4)) {
    v.photo_type = rows.str(0, 3);
    v.photo_base64 = util::base64_encode(rows.bytes(0, 5));
  }
  co_return v;
}

asio::awaitable<result<bool>> save_vcard(db::pool& pool, std::string const& account,
                                         proto::vcard_user_fields const& fields) {
  db::param type = std::string();
  db::param photo;  // NULL: no photo
  if (fields.photo) {
    type = fields.photo->type;
    photo = db::to_param(db::bytes{fields.photo->bytes});
  }
  POSTA_CO_TRY_ASSIGN(auto rows,
                      co_await pool.q("INSERT INTO xmpp_vcards(account_id, nickname, photo_type, photo) "
                                      "SELECT id, $2, $3, $4::bytea FROM accounts WHERE address = $1 "
                                      "ON CONFLICT (account_id) DO UPDATE SET nickname = EXCLUDED.nickname, "
                                      "photo_type = EXCLUDED.photo_type, photo = EXCLUDED.photo, updated_at = now()",
                                      account, fields.nickname, type, photo));
  co_return rows.affected() > 0;
}

}  // namespace posta::jabber::store
