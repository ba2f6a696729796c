// Fuzz targets for a node's request handling: the Api (a request in, a response out, no
// socket) and the Receiver (the sync protocol a source speaks). Both run on one store in a
// temporary folder, made once per process and kept across inputs.
#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "chunk/file_writer.h"
#include "fuzz_targets.h"
#include "net/api.h"
#include "replicate/receiver.h"
#include "replicate/replicator.h"
#include "store/sqlite/sqlite_store.h"
#include "sync/local_writer.h"
#include "util/json_reader.h"

namespace syncline::fuzz {

namespace {

// A destination that is never there: fuzzing sends nothing over a network.
class NoRemote : public Remote {
 public:
  Result<Json> Call(ProtoOp, const Json&) override { return Status::Unavailable("no network"); }
  Result<Json> SendBinary(ProtoOp, std::string_view) override {
    return Status::Unavailable("no network");
  }
};

constexpr char kKey[] = "sk_fuzz";

// The node's temporary folder, removed when the process exits.
std::string& NodeDir() {
  static std::string dir;
  return dir;
}

// One node's parts, with a database "d" holding a document and a file.
struct Node {
  std::unique_ptr<Store> store;
  std::unique_ptr<Replicator> replicator;
  std::unique_ptr<Receiver> receiver;
  std::unique_ptr<Api> api;

  Node() {
    char dir[] = "/tmp/syncline-fuzz-XXXXXX";
    if (!::mkdtemp(dir)) __builtin_trap();
    NodeDir() = dir;
    Env* env = Env::Default();
    store = std::move(OpenSqliteStore(dir, env, {false}).value());
    (void)store->CreateDatabase("d");
    LocalWriter writer(store.get(), env->clock);
    (void)writer.PutDocument("d", {"c", "k", R"({"a":1,"b":[1,2]})", std::nullopt});
    auto file = FileWriter::Open(store.get(), "d");
    if (file.ok() && (*file)->Append(std::string(100000, 'x')).ok()) {
      if (auto content = (*file)->Finish(); content.ok()) {
        (void)writer.CommitFile("d", "dir/f.bin", *content, "{}", std::nullopt);
      }
    }
    ReplicatorOptions ro;
    ro.automatic = false;
    replicator = std::make_unique<Replicator>(
        store.get(), env, "http://127.0.0.1:1",
        [](const Destination&) { return std::unique_ptr<Remote>(new NoRemote()); }, ro);
    receiver = std::make_unique<Receiver>(store.get(), env->clock, 600000000);
    api = std::make_unique<Api>(store.get(), env, kKey, "fuzz");
    api->EnableSync(replicator.get(), receiver.get());
  }
};

Node& TheNode() {
  static Node* node = [] {
    auto* n = new Node();  // lives for the process: inputs share it
    std::atexit([] { (void)Env::Default()->fs->RemoveAll(NodeDir()); });
    return n;
  }();
  return *node;
}

// "METHOD TARGET\nname: value\n...\n\nbody": a request as text.
ApiRequest ParseRequest(std::string_view text) {
  ApiRequest req;
  size_t line_end = text.find('\n');
  std::string_view first = text.substr(0, line_end);
  size_t sp = first.find(' ');
  req.method = std::string(first.substr(0, sp));
  req.target = sp == std::string_view::npos ? "/" : std::string(first.substr(sp + 1));
  req.headers["authorization"] = std::string("Bearer ") + kKey;
  size_t pos = line_end == std::string_view::npos ? text.size() : line_end + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[name] = std::string(value);
  }
  if (pos < text.size()) req.body = std::string(text.substr(pos));
  return req;
}

void Drain(ApiResponse& r) {
  if (!r.stream) return;
  for (int i = 0; i < 1000; ++i) {
    Result<std::string_view> piece = r.stream->Next();
    if (!piece.ok() || piece->empty()) return;
  }
}

}  // namespace

int FuzzApi(const uint8_t* data, size_t size) {
  Node& node = TheNode();
  ApiRequest req = ParseRequest({reinterpret_cast<const char*>(data), size});
  if (req.method == "POST" && req.target.find("/sync/run") != std::string::npos) {
    return 0;  // runs the pusher against NoRemote: covered by the receiver target, and slow
  }
  ApiResponse r;
  if (node.api->IsUpload(req)) {
    Result<std::unique_ptr<Upload>> upload = node.api->BeginUpload(req);
    if (!upload.ok()) return 0;
    size_t half = req.body.size() / 2;
    if (!(*upload)->Write(std::string_view(req.body).substr(0, half)).ok()) return 0;
    if (!(*upload)->Write(std::string_view(req.body).substr(half)).ok()) return 0;
    r = (*upload)->Finish();
  } else {
    r = node.api->Handle(req);
  }
  if (r.status < 200 || r.status > 599) __builtin_trap();
  Drain(r);
  return 0;
}

int FuzzReceiver(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Node& node = TheNode();
  // The first byte picks the operation; the rest is its body.
  constexpr int kOps = static_cast<int>(ProtoOp::kChunkRecipes) + 1;
  auto op = static_cast<ProtoOp>(data[0] % kOps);
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (IsBinaryOp(op)) {
    (void)node.receiver->HandleBinary("d", op, body);
    return 0;
  }
  Result<Json> j = ParseJson(body);
  if (j.ok()) (void)node.receiver->Handle("d", op, *j);
  return 0;
}

}  // namespace syncline::fuzz
