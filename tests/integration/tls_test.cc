// HTTPS: a node serving TLS with a certificate from a private CA made at test time; the CLI
// and server-to-server sync speaking https to it.
#include <gtest/gtest.h>

#include <memory>

#include "testing/server_process.h"
#include "testing/test_util.h"
#include "testing/tls_cert.h"
#include "util/json.h"

namespace syncline::testing {

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = MakeTestCertificates(dir_.path());
    ASSERT_FALSE(certs_.ca_file.empty());
  }
  std::unique_ptr<ServerProcess> StartNode(const std::string& name, bool tls) {
    auto node = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub(name));
    // Every node trusts the private CA for its own outgoing calls.
    std::vector<std::string> args = {"--ca-file", certs_.ca_file, "--sync-interval", "3600"};
    if (tls) args.insert(args.end(), {"--tls-cert", certs_.cert_file, "--tls-key", certs_.key_file});
    node->set_extra_args(args);
    node->set_ca_file(certs_.ca_file);
    node->Start();
    return node;
  }
  CliResult Cli(const ServerProcess& n, std::vector<std::string> args, bool trust = true) {
    args.insert(args.end(), {"--server", n.url(), "--api-key", n.api_key(), "--json"});
    if (trust) args.insert(args.end(), {"--ca-file", certs_.ca_file});
    return RunProcess(SYNCLINE_BINARY, args);
  }
  Json CliJson(const ServerProcess& n, std::vector<std::string> args) {
    CliResult r = Cli(n, std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }

  TempDir dir_;
  TestCertificates certs_;
};

TEST_F(TlsTest, TheCliSpeaksHttpsToANodeWithAPrivateCa) {
  auto node = StartNode("tls", true);
  ASSERT_EQ(node->url().rfind("https://127.0.0.1:", 0), 0u) << node->url();
  CliJson(*node, {"db", "create", "notes"});
  CliJson(*node, {"doc", "put", "notes", "n", "1", R"({"t":"over tls"})"});
  EXPECT_EQ(CliJson(*node, {"doc", "get", "notes", "n", "1"})["document"]["t"], "over tls");

  // Without the CA the server is not trusted: a clear error, not a retryable one.
  CliResult untrusted = Cli(*node, {"db", "ls"}, /*trust=*/false);
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.err;
  Json err = Json::parse(untrusted.err, nullptr, false);
  EXPECT_EQ(err["error"], "invalid_argument") << untrusted.err;
  EXPECT_NE(untrusted.err.find("--ca-file"), std::string::npos) << untrusted.err;

  // Plain HTTP to the TLS port gets no answer as HTTP.
  std::string plain = node->url();
  plain.replace(0, 5, "http");
  HttpClient c(plain, node->api_key());
  c.set_timeout(5);
  EXPECT_FALSE(c.Send("GET", "/v1/health").ok());
}

TEST_F(TlsTest, ServerToServerSyncRunsOverHttps) {
  auto source = StartNode("source", false);
  auto dest = StartNode("dest", true);
  CliJson(*source, {"db", "create", "d"});
  CliJson(*dest, {"db", "create", "d"});
  CliJson(*source, {"doc", "put", "d", "c", "k1", R"({"v":1})"});
  std::string data = RandomBytes(300 << 10, 7);
  std::string local = dir_.Sub("in.bin");
  ASSERT_OK(Env::Default()->fs->WriteFileAtomic(local, data, 0644));
  CliJson(*source, {"file", "put", "d", "big.bin", local});
  CliJson(*source, {"dest", "add", "d", dest->url(), "--remote-key", dest->api_key()});
  Json runs = CliJson(*source, {"sync", "run", "d"});
  ASSERT_TRUE(runs.is_array() || runs.is_object()) << runs.dump();
  EXPECT_EQ(CliJson(*dest, {"doc", "get", "d", "c", "k1"})["document"]["v"], 1);
  std::string out = dir_.Sub("out.bin");
  CliJson(*dest, {"file", "get", "d", "big.bin", out});
  Result<std::string> got = Env::Default()->fs->ReadFile(out);
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, data);
}

}  // namespace syncline::testing
