// libpq driven by Asio: every wait is an await on the connection's socket, so
// an io thread never blocks on the database.
#include "core/db/connection.hpp"

#include "core/db/error.hpp"
#include "core/db/param_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
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
  return is_open() && !pending_begin_ && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

// Failures libpq detects itself carry no SQLSTATE from the server; they are
// connection exceptions (class 08) and say so, as server errors do.
error connection::last_error(std::string_view what) const {
  std::string text = conn_ ? PQerrorMessage(conn_) : "no connection";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  bool connecting = what.starts_with("connect");
  auto e = make_error(errc::unavailable, std::string("database [") + (connecting ? "08001" : "08006") + "] " +
                                             std::string(what) + ": " + text);
  // Connection attempts are logged by their caller (the pool backs off and
  // logs once per outage), everything else here.
  if (!connecting) note(e);
  return e;
}

error connection::refuse(error e) const {
  note(e);
  return e;
}

// The descriptor can change during PQconnectPoll, so it is re-created after
// every poll step rather than cached.
void connection::refresh_socket() {
  socket_.reset();
  int fd = PQsocket(conn_);
  if (fd >= 0) socket_ = std::make_unique<socket_holder>(executor_, fd);
}

std::chrono::milliseconds client_wait_bound(std::chrono::milliseconds statement_timeout) {
  return statement_timeout + std::max(std::chrono::milliseconds(1000), statement_timeout / 2);
}

// One failing operation often yields two errors (the server's FATAL, then
// the closed socket): only the first is logged.
void connection::note(error const& e) const {
  if (failure_logged_) return;
  failure_logged_ = true;
  log_database_error(e);
}

void connection::begin_operation() {
  failure_logged_ = false;
  auto at = std::chrono::steady_clock::now() + client_wait_bound(options_.statement_timeout);
  if (deadline_ && *deadline_ < at) at = *deadline_;
  operation_deadline_ = at;
}

error connection::timed_out() {
  auto bound = std::chrono::duration_cast<std::chrono::milliseconds>(client_wait_bound(options_.statement_timeout));
  close();  // its state is unknown: a late answer must not reach the next user
  auto e = make_error(errc::unavailable, "database [57014] no answer within " + std::to_string(bound.count()) +
                                             " ms (timed out by the client; connection closed)");
  note(e);
  return e;
}

asio::awaitable<result<connection::ready>> connection::wait_socket(bool read, bool write) {
  using sd = asio::posix::stream_descriptor;
  auto& d = socket_->descriptor;
  asio::steady_timer timer(executor_, operation_deadline_);
  if (read && write) {
    auto outcome = co_await (d.async_wait(sd::wait_read, use_tuple) || d.async_wait(sd::wait_write, use_tuple) ||
                             timer.async_wait(use_tuple));
    if (outcome.index() == 2) co_return timed_out();
    co_return outcome.index() == 0 ? ready::read : ready::write;
  }
  auto outcome = co_await (d.async_wait(read ? sd::wait_read : sd::wait_write, use_tuple) || timer.async_wait(use_tuple));
  if (outcome.index() == 1) co_return timed_out();
  auto [ec] = std::get<0>(outcome);
  if (ec) co_return make_error(ec, "wait for database");
  co_return read ? ready::read : ready::write;
}

asio::awaitable<result<void>> connection::connect(std::string conninfo, connection_options options) {
  close();
  options_ = options;
  begin_operation();
  conn_ = PQconnectStart(conninfo.c_str());
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) co_return last_error("connect to database");
  auto status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) co_return last_error("connect to database");
    refresh_socket();
    if (!socket_) co_return last_error("connect to database");
    bool reading = status == PGRES_POLLING_READING;
    POSTA_CO_TRY(co_await wait_socket(reading, !reading));
    status = PQconnectPoll(conn_);
  }
  refresh_socket();
  if (PQsetnonblocking(conn_, 1) != 0) co_return last_error("set non-blocking");
  PQsetNoticeProcessor(conn_, [](void*, char const*) {}, nullptr);
  co_return co_await apply(options);
}

asio::awaitable<result<void>> connection::apply(connection_options options) {
  options_ = options;
  auto ms = std::to_string(options.statement_timeout.count());
  // DURABILITY: synchronous_commit = on whatever the server's default: a
  // COMMIT returns only once its WAL is flushed, so a 250 after it holds.
  // Generic plans: our statements are prepared once per connection and are
  // index look-ups or batch inserts from arrays, for which the planner's
  // default (a custom plan at every execution while it looks cheaper) spent
  // about a third of the database's CPU under delivery load.
  co_return co_await execute("SET statement_timeout = " + ms + "; SET idle_in_transaction_session_timeout = " + ms +
                             "; SET synchronous_commit = on; SET plan_cache_mode = force_generic_plan");
}

result<void> connection::consume_input() {
  if (!PQconsumeInput(conn_)) return last_error("read from database");
  dispatch_notifications();
  return {};
}

asio::awaitable<result<void>> connection::wait_readable() {
  POSTA_CO_TRY(co_await wait_socket(true, false));
  co_return consume_input();
}

// Sends what libpq has buffered. While the server's replies may fill our
// receive buffer, input is consumed too, so neither side can stall the other.
asio::awaitable<result<void>> connection::flush() {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) co_return result<void>{};
    if (r < 0) co_return last_error("write to database");
    POSTA_CO_TRY_ASSIGN(auto which, co_await wait_socket(true, true));
    if (which == ready::read) POSTA_CO_TRY(consume_input());
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
        note(*failure);
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

namespace {

// libpq's parallel arrays for one statement's parameters: text ones are
// NUL-terminated strings; binary ones need their length and format too.
struct wire_params {
  std::vector<char const*> values;
  std::vector<int> lengths, formats;

  explicit wire_params(params const& args) {
    values.reserve(args.size());
    bool any_binary = false;
    for (auto const& a : args) {
      values.push_back(a ? a->c_str() : nullptr);
      any_binary = any_binary || a.binary;
    }
    if (!any_binary) return;
    for (auto const& a : args) {
      lengths.push_back(a ? static_cast<int>(a->size()) : 0);
      formats.push_back(a.binary ? 1 : 0);
    }
  }
  int count() const { return static_cast<int>(values.size()); }
  int const* length_array() const { return lengths.empty() ? nullptr : lengths.data(); }
  int const* format_array() const { return formats.empty() ? nullptr : formats.data(); }
};

int send_statement(PGconn* conn, std::string const& sql, std::string const& name, wire_params const& w,
                   int result_format = 0) {
  return name.empty() ? PQsendQueryParams(conn, sql.c_str(), w.count(), nullptr, w.values.data(), w.length_array(),
                                          w.format_array(), result_format)
                      : PQsendQueryPrepared(conn, name.c_str(), w.count(), w.values.data(), w.length_array(),
                                            w.format_array(), result_format);
}

}  // namespace

asio::awaitable<result<rows>> connection::query(std::string sql, params args) {
  return run_query(std::move(sql), std::move(args), 0);
}

asio::awaitable<result<rows>> connection::query_binary(std::string sql, params args) {
  return run_query(std::move(sql), std::move(args), 1);
}

asio::awaitable<result<rows>> connection::run_query(std::string sql, params args, int result_format) {
  if (!is_open()) co_return last_error("query");
  if (auto refused = unstorable_parameter(sql, args)) co_return refuse(*refused);
  if (pending_begin_ && result_format == 0) {
    std::vector<statement> both;
    both.push_back({std::move(sql), std::move(args)});
    POSTA_CO_TRY_ASSIGN(auto out, co_await pipeline(std::move(both)));
    co_return std::move(out.back());
  }
  if (pending_begin_) POSTA_CO_TRY(co_await execute(""));  // binary results: BEGIN on its own
  begin_operation();
  wire_params wire(args);
  POSTA_CO_TRY_ASSIGN(auto name, co_await prepared_name(sql, wire.count()));
  if (!send_statement(conn_, sql, name, wire, result_format)) co_return last_error("send query");
  POSTA_CO_TRY(co_await flush());
  auto out = co_await collect_results();
  co_return out;
}

asio::awaitable<result<void>> connection::execute(std::string sql) {
  if (!is_open()) co_return last_error("execute");
  if (pending_begin_) {
    auto begin = std::move(*pending_begin_);
    pending_begin_.reset();
    if (sql == "COMMIT" || sql == "ROLLBACK") co_return result<void>{};  // nothing was begun
    sql = sql.empty() ? begin : begin + "; " + sql;  // one simple-protocol round trip
  }
  begin_operation();
  if (!PQsendQuery(conn_, sql.c_str())) co_return last_error("send statement");
  POSTA_CO_TRY(co_await flush());
  POSTA_CO_TRY(co_await collect_results());
  co_return result<void>{};
}

asio::awaitable<result<std::vector<rows>>> connection::pipeline(std::vector<statement> statements) {
  if (!is_open()) co_return last_error("pipeline");
  for (auto const& st : statements)
    if (auto refused = unstorable_parameter(st.sql, st.args)) co_return refuse(*refused);
  begin_operation();
  std::vector<std::string> names;
  for (auto const& st : statements) {
    POSTA_CO_TRY_ASSIGN(auto name, co_await prepared_name(st.sql, static_cast<int>(st.args.size())));
    names.push_back(std::move(name));
  }
  if (!PQenterPipelineMode(conn_)) co_return last_error("enter pipeline mode");
  // A lazy BEGIN goes first (unnamed: transaction control is not prepared);
  // its empty result is not returned. After the Sync the explicit
  // transaction block stays open.
  bool const with_begin = pending_begin_.has_value();
  if (with_begin) {
    wire_params none(params{});
    if (!send_statement(conn_, *pending_begin_, "", none)) co_return last_error("send pipelined BEGIN");
    pending_begin_.reset();
  }
  for (std::size_t i = 0; i < statements.size(); ++i) {
    wire_params wire(statements[i].args);
    if (!send_statement(conn_, statements[i].sql, names[i], wire)) co_return last_error("send pipelined query");
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
        if (!failure && status == PGRES_FATAL_ERROR) {
          failure = error_from_result(res);
          note(*failure);
        }
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
  if (with_begin && !out.empty()) out.erase(out.begin());
  co_return out;
}

// Idle LISTEN waits have no bound: nothing is pending, and a lost server
// ends the wait with an error on the socket.
asio::awaitable<result<void>> connection::wait_for_notification() {
  if (!is_open()) co_return last_error("listen");
  auto [ec] = co_await socket_->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple);
  if (ec) co_return make_error(ec, "wait for database");
  co_return consume_input();
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
