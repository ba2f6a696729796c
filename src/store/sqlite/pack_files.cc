// Pack file appends, syncs and reads.
#include "store/sqlite/pack_files.h"

#include <algorithm>
#include <cstdlib>

namespace syncline {

std::string PackFiles::DirOf(int64_t db_id) const {
  return root_ + "/" + std::to_string(db_id);
}

std::string PackFiles::PathOf(int64_t db_id, int64_t pack) const {
  return DirOf(db_id) + "/" + std::to_string(pack) + ".pack";
}

std::shared_ptr<PackFiles::DbPacks> PackFiles::PacksFor(int64_t db_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& p = dbs_[db_id];
  if (!p) p = std::make_shared<DbPacks>();
  return p;  // shared: a Drop meanwhile must not free what a caller is using
}

Status PackFiles::OpenNextPack(int64_t db_id, DbPacks* p) {
  if (p->writer) {
    // The old pack must be durable before it stops being the one Sync() covers.
    SYNCLINE_RETURN_IF_ERROR(p->writer->Sync());
    SYNCLINE_RETURN_IF_ERROR(p->writer->Close());
    p->writer.reset();
  }
  if (p->pack == 0) {
    SYNCLINE_RETURN_IF_ERROR(env_->fs->CreateDirs(DirOf(db_id)));
    // The folders' own entries must survive a power cut too, before a chunk row points in.
    SYNCLINE_RETURN_IF_ERROR(env_->fs->SyncDir(root_));
    size_t slash = root_.rfind('/');
    SYNCLINE_RETURN_IF_ERROR(env_->fs->SyncDir(slash == std::string::npos ? "." : root_.substr(0, slash)));
    SYNCLINE_ASSIGN_OR_RETURN(auto names, env_->fs->ListDir(DirOf(db_id)));
    for (const auto& n : names) p->pack = std::max<int64_t>(p->pack, std::atoll(n.c_str()));
  }
  ++p->pack;
  SYNCLINE_ASSIGN_OR_RETURN(p->writer, env_->fs->OpenAppendable(PathOf(db_id, p->pack)));
  // A new file's directory entry is durable only once its folder is synced; Sync() of the file
  // covers its bytes, not its name.
  Status s = env_->fs->SyncDir(DirOf(db_id));
  if (!s.ok()) p->writer.reset();  // try the next pack afresh
  return s;
}

Result<PackLocation> PackFiles::Append(int64_t db_id, std::string_view data) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::lock_guard<std::mutex> lock(p->mu);
  if (!p->writer || p->writer->Size() + data.size() > kMaxPackBytes) {
    SYNCLINE_RETURN_IF_ERROR(OpenNextPack(db_id, p.get()));
  }
  PackLocation loc{p->pack, p->writer->Size(), static_cast<uint32_t>(data.size())};
  SYNCLINE_RETURN_IF_ERROR(p->writer->Append(data).WithContext("append chunk"));
  ++p->pending[loc.pack];
  return loc;
}

Status PackFiles::Sync(int64_t db_id) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::lock_guard<std::mutex> lock(p->mu);
  return p->writer ? p->writer->Sync() : Status::OK();
}

Status PackFiles::Read(int64_t db_id, const PackLocation& loc, std::string* out) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::shared_ptr<RandomAccessFile> file;
  {
    std::lock_guard<std::mutex> lock(p->mu);
    auto it = p->readers.find(loc.pack);
    if (it != p->readers.end()) {
      file = it->second;
    } else {
      SYNCLINE_ASSIGN_OR_RETURN(auto f, env_->fs->OpenRandomAccess(PathOf(db_id, loc.pack)));
      file = std::move(f);
      p->readers[loc.pack] = file;
    }
  }
  out->resize(loc.length);
  return file->Read(loc.offset, loc.length, out->data());
}

void PackFiles::Settled(int64_t db_id, int64_t pack) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::lock_guard<std::mutex> lock(p->mu);
  auto it = p->pending.find(pack);
  if (it != p->pending.end() && --it->second <= 0) p->pending.erase(it);
}

bool PackFiles::Seal(int64_t db_id, int64_t pack) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::lock_guard<std::mutex> lock(p->mu);
  if (p->pending.count(pack)) return false;
  if (p->writer && p->pack == pack) {
    // Durable and closed: the next Append opens the next pack.
    if (!p->writer->Sync().ok() || !p->writer->Close().ok()) return false;
    p->writer.reset();
  }
  return true;
}

bool PackFiles::IsBusy(int64_t db_id, int64_t pack) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  std::lock_guard<std::mutex> lock(p->mu);
  return p->pending.count(pack) || (p->writer && p->pack == pack);
}

Result<std::vector<std::pair<int64_t, uint64_t>>> PackFiles::List(int64_t db_id) {
  std::vector<std::pair<int64_t, uint64_t>> out;
  if (!env_->fs->Exists(DirOf(db_id))) return out;
  SYNCLINE_ASSIGN_OR_RETURN(auto names, env_->fs->ListDir(DirOf(db_id)));
  for (const auto& n : names) {
    int64_t pack = std::atoll(n.c_str());
    if (pack <= 0 || n != std::to_string(pack) + ".pack") continue;
    SYNCLINE_ASSIGN_OR_RETURN(uint64_t size, env_->fs->FileSize(PathOf(db_id, pack)));
    out.emplace_back(pack, size);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status PackFiles::Delete(int64_t db_id, int64_t pack) {
  std::shared_ptr<DbPacks> p = PacksFor(db_id);
  {
    std::lock_guard<std::mutex> lock(p->mu);
    // An open reader keeps reading the unlinked file; new reads find the chunk's new place.
    p->readers.erase(pack);
  }
  SYNCLINE_RETURN_IF_ERROR(env_->fs->RemoveAll(PathOf(db_id, pack)));
  return env_->fs->SyncDir(DirOf(db_id));
}

Status PackFiles::Drop(int64_t db_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dbs_.erase(db_id);
  }
  return env_->fs->RemoveAll(DirOf(db_id));
}

}  // namespace syncline
