// Enabling, disabling and reporting services.
#include "core/service/registry.hpp"

#include <algorithm>

#include "core/journal/journal.hpp"

namespace posta::service {

std::string_view state_name(state s) {
  switch (s) {
    case state::stopped: return "stopped";
    case state::running: return "running";
    case state::failed: return "failed";
  }
  return "unknown";
}

void registry::add(std::string name, hooks h) {
  std::lock_guard lock(mutex_);
  services_[name] = entry{std::move(h), status{name, true, state::stopped, ""}};
}

registry::entry* registry::find(std::string const& name) {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : &it->second;
}

asio::awaitable<void> registry::start_one(std::string const& name) {
  hooks h;
  {
    std::lock_guard lock(mutex_);
    auto* e = find(name);
    if (!e || e->st.current == state::running) co_return;
    if (!e->h.configured()) {
      e->st.current = state::stopped;
      e->st.detail = "off in the configuration";
      co_return;
    }
    h = e->h;
  }
  auto started = co_await h.start();
  std::lock_guard lock(mutex_);
  auto* e = find(name);
  e->st.current = started ? state::running : state::failed;
  e->st.detail = started ? *started : started.error().message();
  journal::record(started ? journal::level::info : journal::level::error, name,
                  started ? "started: " + *started : "failed to start: " + started.error().message());
}

asio::awaitable<void> registry::stop_one(std::string const& name) {
  hooks h;
  {
    std::lock_guard lock(mutex_);
    auto* e = find(name);
    if (!e || e->st.current != state::running) co_return;
    h = e->h;
  }
  co_await h.stop();
  std::lock_guard lock(mutex_);
  auto* e = find(name);
  e->st.current = state::stopped;
  e->st.detail = e->st.enabled ? "" : "disabled";
  journal::record(journal::level::info, name, "stopped");
}

asio::awaitable<void> registry::start_enabled() {
  auto rows = co_await pool_.query("SELECT name, enabled FROM services");
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    if (rows)
      for (int i = 0; i < rows->size(); ++i)
        if (auto* e = find(rows->str(i, 0)); e && e->h.can_disable) e->st.enabled = rows->boolean(i, 1);
    for (auto& [name, e] : services_) {
      if (e.st.enabled) names.push_back(name);
      else e.st.detail = "disabled";
    }
  }
  // The service that carries the admin API starts last: once it answers,
  // every other service has started (or failed), so an administrator (or a
  // script) never sees a half-started server nor races its start.
  std::stable_partition(names.begin(), names.end(), [this](std::string const& n) {
    std::lock_guard lock(mutex_);
    auto* e = find(n);
    return e && !e->h.carries_api;
  });
  for (auto const& n : names) co_await start_one(n);
}

asio::awaitable<void> registry::stop_all() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (auto const& [name, e] : services_) names.push_back(name);
  }
  for (auto const& n : names) co_await stop_one(n);
}

asio::awaitable<result<void>> registry::persist(std::string const& name, bool enabled) {
  POSTA_CO_TRY(co_await pool_.q("INSERT INTO services(name, enabled) VALUES ($1, $2) "
                                "ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled",
                                name, enabled));
  co_return result<void>{};
}

asio::awaitable<result<status>> registry::set_enabled(std::string const& name, bool enabled) {
  POSTA_CO_TRY(co_await persist(name, enabled));
  {
    std::lock_guard lock(mutex_);
    find(name)->st.enabled = enabled;
  }
  if (enabled) co_await start_one(name);
  else co_await stop_one(name);
  co_return get(name);
}

asio::awaitable<result<status>> registry::enable(std::string name) {
  POSTA_CO_TRY(get(name));
  co_return co_await set_enabled(name, true);
}

asio::awaitable<result<status>> registry::disable(std::string name) {
  POSTA_CO_TRY_ASSIGN(auto current, get(name));
  {
    std::lock_guard lock(mutex_);
    if (!find(name)->h.can_disable)
      co_return make_error(errc::permission_denied, "service " + name + " carries the admin API and cannot be disabled");
  }
  co_return co_await set_enabled(name, false);
}

asio::awaitable<result<status>> registry::restart(std::string name) {
  POSTA_CO_TRY_ASSIGN(auto current, get(name));
  if (current.enabled) {
    co_await stop_one(name);
    co_await start_one(name);
  }
  co_return get(name);
}

std::vector<status> registry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<status> out;
  for (auto const& [name, e] : services_) out.push_back(e.st);
  return out;
}

result<status> registry::get(std::string const& name) const {
  std::lock_guard lock(mutex_);
  auto it = services_.find(name);
  if (it == services_.end()) return make_error(errc::not_found, "service " + name);
  return it->second.st;
}

}  // namespace posta::service
