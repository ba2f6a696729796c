// Test helpers.
#include "testing/test_util.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <fstream>
#include <sstream>

#include "chunk/file_reader.h"
#include "chunk/file_writer.h"
#include "store/sqlite/sqlite_store.h"
#include "sync/local_writer.h"
#include "util/sha256.h"
#include "util/xorshift.h"

namespace syncline::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/syncline-test-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  if (!p) std::abort();  // no test can run without a scratch folder
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void OpenTestStore(const TempDir& dir, const std::string& db, std::unique_ptr<Store>* out) {
  out->reset();  // one store per folder at a time
  auto opened = OpenSqliteStore(dir.path(), Env::Default());
  ASSERT_OK(opened);
  *out = std::move(opened).value();
  if (!db.empty()) ASSERT_OK((*out)->CreateDatabase(db));
}

Env EnvWith(FileSystem* fs, Clock* clock) {
  Env env = *Env::Default();
  env.fs = fs;
  if (clock) env.clock = clock;
  return env;
}

void OpenTestStoreWithEnv(const TempDir& dir, Env* env, std::unique_ptr<Store>* out) {
  out->reset();
  auto opened = OpenSqliteStore(dir.path(), env);
  ASSERT_OK(opened);
  *out = std::move(opened).value();
}

Status WriteTestFile(Store* store, const std::string& db, const std::string& name,
                     std::string_view data, size_t piece) {
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> w, FileWriter::Open(store, db));
  for (size_t at = 0; at < data.size(); at += piece) {
    SYNCLINE_RETURN_IF_ERROR(w->Append(data.substr(at, piece)));
  }
  SYNCLINE_ASSIGN_OR_RETURN(FileContent content, w->Finish());
  LocalWriter writer(store, Env::Default()->clock);
  return writer.CommitFile(db, name, content, "{}", std::nullopt).status();
}

Result<std::string> ReadTestFile(Store* store, const std::string& db, const std::string& name) {
  SYNCLINE_ASSIGN_OR_RETURN(Item item, store->GetItem(db, ItemKind::kFile, "", name));
  if (item.deleted) return Status::NotFound(name + " is deleted");
  SYNCLINE_ASSIGN_OR_RETURN(Manifest m, Manifest::Decode(item.manifest));
  FileReader reader(store, db, m, 0, static_cast<uint64_t>(item.size));
  std::string out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string_view piece, reader.Next());
    if (piece.empty()) break;
    out.append(piece);
  }
  if (HexEncode(Sha256(out)) != item.content_hash) {
    return Status::Corruption(name + ": content does not match its hash");
  }
  return out;
}

bool WaitUntil(const std::function<bool()>& done, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  Xorshift64(seed).Fill(out.data(), n);
  return out;
}

uint64_t PeakRssBytes(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream in(line.substr(6));
      uint64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace syncline::testing
