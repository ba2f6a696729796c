// A fixture with several real `syncline serve` nodes, for the synchronization tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "testing/server_process.h"
#include "testing/tcp_proxy.h"
#include "testing/test_util.h"
#include "util/json.h"

namespace syncline::testing {

class SyncTest : public ::testing::Test {
 protected:
  // Starts a node; by default the periodic run is far away, so tests see only prompt pushes.
  ServerProcess& AddNode(std::vector<std::string> extra = {"--sync-interval", "3600"}) {
    nodes_.push_back(std::make_unique<ServerProcess>(
        SYNCLINE_BINARY, dir_.Sub("node" + std::to_string(nodes_.size()))));
    nodes_.back()->set_extra_args(std::move(extra));
    nodes_.back()->Start();
    return *nodes_.back();
  }
  // A node with an empty database "d", as most tests want.
  ServerProcess& AddNodeWithDb(std::vector<std::string> extra = {"--sync-interval", "3600"}) {
    ServerProcess& n = AddNode(std::move(extra));
    CreateDb(n, "d");
    return n;
  }
  ServerProcess& node(size_t i) { return *nodes_[i]; }

  CliResult Cli(ServerProcess& n, std::vector<std::string> args) {
    args.insert(args.end(), {"--server", n.url(), "--api-key", n.api_key()});
    return RunProcess(SYNCLINE_BINARY, args);
  }
  Json CliJson(ServerProcess& n, std::vector<std::string> args) {
    args.push_back("--json");
    CliResult r = Cli(n, args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  // Sends and expects success; the parsed JSON body (null if none).
  Json Call(ServerProcess& n, const std::string& method, const std::string& path,
            const std::string& body = "") {
    HttpClient c = n.Client();
    auto r = c.Send(method, path, body);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    if (!r.ok() || r->body.empty()) return Json();
    return Json::parse(r->body, nullptr, false);
  }

  void CreateDb(ServerProcess& n, const std::string& db) { Call(n, "PUT", "/v1/db/" + db); }

  // `from` pushes database `db` to `to_url` (a node, or a proxy in front of one).
  void AddDestination(ServerProcess& from, const std::string& db, const std::string& to_url,
                      const std::string& to_key) {
    Call(from, "POST", "/v1/db/" + db + "/destinations",
         Json{{"url", to_url}, {"remote_key", to_key}}.dump());
  }

  // `sync start d NAME` from `from` to the node (or proxy) at `to_url` with key `to_key`: its
  // report. The CLI's exit code must say what the report does: 0, or 3 for an unavailable
  // destination, or 1 for any other failure.
  Json SyncStart(ServerProcess& from, const std::string& name, const std::string& to_url,
                 const std::string& to_key) {
    CliResult r = Cli(from, {"sync", "start", "d", name, "--to", to_url, "--to-key", to_key, "--json"});
    Json report = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << r.out << r.err;
    std::string code = report.is_object() && report.contains("error_code") && report["error_code"].is_string()
                           ? report["error_code"].get<std::string>()
                           : "";
    EXPECT_EQ(r.exit_code, code.empty() ? 0 : code == "unavailable" ? 3 : 1) << r.out << r.err;
    return report;
  }

  // Puts a file through the API; returns its etag.
  int64_t PutFile(ServerProcess& n, const std::string& db, const std::string& name,
                  const std::string& data) {
    return Call(n, "PUT", "/v1/db/" + db + "/files/" + name, data).value("etag", int64_t{0});
  }

  // The file's metadata JSON, or null if absent.
  Json FileMeta(ServerProcess& n, const std::string& db, const std::string& name) {
    HttpClient c = n.Client();
    auto r = c.Send("GET", "/v1/db/" + db + "/meta/" + name);
    if (!r.ok()) return Json();
    return Json::parse(r->body, nullptr, false);
  }

  std::string ContentHashOf(ServerProcess& n, const std::string& db, const std::string& name) {
    Json m = FileMeta(n, db, name);
    return m.is_object() ? m.value("content_hash", "") : "";
  }

  // Each node's last etag of `db` if every background worker of its destinations is idle at
  // it (nothing left to push), else empty.
  std::vector<int64_t> QuietEtags(const std::vector<ServerProcess*>& nodes,
                                  const std::string& db = "d") {
    std::vector<int64_t> etags;
    for (ServerProcess* n : nodes) {
      int64_t last = Call(*n, "GET", "/v1/db/" + db)["last_etag"];
      for (const Json& d : Call(*n, "GET", "/v1/db/" + db + "/destinations")) {
        const Json& w = d["worker"];
        if (w["state"] == "none") continue;  // nothing pushes by itself there
        if (w["state"] != "idle" || w["idle_at_etag"] != last) return {};
      }
      etags.push_back(last);
    }
    return etags;
  }
  // Waits until the nodes are quiet: two looks in a row find every worker idle at its
  // database's last etag, with the same etags (so no push landed between the looks). This is
  // the signal that nothing more will happen, instead of a sleep. Returns the etags.
  std::vector<int64_t> WaitQuiet(const std::vector<ServerProcess*>& nodes,
                                 const std::string& db = "d") {
    std::vector<int64_t> before, now;
    EXPECT_TRUE(WaitUntil([&] {
      before = now;
      now = QuietEtags(nodes, db);
      return !now.empty() && now == before;
    }, 60)) << "the nodes never became quiet";
    return now;
  }

  // The state of `from`'s background worker for the destination at `url`.
  std::string WorkerState(ServerProcess& from, const std::string& url, const std::string& db = "d") {
    for (const Json& d : Call(from, "GET", "/v1/db/" + db + "/destinations")) {
      if (d["url"] == url) return d["worker"]["state"];
    }
    return "";
  }


  TempDir dir_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

}  // namespace syncline::testing
