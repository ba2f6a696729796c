// LoopbackRemote: a Remote that hands requests straight to an in-process Receiver, through
// JSON text as on the wire. A hook may answer instead (a failure, or a lie).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "replicate/receiver.h"
#include "replicate/remote.h"

namespace syncline::testing {

class LoopbackRemote : public Remote {
 public:
  // Returns an answer to give instead of the receiver's, or nullopt to pass the request on.
  using Hook = std::function<std::optional<Result<Json>>(ProtoOp op, const Json& req)>;
  LoopbackRemote(Receiver* receiver, std::string db, Hook hook)
      : receiver_(receiver), db_(std::move(db)), hook_(std::move(hook)) {}

  Result<Json> Call(ProtoOp op, const Json& request) override {
    Json wire = Json::parse(request.dump());
    if (hook_) {
      if (auto answer = hook_(op, wire)) return *answer;
    }
    return receiver_->Handle(db_, op, wire);
  }
  Result<Json> SendBinary(ProtoOp op, std::string_view body) override {
    if (hook_) {
      if (auto answer = hook_(op, Json())) return *answer;
    }
    return receiver_->HandleBinary(db_, op, body);
  }

 private:
  Receiver* receiver_;
  std::string db_;
  Hook hook_;
};

}  // namespace syncline::testing
