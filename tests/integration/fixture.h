// A test fixture with one real `syncline serve` node and helpers to drive its CLI.
#pragma once

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "testing/server_process.h"
#include "testing/test_util.h"
#include "util/json.h"

namespace syncline::testing {

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub("node"));
    node_->Start();
  }

  // Runs `syncline ARGS --server URL --api-key KEY`.
  CliResult Cli(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.end(), {"--server", node_->url(), "--api-key", node_->api_key()});
    return RunProcess(SYNCLINE_BINARY, args, input);
  }
  // Runs `syncline ARGS --server URL --api-key KEY` at a terminal (RunInTerminal).
  CliResult CliInTerminal(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.end(), {"--server", node_->url(), "--api-key", node_->api_key()});
    return RunInTerminal(SYNCLINE_BINARY, args, input);
  }
  // Runs the CLI with --json, expects `expect_exit` (success), returns the parsed output.
  Json CliJson(std::vector<std::string> args, const std::string& input = "", int expect_exit = 0) {
    args.push_back("--json");
    CliResult r = Cli(args, input);
    EXPECT_EQ(r.exit_code, expect_exit) << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  // Runs the CLI with --json, expects failure, returns the parsed error from stderr.
  Json CliError(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--json");
    CliResult r = Cli(args, input);
    EXPECT_NE(r.exit_code, 0) << r.out;
    Json j = Json::parse(r.err, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error") && j.contains("message")) << r.err;
    return j;
  }
  std::string WriteLocal(const std::string& name, const std::string& data) {
    std::string path = dir_.Sub(name);
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
    return path;
  }
  std::string ReadLocal(const std::string& path) {
    std::string out;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return out;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> node_;
};

}  // namespace syncline::testing
