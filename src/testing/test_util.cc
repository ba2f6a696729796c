// Test helpers.
#include "testing/test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sqlite/sqlite_store.h"
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
