// libpq driven by Asio: every wait is an await on the connection's socket, so
// an io thread never blocks on the database.
#include "core/db/connection.hpp"

#include "core/db/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <libpq-fe.h>

namespace posta::db {

using namespace boost::asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct connection::socket_holder {
  asio::posix::stream_descriptor descriptor;
  explicit socket_holder(asio::any_io_executor ex, int fd) : descriptor(ex, fd) {}
  // libpq owns the descriptor: Asio must never close it.
  ~socket_holder() { descriptor.release(); }
};

connection::connection(asio::any_io_executor executor) : executor_(std::move(executor)) {}

connection::~connection() { close(); }

void connection::close() noexcept {
  prepared_.clear();
  socket_.reset();
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

bool connection::is_open() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

bool connection::is_idle() const noexcept {
  return is_open() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

error connection::last_error(std::string_view what) const {
  std::string text = conn_ ? PQerrorMessage(conn_) : "no connection";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return make_error(errc::unavailable, std::string(what) + ": " + text);
}

// The descriptor can change during PQconnectPoll, so it is re-created after
// every poll step rather than cached.
void connection::refresh_socket() {
  socket_.reset();
  int fd = PQsocket(conn_);
  if (fd >= 0) socket_ = std::make_unique<socket_holder>(executor_, fd);
}

asio::awaitable<result<void>> connection::connect(std::string conninfo) {
  close();
  conn_ = PQconnectStart(conninfo.c_str());
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) co_return last_error("connect to database");
  auto status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) co_return last_error("connect to database");
    refresh_socket();
    if (!socket_) co_return last_error("connect to database");
    auto wait = status == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                                : asio::posix::stream_descriptor::wait_write;
    auto [ec] = co_await socket_->descriptor.async_wait(wait, use_tuple);
    if (ec) co_return make_error(ec, "connect to database");
    status = PQconnectPoll(conn_);
  }
  refresh_socket();
  if (PQsetnonblocking(conn_, 1) != 0) co_return last_error("set non-blocking");
  PQsetNoticeProcessor(conn_, [](void*, char const*) {}, nullptr);
  co_return result<void>{};
}

result<void> connection::consume_input() {
  if (!PQconsumeInput(conn_)) return last_error("read from database");
  dispatch_notifications();
  return {};
}

asio::awaitable<result<void>> connection::wait_readable() {
  auto [ec] = co_await socket_->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple);
  if (ec) co_return make_error(ec, "wait for database");
  co_return consume_input();
}

// Sends what libpq has buffered. While the server's replies may fill our
// receive buffer, input is consumed too, so neither side can stall the other.
asio::awaitable<result<void>> connection::flush() {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) co_return result<void>{};
    if (r < 0) co_return last_error("write to database");
    auto& d = socket_->descriptor;
    auto outcome = co_await (d.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple) ||
                             d.async_wait(asio::posix::stream_descriptor::wait_write, use_tuple));
    if (outcome.index() == 0) POSTA_CO_TRY(consume_input());
  }
}

asio::awaitable<result<rows>> connection::collect_results() {
  rows last;
  std::optional<error> failure;
  for (;;) {
    while (!PQisBusy(conn_)) {
      PGresult* res = PQgetResult(conn_);
      if (!res) {
        if (failure) co_return *failure;
        co_return last;
      }
      auto status = PQresultStatus(res);
      if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
        if (!failure) failure = error_from_result(res);
        PQclear(res);
      } else {
        last = rows(res);
      }
    }
    POSTA_CO_TRY(co_await wait_readable());
  }
}

// SECURITY: bounds the statement cache; dynamic SQL is never cached beyond it.
constexpr std::size_t max_prepared_statements = 512;

asio::awaitable<result<std::string>> connection::prepared_name(std::string const& sql, int parameters) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) co_return it->second;
  if (prepared_.size() >= max_prepared_statements) co_return std::string();
  std::string name = "posta_" + std::to_string(prepared_.size());
  if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), parameters, nullptr)) co_return last_error("prepare");
  POSTA_CO_TRY(co_await flush());
  POSTA_CO_TRY(co_await collect_results());
  prepared_.emplace(sql, name);
  co_return name;
}

asio::awaitable<result<rows>> connection::query(std::string sql, params args) {
  if (!is_open()) co_return last_error("query");
  std::vector<char const*> values;
  values.reserve(args.size());
  for (auto const& a : args) values.push_back(a ? a->c_str() : nullptr);
  int n = static_cast<int>(values.size());
  POSTA_CO_TRY_ASSIGN(auto name, co_await prepared_name(sql, n));
  int sent = name.empty() ? PQsendQueryParams(conn_, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
                          : PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0);
  if (!sent) co_return last_error("send query");
  POSTA_CO_TRY(co_await flush());
  auto out = co_await collect_results();
  co_return out;
}

asio::awaitable<result<void>> connection::execute(std::string sql) {
  if (!is_open()) co_return last_error("execute");
  if (!PQsendQuery(conn_, sql.c_str())) co_return last_error("send statement");
  POSTA_CO_TRY(co_await flush());
  POSTA_CO_TRY(co_await collect_results());
  co_return result<void>{};
}

asio::awaitable<result<std::vector<rows>>> connection::pipeline(std::vector<statement> statements) {
  if (!is_open()) co_return last_error("pipeline");
  std::vector<std::string> names;
  for (auto const& st : statements) {
    POSTA_CO_TRY_ASSIGN(auto name, co_await prepared_name(st.sql, static_cast<int>(st.args.size())));
    names.push_back(std::move(name));
  }
  if (!PQenterPipelineMode(conn_)) co_return last_error("enter pipeline mode");
  for (std::size_t i = 0; i < statements.size(); ++i) {
    auto const& st = statements[i];
    std::vector<char const*> values;
    for (auto const& a : st.args) values.push_back(a ? a->c_str() : nullptr);
    int n = static_cast<int>(values.size());
    int sent = names[i].empty()
                   ? PQsendQueryParams(conn_, st.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
                   : PQsendQueryPrepared(conn_, names[i].c_str(), n, values.data(), nullptr, nullptr, 0);
    if (!sent) co_return last_error("send pipelined query");
  }
  if (!PQpipelineSync(conn_)) co_return last_error("pipeline sync");
  POSTA_CO_TRY(co_await flush());

  std::vector<rows> out;
  std::optional<error> failure;
  bool synced = false;
  while (!synced) {
    while (!synced && !PQisBusy(conn_)) {
      PGresult* res = PQgetResult(conn_);
      if (!res) continue;  // end of one statement's results
      auto status = PQresultStatus(res);
      if (status == PGRES_PIPELINE_SYNC) {
        synced = true;
      } else if (status == PGRES_FATAL_ERROR || status == PGRES_PIPELINE_ABORTED) {
        if (!failure && status == PGRES_FATAL_ERROR) failure = error_from_result(res);
      } else {
        out.emplace_back(res);
        continue;  // ownership moved into rows
      }
      PQclear(res);
    }
    if (!synced) POSTA_CO_TRY(co_await wait_readable());
  }
  if (!PQexitPipelineMode(conn_)) co_return last_error("exit pipeline mode");
  if (failure) co_return *failure;
  co_return out;
}

asio::awaitable<result<void>> connection::wait_for_notification() {
  if (!is_open()) co_return last_error("listen");
  co_return co_await wait_readable();
}

void connection::dispatch_notifications() {
  while (PGnotify* n = PQnotifies(conn_)) {
    if (notify_handler_) notify_handler_(n->relname, n->extra ? n->extra : "");
    PQfreemem(n);
  }
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace posta::db
