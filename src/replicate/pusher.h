// Pusher: the source side of synchronization to one destination (seed 001's pipeline):
//  1. ask the destination for the last etag it has applied from this database;
//  2. walk the change feed after it, plus the items of the previous run still to confirm;
//  3. fetch the destination's state of those items in batches and decide each one's work;
//  4. run at most `limit` works at once (a file each, documents in batches);
//  5. tell the destination the etag below which everything has been applied, and remember
//     what was pushed so the next run confirms it arrived.
// The source never locks: a file that changes while it is pushed is aborted and pushed again.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "replicate/activity.h"
#include "replicate/chunk_sender.h"
#include "replicate/destinations.h"
#include "replicate/protocol.h"
#include "replicate/remote.h"
#include "replicate/sync_report.h"
#include "store/store.h"
#include "sync/incoming.h"
#include "sync/sync_type.h"
#include "syncline/env.h"

namespace syncline {

struct PushOptions {
  int limit = 5;      // units (a file, or a batch of files or documents) pushed at once
  bool drain = true;  // false: start at most `limit` items and leave the rest pending
  const std::atomic<bool>* stop = nullptr;  // set to give up between works
};

// What one run to one destination did. A run can move millions of items: it keeps totals of
// all of them and the reports of at most kMaxRunReports (failures up to twice that); every
// report is in the store's history (`sync status`) either way.
inline constexpr size_t kMaxRunReports = 1000;

struct DestinationRun {
  std::string destination_url;
  std::vector<SyncReport> reports;
  Status error;  // the run itself failed (unreachable, refused, a broken reply, ...)
  bool more_pending = false;         // works left for a later run
  int64_t last_etag = 0;             // what the destination now has from us
  int64_t walked_to = 0;             // the change feed position this run went through

  // Over every item of the run, kept in `reports` or not.
  int64_t items = 0;
  int64_t conflicts = 0;
  int64_t failed = 0;  // errors other than a conflict
  int64_t bytes_transferred = 0;
  int64_t bytes_copied = 0;
  int64_t reports_omitted = 0;
  Status item_error;  // the first failed item's error (a conflict is settled, not failed)

  void AddReport(SyncReport report);
};

Json DestinationRunToJson(const DestinationRun& run);

// Thread-safe: Run and PushItem may run at once for different destinations.
class Pusher {
 public:
  Pusher(Store* store, Clock* clock, std::string db, SyncSource self, RemoteFactory factory,
         SyncActivity* activity)
      : store_(store), clock_(clock), db_(std::move(db)), self_(std::move(self)),
        factory_(std::move(factory)), activity_(activity) {}

  DestinationRun Run(const Destination& dest, const PushOptions& options);

  // Pushes one item now to `dest`, configured or not (`sync start`).
  Result<SyncReport> PushItem(const Destination& dest, const ItemRef& ref);

 private:
  struct Work;
  struct Outcome;
  struct Walk;

  // The steps of Run: the feed walk, and what to confirm.
  std::vector<ItemRef> LoadConfirmations(const std::string& url);
  void SaveConfirmations(const std::string& url, const std::vector<ItemRef>& refs);
  // Walks the change feed after `since` page by page: plans, runs the works, and moves the
  // watermark over the settled prefix.
  void WalkFeed(Remote& remote, const Destination& dest, const PushOptions& options, Walk* walk,
                DestinationRun* run);
  // Runs `units` (at most options.limit at once, each thread with its own connection).
  std::vector<std::vector<Outcome>> RunUnits(Remote& remote, const Destination& dest,
                                             const std::vector<std::vector<Work>>& units,
                                             const PushOptions& options, SentChunks* sent);

  // Decides the works for `refs` from the destination's states; `skipped` gets the refs that
  // need nothing.
  Status Plan(Remote& remote, const std::vector<ItemRef>& refs, std::vector<Work>* works,
              std::vector<ItemRef>* skipped);
  // Groups works into units: one per large file or rename, small files and documents in
  // batches.
  std::vector<std::vector<Work>> Units(std::vector<Work> works) const;
  // How many of `units` start within `budget` items (taken from it); a batch that does not
  // fit is split.
  static size_t TakeWithin(std::vector<std::vector<Work>>* units, size_t* budget);
  // Pushes one unit; never throws: a failure becomes the error of each of its items.
  std::vector<Outcome> RunUnit(Remote& remote, const Destination& dest,
                               const std::vector<Work>& unit, SentChunks* sent);
  std::vector<Outcome> PushDocuments(Remote& remote, const Destination& dest,
                                     const std::vector<Work>& docs);
  void PushFile(Remote& remote, const Destination& dest, Work work, SentChunks* sent,
                std::vector<Outcome>* out);
  // One attempt at pushing a file's current version; nullopt when it changed here meanwhile
  // and was aborted (the caller tries again with the new version).
  std::optional<Outcome> PushFileOnce(Remote& remote, const Destination& dest, Work& work,
                                      SentChunks* sent, std::vector<Outcome>* out);
  // Pushes small files together: one files-begin, their chunks in shared requests, one
  // files-commit. A file that changes here meanwhile, or whose metadata update finds the
  // content missing there, is then pushed alone.
  void PushFileBatch(Remote& remote, const Destination& dest, const std::vector<Work>& works,
                     SentChunks* sent, std::vector<Outcome>* out);
  Result<std::vector<FileBeginResult>> BeginBatch(Remote& remote, const std::vector<Work>& works,
                                                  const std::vector<Outcome>& outcomes);
  // PreconditionFailed if `item` is no longer this node's version of its file.
  Status Unchanged(const Item& item) const;
  // Re-reads a work's file after it changed here, and the kind of work it now needs.
  Status Refresh(Work* work) const;

  SyncReport NewReport(const Destination& dest, const Item& item, SyncType type) const;
  // Finish an outcome with the destination's answer, or with a failure; return it.
  Outcome& Settle(Outcome* o, ProtoOutcome outcome) const;
  Outcome& Fail(Outcome* o, const Status& s) const;
  Json SourceJson() const;
  Status SaveReports(const std::vector<Outcome>& outcomes);

  Store* store_;
  Clock* clock_;
  std::string db_;
  SyncSource self_;
  RemoteFactory factory_;
  SyncActivity* activity_;
};

}  // namespace syncline
