// Users and logins over the API (docs/API.md, "Users and logins"): who may log in, with which
// role on which database, and the tokens a login hands out.
#include "net/api.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

using api_internal::JsonAnswer;

namespace {

Json GrantsJson(const std::vector<Grant>& grants) {
  Json out = Json::array();
  for (const Grant& g : grants) out.push_back({{"db", g.db}, {"role", RoleName(g.role)}});
  return out;
}

Json UserJson(const UserRecord& u) {
  return {{"name", u.name},
          {"grants", GrantsJson(u.grants)},
          {"created_at", u.created_at},
          {"password_changed_at", u.password_changed_at}};
}

// `role` on each of `databases` ("*" when empty), from {"role": R, "databases": [...]}.
Result<std::vector<Grant>> ReadGrants(const Json& body) {
  SYNCLINE_ASSIGN_OR_RETURN(std::string role_name, JsonString(body, "role"));
  Role role;
  if (!ParseRole(role_name, &role)) {
    return Status::InvalidArgument("'role' must be admin, write or read, not '" + role_name +
                                   "'");
  }
  std::vector<Grant> grants;
  if (body.contains("databases") && !body["databases"].is_null()) {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* dbs, JsonArrayField(body, "databases"));
    for (const Json& d : *dbs) {
      SYNCLINE_ASSIGN_OR_RETURN(std::string db, JsonAsString(d, "a database"));
      if (db != kAllDatabases) SYNCLINE_RETURN_IF_ERROR(ValidateDatabaseName(db));
      grants.push_back({std::move(db), role});
    }
  }
  if (grants.empty()) grants.push_back({std::string(kAllDatabases), role});
  return grants;
}

}  // namespace

ApiResponse Api::Login(const ApiCall& c) {
  Result<Json> body = ParseJsonObject(c.req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::string> user = JsonString(*body, "username");
  Result<std::string> password = JsonString(*body, "password");
  for (const Status* s : {&user.status(), &password.status()}) {
    if (!s->ok()) return ApiResponse::Error(*s);
  }
  Result<LoginResult> login = auth_.Login(*user, *password, c.req.peer);
  if (!login.ok()) {
    ApiResponse r = ApiResponse::Error(login.status());
    if (login.status().code() == Status::Code::kRateLimited) {
      r.headers.emplace_back("Retry-After",
                             std::to_string(auth_.RetryAfterSeconds(*user, c.req.peer)));
    }
    return r;
  }
  return JsonAnswer({{"token", login->token},
                     {"expires_at", login->expires_at},
                     {"user", login->principal.user},
                     {"grants", GrantsJson(login->principal.grants)}});
}

ApiResponse Api::Logout(const ApiCall& c) {
  if (Status s = auth_.Logout(c.req.Header("authorization")); !s.ok()) {
    return ApiResponse::Error(s);
  }
  return JsonAnswer({{"logged_out", true}});
}

ApiResponse Api::WhoAmI(const ApiCall& c) {
  const Principal& p = c.principal;
  return JsonAnswer({{"user", p.admin_key ? Json(nullptr) : Json(p.user)},
                     {"admin_key", p.admin_key},
                     {"grants", p.admin_key ? GrantsJson({{"*", Role::kAdmin}})
                                            : GrantsJson(p.grants)}});
}

ApiResponse Api::ListUsers(const ApiCall&) {
  Result<std::vector<UserRecord>> users = store_->ListUsers();
  if (!users.ok()) return ApiResponse::Error(users.status());
  Json out = Json::array();
  for (const UserRecord& u : *users) out.push_back(UserJson(u));
  return JsonAnswer(out);
}

ApiResponse Api::AddUser(const ApiCall& c) {
  Result<Json> body = ParseJsonObject(c.req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::string> name = JsonString(*body, "name");
  Result<std::string> password = JsonString(*body, "password");
  for (const Status* s : {&name.status(), &password.status()}) {
    if (!s->ok()) return ApiResponse::Error(*s);
  }
  if (Status s = ValidateUserName(*name); !s.ok()) return ApiResponse::Error(s);
  Result<std::vector<Grant>> grants = ReadGrants(*body);
  if (!grants.ok()) return ApiResponse::Error(grants.status());
  Result<std::string> hash = HashPassword(*password);
  if (!hash.ok()) return ApiResponse::Error(hash.status());
  int64_t now = env_->clock->NowMicros();
  UserRecord user{*name, *hash, std::move(*grants), now, now};
  if (Status s = store_->CreateUser(user); !s.ok()) return ApiResponse::Error(s);
  return JsonAnswer(UserJson(user), 201);
}

ApiResponse Api::UpdateUser(const ApiCall& c) {
  Result<Json> body = ParseJsonObject(c.req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::optional<UserRecord>> found = store_->GetUser(c.rest);
  if (!found.ok()) return ApiResponse::Error(found.status());
  if (!*found) return ApiResponse::Error(Status::NotFound("user '" + c.rest + "' not found"));
  UserRecord user = std::move(**found);
  bool changed = false;
  if (body->contains("password")) {
    Result<std::string> password = JsonString(*body, "password");
    if (!password.ok()) return ApiResponse::Error(password.status());
    Result<std::string> hash = HashPassword(*password);
    if (!hash.ok()) return ApiResponse::Error(hash.status());
    user.password_hash = *hash;
    user.password_changed_at = env_->clock->NowMicros();
    changed = true;
  }
  if (body->contains("role")) {
    Result<std::vector<Grant>> grants = ReadGrants(*body);
    if (!grants.ok()) return ApiResponse::Error(grants.status());
    user.grants = std::move(*grants);
    changed = true;
  } else if (body->contains("databases")) {
    return ApiResponse::Error(Status::InvalidArgument("'databases' needs a 'role' beside it"));
  }
  if (!changed) {
    return ApiResponse::Error(Status::InvalidArgument("nothing to change: send 'password' or 'role'"));
  }
  if (Status s = store_->UpdateUser(user); !s.ok()) return ApiResponse::Error(s);
  return JsonAnswer(UserJson(user));
}

ApiResponse Api::RemoveUser(const ApiCall& c) {
  if (Status s = store_->DeleteUser(c.rest); !s.ok()) return ApiResponse::Error(s);
  return JsonAnswer({{"name", c.rest}, {"deleted", true}});
}

}  // namespace syncline
