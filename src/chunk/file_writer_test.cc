#include "chunk/file_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "chunk/file_reader.h"
#include "testing/test_util.h"

namespace syncline {

class FileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "db", &store_));
  }
  FileContent Write(const std::string& data) {
    auto w = FileWriter::Open(store_.get(), "db");
    EXPECT_OK(w);
    for (size_t i = 0; i < data.size(); i += 100000) {
      EXPECT_OK((*w)->Append(std::string_view(data).substr(i, 100000)));
    }
    auto c = (*w)->Finish();
    EXPECT_OK(c);
    return *c;
  }
  std::string Read(const FileContent& c, uint64_t offset, uint64_t length) {
    FileReader r(store_.get(), "db", *Manifest::Decode(c.manifest), offset, length);
    std::string out;
    while (true) {
      auto piece = r.Next();
      EXPECT_OK(piece);
      if (!piece.ok() || piece->empty()) break;
      out.append(*piece);
    }
    return out;
  }
  uint64_t PackBytes() {
    uint64_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_.Sub("packs"))) {
      if (e.is_regular_file()) n += e.file_size();
    }
    return n;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(FileWriterTest, ContentRoundTripsWithHashAndSize) {
  std::string data = testing::RandomBytes(3 << 20, 5);
  FileContent c = Write(data);
  EXPECT_EQ(c.size, static_cast<int64_t>(data.size()));
  EXPECT_EQ(c.content_hash, HexEncode(Sha256(data)));
  EXPECT_EQ(Read(c, 0, data.size()), data);
}

TEST_F(FileWriterTest, RangesReadTheRightBytes) {
  std::string data = testing::RandomBytes(1 << 20, 6);
  FileContent c = Write(data);
  for (auto [off, len] : {std::pair<uint64_t, uint64_t>{0, 1}, {12345, 200000}, {(1 << 20) - 7, 7}}) {
    EXPECT_EQ(Read(c, off, len), data.substr(off, len)) << off << "+" << len;
  }
}

TEST_F(FileWriterTest, EqualContentIsStoredOnce) {
  std::string data = testing::RandomBytes(2 << 20, 8);
  Write(data);
  uint64_t after_first = PackBytes();
  FileContent again = Write(data);
  EXPECT_EQ(PackBytes(), after_first);
  EXPECT_EQ(Read(again, 0, data.size()), data);
}

TEST_F(FileWriterTest, EmptyFile) {
  FileContent c = Write("");
  EXPECT_EQ(c.size, 0);
  EXPECT_EQ(c.content_hash, HexEncode(Sha256("")));
  EXPECT_EQ(Read(c, 0, 0), "");
}

}  // namespace syncline
