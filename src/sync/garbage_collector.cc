// Garbage collection: mark (one snapshot of every reference), then compact pack by pack.
#include "sync/garbage_collector.h"

#include <map>
#include <mutex>
#include <set>

#include "chunk/manifest.h"
#include "sync/item_json.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

// One collection per database at a time, process-wide.
std::mutex& CollectionMutex(const std::string& db) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> per_db;
  std::lock_guard<std::mutex> lock(mu);
  auto& m = per_db[db];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

// Every chunk a file or a conflict names, and the bytes those names add up to (a chunk named
// twice counts twice: what the stored bytes would be without dedup).
struct LiveSet {
  std::set<Sha256Digest> chunks;
  uint64_t referenced_bytes = 0;
  size_t count(const Sha256Digest& h) const { return chunks.count(h); }
};

Status AddManifest(std::string_view encoded, LiveSet* live) {
  Result<Manifest> m = Manifest::Decode(encoded);
  // A stored manifest that does not decode names chunks we cannot know: collect nothing.
  if (!m.ok()) return Status::Corruption("a stored manifest is damaged: " + m.status().message());
  for (const ChunkRef& c : m->chunks) {
    live->chunks.insert(c.hash);
    live->referenced_bytes += c.size;
  }
  return Status::OK();
}

// The live set, from one snapshot.
Result<LiveSet> MarkLive(Store* store, const std::string& db) {
  LiveSet live;
  SYNCLINE_RETURN_IF_ERROR(store->ForEachReference(
      db, [&](std::string_view manifest) { return AddManifest(manifest, &live); },
      [&](std::string_view item_json) -> Status {
        Result<Item> item = ItemFromJson(ParseStoredJson(item_json));
        if (!item.ok()) return Status::Corruption("a conflict's item is damaged: " + item.status().message());
        if (item->kind != ItemKind::kFile || item->deleted) return Status::OK();
        return AddManifest(item->manifest, &live);
      }));
  return live;
}

// Stats of the packs given the live set; `packs` lists what is on disk.
Result<ChunkStats> Measure(Store* store, const std::string& db, const LiveSet& live) {
  ChunkStats s;
  s.referenced_bytes = live.referenced_bytes;
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Store::PackInfo> packs, store->ListPacks(db));
  std::set<Sha256Digest> counted;  // a chunk stored twice counts once as live
  for (const Store::PackInfo& p : packs) {
    ++s.packs;
    s.disk_bytes += p.file_bytes;
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<Store::StoredChunk> chunks, store->ListPackChunks(db, p.pack));
    for (const Store::StoredChunk& c : chunks) {
      ++s.chunks;
      if (live.count(c.hash) && counted.insert(c.hash).second) {
        ++s.live_chunks;
        s.live_bytes += c.length;
      }
    }
  }
  s.garbage_bytes = s.disk_bytes > s.live_bytes ? s.disk_bytes - s.live_bytes : 0;
  return s;
}

}  // namespace

Result<ChunkStats> GetChunkStats(Store* store, const std::string& db) {
  SYNCLINE_ASSIGN_OR_RETURN(LiveSet live, MarkLive(store, db));
  return Measure(store, db, live);
}

Result<ChunkStats> CollectGarbage(Store* store, const std::string& db, const GcOptions& options) {
  std::lock_guard<std::mutex> one_at_a_time(CollectionMutex(db));
  ChunkPins& pins = store->chunk_pins();
  // From here on, what is unpinned is kept too: it may be named by an item committed after the
  // snapshot below.
  pins.BeginCollection(db);
  struct End {
    ChunkPins& pins;
    const std::string& db;
    ~End() { pins.EndCollection(db); }
  } end{pins, db};

  SYNCLINE_ASSIGN_OR_RETURN(LiveSet live, MarkLive(store, db));
  auto is_live = [&](const Sha256Digest& h) { return live.count(h) > 0; };
  int64_t compacted = 0;
  uint64_t reclaimed = 0;
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Store::PackInfo> packs, store->ListPacks(db));
  for (const Store::PackInfo& p : packs) {
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<Store::StoredChunk> chunks, store->ListPackChunks(db, p.pack));
    uint64_t live_bytes = 0;
    for (const Store::StoredChunk& c : chunks) {
      if (is_live(c.hash)) live_bytes += c.length;
    }
    uint64_t garbage = p.file_bytes > live_bytes ? p.file_bytes - live_bytes : 0;
    if (garbage == 0 || p.file_bytes == 0 ||
        static_cast<double>(garbage) < options.min_garbage_ratio * static_cast<double>(p.file_bytes)) {
      continue;
    }
    Result<uint64_t> freed = store->CompactPack(db, p.pack, is_live);
    if (freed.status().code() == Status::Code::kUnavailable) continue;  // busy: next time
    if (!freed.ok()) return freed.status();
    ++compacted;
    reclaimed += garbage;
  }
  SYNCLINE_ASSIGN_OR_RETURN(ChunkStats after, Measure(store, db, live));
  after.packs_compacted = compacted;
  after.bytes_reclaimed = reclaimed;
  return after;
}

}  // namespace syncline
