#include "net/auth.h"

#include <sodium.h>

#include "util/name.h"

namespace syncline {

namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr std::string_view kTokenPrefix = "slt_";  // Syncline login token: easy to grep for
constexpr int kMaxHashingAtOnce = 2;

std::string GenericHash(std::string_view data) {
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

Result<std::string_view> BearerOf(const std::string* authorization) {
  if (!authorization || authorization->compare(0, kBearer.size(), kBearer) != 0) {
    return Status::Unauthenticated(
        "missing API key or token: send 'Authorization: Bearer KEY_OR_TOKEN'");
  }
  return std::string_view(*authorization).substr(kBearer.size());
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument("a password must be " + std::to_string(kMinPasswordBytes) +
                                   " to " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("not enough memory to hash a password");
  }
  return std::string(out);
}

Authenticator::Authenticator(Store* store, Env* env, std::string_view admin_key,
                             int64_t token_ttl_seconds)
    : store_(store),
      env_(env),
      admin_key_hash_(GenericHash(admin_key)),
      token_ttl_micros_(token_ttl_seconds * 1'000'000),
      limiter_(env->clock) {}

const std::string& Authenticator::DummyHash() {
  std::call_once(dummy_once_, [this] {
    Result<std::string> dummy = HashPassword("not a password of anyone");
    if (dummy.ok()) dummy_hash_ = *dummy;
  });
  return dummy_hash_;
}

void Authenticator::set_scrape_token(std::string_view token) {
  scrape_token_hash_ = token.empty() ? "" : GenericHash(token);
}

Result<Principal> Authenticator::Authenticate(const std::string* authorization) const {
  SYNCLINE_ASSIGN_OR_RETURN(std::string_view given, BearerOf(authorization));
  std::string hash = GenericHash(given);
  if (sodium_memcmp(hash.data(), admin_key_hash_.data(), hash.size()) == 0) {
    return Principal::AdminKey();
  }
  if (!scrape_token_hash_.empty() &&
      sodium_memcmp(hash.data(), scrape_token_hash_.data(), hash.size()) == 0) {
    return Principal::Scraper();
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<TokenRecord> token, store_->GetToken(hash));
  if (!token) {
    if (given.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
      return Status::Unauthenticated("wrong API key");
    }
    return Status::Unauthenticated("unknown or revoked token: log in again");
  }
  if (token->expires_at <= env_->clock->NowMicros()) {
    return Status::Unauthenticated("the token has expired: log in again");
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<UserRecord> user, store_->GetUser(token->user));
  if (!user) return Status::Unauthenticated("the token's user no longer exists");
  return Principal{user->name, std::move(user->grants), false, false};
}

bool Authenticator::VerifyPassword(std::string_view hash, std::string_view password) {
  {
    std::unique_lock<std::mutex> lock(hashing_mu_);
    hashing_cv_.wait(lock, [&] { return hashing_ < kMaxHashingAtOnce; });
    ++hashing_;
  }
  std::string h(hash);  // crypto_pwhash_str_verify wants it NUL-terminated
  bool ok = !h.empty() &&
            crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
  {
    std::lock_guard<std::mutex> lock(hashing_mu_);
    --hashing_;
  }
  hashing_cv_.notify_one();
  return ok;
}

int64_t Authenticator::RetryAfterSeconds(std::string_view user, std::string_view address) {
  return (limiter_.LockedFor(user, address) + 999'999) / 1'000'000;
}

Result<LoginResult> Authenticator::Login(std::string_view user, std::string_view password,
                                         std::string_view address) {
  // A name no user can have, or a password no user can have set, is wrong at once: it never
  // reaches the limiter's memory or the hash.
  if (!ValidateUserName(user).ok() || password.size() > kMaxPasswordBytes) {
    return Status::Unauthenticated("wrong user name or password");
  }
  if (int64_t wait = RetryAfterSeconds(user, address); wait > 0) {
    return Status::RateLimited("too many wrong passwords: try again in " +
                               std::to_string(wait) + " s");
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<UserRecord> record, store_->GetUser(user));
  bool ok = VerifyPassword(record ? record->password_hash : DummyHash(), password) && record;
  if (!ok) {
    limiter_.Failed(user, address);
    return Status::Unauthenticated("wrong user name or password");
  }
  limiter_.Succeeded(user, address);
  unsigned char raw[32];
  env_->random->Fill(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  LoginResult out;
  out.token = std::string(kTokenPrefix) + hex;
  int64_t now = env_->clock->NowMicros();
  out.expires_at = now + token_ttl_micros_;
  SYNCLINE_RETURN_IF_ERROR(
      store_->PutToken({GenericHash(out.token), record->name, now, out.expires_at}));
  out.principal = Principal{record->name, std::move(record->grants), false, false};
  return out;
}

Status Authenticator::Logout(const std::string* authorization) {
  SYNCLINE_ASSIGN_OR_RETURN(Principal p, Authenticate(authorization));
  if (p.admin_key) return Status::OK();
  SYNCLINE_ASSIGN_OR_RETURN(std::string_view given, BearerOf(authorization));
  return store_->DeleteToken(GenericHash(given));
}

}  // namespace syncline
