// `syncline user add|ls|rm|passwd` and `syncline login|logout`: the node's users and their
// sessions (docs/API.md, "Users and logins").
#include <iostream>

#include "cli/commands.h"
#include "cli/password.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string UserPath(const std::string& name) { return "/v1/users/" + PathOf(name); }

// "notes:write, other:write" from a user's grants ("*" reads "all databases").
std::string GrantsText(const Json& grants) {
  std::string out;
  for (const Json& g : grants) {
    if (!out.empty()) out += ", ";
    std::string db = JsonText(g, "db");
    out += (db == "*" ? "every database" : db) + ":" + JsonText(g, "role");
  }
  return out.empty() ? "-" : out;
}

}  // namespace

void AddUserCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* user = app.add_subcommand("user", "add, list and remove the users who may log in");
  user->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto password_stdin = std::make_shared<bool>(false);
  auto send = [&ctx = ctx, exit_code](const std::string& method, const std::string& path,
                                      const Json& body) -> std::optional<Json> {
    auto r = ctx.Client().Send(method, path, body.is_null() ? "" : DumpJson(body),
                               {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return std::nullopt;
    }
    return ParseStoredJson(r->body);
  };

  auto* add = user->add_subcommand("add", "add a user with a role on some databases or all");
  add->add_option("NAME", *name, "user name: letters, digits, '_', '-', '.', '@'")->required();
  auto role = std::make_shared<std::string>();
  add->add_option("--role", *role, "admin, write (read and push) or read (pull only)")
      ->required()
      ->check(CLI::IsMember({"admin", "write", "read"}));
  auto dbs = std::make_shared<std::vector<std::string>>();
  add->add_option("--db", *dbs, "a database the role applies to (repeat; default: every one)");
  add->add_flag("--password-stdin", *password_stdin, "read the password from stdin");
  add->callback([=, &ctx = ctx] {
    Result<std::string> password = ReadPassword(*password_stdin, true);
    if (!password.ok()) {
      *exit_code = ctx.Fail(password.status());
      return;
    }
    Json body = {{"name", *name}, {"password", *password}, {"role", *role}};
    if (!dbs->empty()) body["databases"] = *dbs;
    std::optional<Json> out = send("POST", "/v1/users", body);
    if (!out) return;
    if (ctx.json) return ctx.PrintJson(*out);
    std::cout << "added user " << *name << " (" << GrantsText(JsonField(*out, "grants")) << ")\n";
  });

  auto* ls = user->add_subcommand("ls", "list users and their roles");
  ls->callback([=, &ctx = ctx] {
    std::optional<Json> out = send("GET", "/v1/users", nullptr);
    if (!out) return;
    if (ctx.json) return ctx.PrintJson(*out);
    std::vector<std::vector<std::string>> rows;
    for (const Json& u : *out) {
      rows.push_back({JsonText(u, "name"), GrantsText(JsonField(u, "grants"))});
    }
    PrintTable({"NAME", "ROLES"}, rows);
  });

  auto* rm = user->add_subcommand("rm", "remove a user and end its sessions");
  rm->add_option("NAME", *name, "user name")->required();
  rm->callback([=, &ctx = ctx] {
    std::optional<Json> out = send("DELETE", UserPath(*name), nullptr);
    if (!out) return;
    if (ctx.json) return ctx.PrintJson(*out);
    std::cout << "removed user " << *name << "\n";
  });

  auto* passwd = user->add_subcommand("passwd", "set a user's password; its sessions end");
  passwd->add_option("NAME", *name, "user name")->required();
  passwd->add_flag("--password-stdin", *password_stdin, "read the new password from stdin");
  passwd->callback([=, &ctx = ctx] {
    Result<std::string> password = ReadPassword(*password_stdin, true);
    if (!password.ok()) {
      *exit_code = ctx.Fail(password.status());
      return;
    }
    std::optional<Json> out = send("PATCH", UserPath(*name), Json{{"password", *password}});
    if (!out) return;
    if (ctx.json) return ctx.PrintJson(*out);
    std::cout << "changed the password of " << *name << "; its sessions have ended\n";
  });
}

void AddLoginCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* login = app.add_subcommand(
      "login", "log in as a user and print a token to use as --api-key / SYNCLINE_API_KEY");
  auto name = std::make_shared<std::string>();
  auto password_stdin = std::make_shared<bool>(false);
  login->add_option("--user", *name, "user name")->required();
  login->add_flag("--password-stdin", *password_stdin, "read the password from stdin");
  login->callback([=, &ctx = ctx] {
    Result<std::string> password = ReadPassword(*password_stdin, false);
    if (!password.ok()) {
      *exit_code = ctx.Fail(password.status());
      return;
    }
    Json body = {{"username", *name}, {"password", *password}};
    auto r = ctx.Client().Send("POST", "/v1/auth/login", DumpJson(body),
                               {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json out = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(out);
    std::cout << JsonText(out, "token") << "\n";
  });

  auto* logout = app.add_subcommand("logout", "end the session of the token given as --api-key");
  logout->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("POST", "/v1/auth/logout");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    std::cout << "logged out\n";
  });
}

}  // namespace syncline
