#include "testing/api_adapter.h"

#include "client/protocol_codec.h"
#include "net/status_http.h"
#include "util/json_reader.h"

namespace syncline::testing {

Result<Json> ApiAdapter::Post(const std::string& target, const Json& body,
                              const std::string& what) {
  if (before_) before_(what);
  if (cancel_ && cancel_->load()) return Status::Cancelled("the request was cancelled");
  if (!online_) return Status::Unavailable("offline");
  ++requests_;
  if (fail_ > 0 && !fail_after_) {
    --fail_;
    return Status::Unavailable("connection cut before the request");
  }
  std::map<std::string, std::string> headers;
  if (!token_.empty()) headers["authorization"] = "Bearer " + token_;
  ApiRequest req{"POST", target, std::move(headers), DumpJson(body), "127.0.0.1"};
  bytes_ += req.body.size();
  ApiResponse r = api_->Handle(req);
  bytes_ += r.body.size();
  if (fail_ > 0) {
    --fail_;
    return Status::Unavailable("connection cut before the answer");
  }
  if (r.status < 200 || r.status > 299) return StatusFromHttp(r.status, r.body);
  Result<Json> j = ParseJsonObject(r.body);
  if (!j.ok()) return Status::ProtocolError("not a JSON object");
  server_time_ = JsonNumber(*j, "server_time", server_time_);
  return j;
}

Result<Registration> ApiAdapter::Register(const Platform& platform) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, Post("/v1/db/" + db_ + "/clients",
                                         EncodeRegistration(platform), "clients"));
  return DecodeRegistration(j);
}

Result<PullPage> ApiAdapter::FetchChanges(const PullRequest& request) {
  SYNCLINE_ASSIGN_OR_RETURN(
      Json j, Post("/v1/db/" + db_ + "/clients/" + request.client_id + "/pull",
                   EncodePullRequest(request), "pull"));
  return DecodePullPage(j);
}

Result<std::vector<PushResult>> ApiAdapter::SendBatch(const std::string& client_id,
                                                      const std::vector<PushOperation>& ops) {
  SYNCLINE_ASSIGN_OR_RETURN(
      Json j, Post("/v1/db/" + db_ + "/clients/" + client_id + "/push", ParseStoredJson(EncodePush(ops)), "push"));
  return DecodePushResults(j, ops);
}

Status ApiAdapter::Login(const std::string& user, const std::string& password) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, Post("/v1/auth/login",
                                         {{"username", user}, {"password", password}}, "login"));
  SYNCLINE_ASSIGN_OR_RETURN(token_, JsonString(j, "token"));
  return Status::OK();
}

}  // namespace syncline::testing
