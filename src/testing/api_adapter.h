// ApiAdapter: the client's in-memory NetworkAdapter for tests — the protocol codec straight
// into an in-process Api, no sockets — with fault hooks: requests that fail before the server
// sees them, or after it applied them (the answer lost), and a hook run before each request.
#pragma once

#include <functional>
#include <string>

#include "net/api.h"
#include "syncline/network_adapter.h"

namespace syncline::testing {

class ApiAdapter : public NetworkAdapter {
 public:
  ApiAdapter(Api* api, std::string db, std::string token)
      : api_(api), db_(std::move(db)), token_(std::move(token)) {}

  Result<Registration> Register(const Platform& platform) override;
  Result<PullPage> FetchChanges(const PullRequest& request) override;
  Result<std::vector<PushResult>> SendBatch(const std::string& client_id,
                                            const std::vector<PushOperation>& ops) override;
  bool IsOnline() override { return online_; }
  int64_t ServerTime() override { return server_time_; }
  Status Login(const std::string& user, const std::string& password) override;
  void SetCancelFlag(const std::atomic<bool>* flag) override { cancel_ = flag; }
  uint64_t BytesTransferred() const override { return bytes_; }
  uint64_t RequestsSent() const override { return static_cast<uint64_t>(requests_); }

  // The next `n` requests fail with Unavailable: before the server sees them, or after it has
  // handled them (the answer is lost on the way back).
  void FailNext(int n, bool after_handling) {
    fail_ = n;
    fail_after_ = after_handling;
  }
  void set_online(bool online) { online_ = online; }
  void set_token(std::string token) { token_ = std::move(token); }
  // Called before each request with its path's last segment ("clients", "pull", "push").
  void set_before_request(std::function<void(const std::string&)> hook) {
    before_ = std::move(hook);
  }
  int requests() const { return requests_; }

 private:
  Result<Json> Post(const std::string& target, const Json& body, const std::string& what);

  Api* api_;
  std::string db_;
  std::string token_;
  const std::atomic<bool>* cancel_ = nullptr;
  bool online_ = true;
  int fail_ = 0;
  bool fail_after_ = false;
  int requests_ = 0;
  int64_t server_time_ = 0;
  uint64_t bytes_ = 0;
  std::function<void(const std::string&)> before_;
};

}  // namespace syncline::testing
