// Authenticator: turns a request's credentials into a Principal (net/access.h), and logs users
// in and out. Credentials are the node's admin key or a login token, both sent as
// `Authorization: Bearer ...`. Passwords are hashed with Argon2id (libsodium); tokens are
// random, stored only as a BLAKE2b hash, and expire. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "net/access.h"
#include "net/login_limiter.h"
#include "store/store.h"
#include "syncline/env.h"

namespace syncline {

inline constexpr int64_t kDefaultTokenTtlSeconds = 30 * 86400;
inline constexpr size_t kMinPasswordBytes = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;

// Argon2id with libsodium's interactive limits (64 MiB, 2 passes). InvalidArgument for a
// password outside kMin/kMaxPasswordBytes.
Result<std::string> HashPassword(std::string_view password);

struct LoginResult {
  std::string token;
  int64_t expires_at = 0;  // microseconds since the Unix epoch
  Principal principal;
};

class Authenticator {
 public:
  Authenticator(Store* store, Env* env, std::string_view admin_key,
                int64_t token_ttl_seconds = kDefaultTokenTtlSeconds);

  // A token that may read /metrics and nothing else (serve --metrics-token-file); "": none.
  // Set before serving.
  void set_scrape_token(std::string_view token);

  // The caller named by an Authorization header value (null if absent). Unauthenticated if
  // missing, unknown, expired or revoked.
  Result<Principal> Authenticate(const std::string* authorization) const;

  // Checks the password and hands out a new token. Unauthenticated for an unknown user or a
  // wrong password (the same answer for both, taking about the same time); RateLimited while
  // the (user, address) pair is locked out (login_limiter.h).
  Result<LoginResult> Login(std::string_view user, std::string_view password,
                            std::string_view address);
  // Revokes the token of that Authorization header. OK for the admin key (it cannot be
  // revoked this way); Unauthenticated if the token is not valid.
  Status Logout(const std::string* authorization);

  // Seconds a login may still have to wait, for a Retry-After header.
  int64_t RetryAfterSeconds(std::string_view user, std::string_view address);

 private:
  // Verifies `password` against `hash`, at most two at once: each takes 64 MiB for a moment.
  bool VerifyPassword(std::string_view hash, std::string_view password);

  Store* store_;
  Env* env_;
  std::string admin_key_hash_;
  std::string scrape_token_hash_;  // empty: no scrape token
  int64_t token_ttl_micros_;
  // Checked for unknown users, so they take as long as known ones; made at the first login
  // that needs it, not at start-up (a hash takes 64 MiB and a tenth of a second).
  const std::string& DummyHash();
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  LoginLimiter limiter_;
  std::mutex hashing_mu_;
  std::condition_variable hashing_cv_;
  int hashing_ = 0;
};

}  // namespace syncline
