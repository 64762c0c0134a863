// The `posta` binary: `posta serve` runs the server; every other command is
// a client of the admin HTTP API (docs/api.md).
#include "app/cli/commands.hpp"
#include "app/serve.hpp"

#include <CLI/CLI.hpp>

namespace {

constexpr char const* footer = R"(
Examples:
  posta serve --config /etc/posta/posta.toml
  posta domain add example.org
  posta account add alice@example.org --name "Alice Liddell" --quota 2G
  echo "$PASSWORD" | posta account passwd alice@example.org --password-stdin
  posta group member-add sales@example.org alice@example.org
  posta settings set auth.default_domain example.org
  posta journal --level error --service smtp
  posta --json account list --domain example.org

The API address and token come from --api/--token, else POSTA_API/POSTA_TOKEN,
else the bootstrap file (--config, POSTA_CONFIG or ./var/posta.toml):
[listeners] http and [admin] token.
Exit status: 0 done, 1 refused by the server, 2 local error, 3 server unreachable.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"posta: mail (SMTP, IMAP, POP3) and XMPP groupware server", "posta"};
  app.fallthrough();  // global options may follow the command: `posta account list --json`
  posta::cli::global_options opts;
  posta::cli::invocation inv;
  posta::cli::add_global_options(app, opts);
  auto* serve = app.add_subcommand("serve", "Run the server in the foreground until SIGTERM/SIGINT");
  serve->add_option("--config,-c", opts.config, "Bootstrap file (default: $POSTA_CONFIG, else ./var/posta.toml)");
  posta::cli::add_admin_commands(app, inv);
  app.require_subcommand(1);
  app.footer(footer);  // after the subcommands, which would inherit it
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return app.exit(e);
  }
  if (serve->parsed()) return posta::app::run_serve(posta::cli::config_path(posta::cli::gather_inputs(opts)));
  return posta::cli::run_invocation(inv, opts);
}
