// Sending the chunks a destination asked for (its file-begin need lists): whole in chunk
// batches, or as recipes against its basis where that saves bytes (chunk_delta.h). One sender
// carries the chunks of one file or of a batch of files; each distinct chunk travels once per
// run, even when several files (pushed by several workers at once) hold it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "replicate/chunk_batch.h"
#include "replicate/protocol.h"
#include "replicate/remote.h"
#include "replicate/sync_report.h"
#include "store/store.h"

namespace syncline {

// The chunks of one run to one destination, shared by the run's workers. Thread-safe.
class SentChunks {
 public:
  enum class Claim {
    kMine,     // the caller sends it, then calls Done
    kElsewhere,  // another worker sends it: Await before committing a file that holds it
    kArrived,  // stored at the destination already
  };
  Claim Take(const Sha256Digest& hash);
  // The outcome of chunks the caller took: arrived, or released for another worker to send.
  void Done(const std::vector<Sha256Digest>& hashes, bool arrived);
  // Waits until `hash` has arrived (true) or was released unsent (false: take it again).
  bool Await(const Sha256Digest& hash);

 private:
  enum class State { kSending, kArrived };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Sha256Digest, State> chunks_;  // GUARDED_BY(mu_); released ones are erased
};

class ChunkSender {
 public:
  // `shared` may be null (nothing shared with other workers).
  ChunkSender(Store* store, std::string db, Remote* remote, SentChunks* shared);
  // Releases the chunks it took and did not send (after a failure), for others to send.
  ~ChunkSender();
  ChunkSender(const ChunkSender&) = delete;
  ChunkSender& operator=(const ChunkSender&) = delete;

  // Called after each request; a failure stops the sending (a file pushed alone gives up
  // early when it changes here meanwhile).
  void set_check(std::function<Status()> check) { check_ = std::move(check); }

  // Queues what `begin` asks of `item` (its manifest) and sends full batches on the way.
  // `report` gets the bytes that travel for this file and must outlive Finish.
  Status Add(const Item& item, const FileBeginReply& begin, SyncReport* report);
  // Sends what is queued and waits for the chunks other workers were sending; then every
  // chunk asked for is at the destination. Fills each report's bytes_copied.
  Status Finish();

 private:
  struct File {
    SyncReport* report;
    int64_t size;
    int64_t sent_content = 0;  // content bytes that travelled for it, literal or whole
  };
  // Queues one chunk whole for files_[file].
  void AddWhole(size_t file, const Sha256Digest& hash, std::string_view data);
  // Reads a chunk this sender took from the store and queues it whole.
  Status AddStored(size_t file, const Sha256Digest& hash);
  Status SendBatch();
  Status SendRecipes();
  // After a request: the claims it carried are settled with the shared set.
  void Settle(std::vector<Sha256Digest>* claimed, bool arrived);

  Store* store_;
  std::string db_;
  Remote* remote_;
  SentChunks* shared_;
  std::unique_ptr<SentChunks> own_;  // when none is shared
  std::function<Status()> check_;

  std::vector<File> files_;
  ChunkBatchWriter batch_;
  std::vector<Sha256Digest> batch_claims_;
  std::string recipes_;
  std::vector<std::pair<Sha256Digest, size_t>> recipe_files_;  // each recipe's chunk and file
  std::vector<std::pair<Sha256Digest, size_t>> elsewhere_;  // sent by another worker
  std::string chunk_;  // scratch
};

}  // namespace syncline
