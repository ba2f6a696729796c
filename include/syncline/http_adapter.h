// HttpAdapter: the NetworkAdapter that speaks the Syncline client protocol over HTTP or HTTPS
// (one keep-alive connection, zstd bodies over 4 KiB).
#pragma once

#include <memory>
#include <string>

#include "syncline/network_adapter.h"

namespace syncline {

struct HttpAdapterOptions {
  std::string server;   // "http://host:port" or "https://host:port"
  std::string db;       // the database on the server
  std::string token;    // a login token (or the admin key); empty until Login
  std::string ca_file;  // a PEM bundle to trust instead of the system's CAs (a private CA)
  int timeout_seconds = 30;  // per request; 0: none
};

class HttpAdapter : public NetworkAdapter {
 public:
  explicit HttpAdapter(HttpAdapterOptions options);
  ~HttpAdapter() override;

  Result<Registration> Register(const Platform& platform) override;
  Result<PullPage> FetchChanges(const PullRequest& request) override;
  Result<std::vector<PushResult>> SendBatch(const std::string& client_id,
                                            const std::vector<PushOperation>& ops) override;
  bool IsOnline() override;
  int64_t ServerTime() override;
  Status Login(const std::string& user, const std::string& password) override;
  void SetCancelFlag(const std::atomic<bool>* flag) override;
  uint64_t BytesTransferred() const override;
  uint64_t RequestsSent() const override;

  // The token in use (after a Login, the new one), to keep for the next run.
  const std::string& token() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline
