// Seed flows of the client library that must hold against any server: run by SyncEngineTest
// (the in-process Api) and by the integration ClientTest (a real `syncline serve` over HTTP),
// one contract for both. Each flow uses collection "n" of a database the server starts with
// empty, and reports failures through gtest.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "syncline/env.h"
#include "syncline/offline_store.h"
#include "syncline/sync_engine.h"
#include "util/json.h"

namespace syncline::testing {

// The server side of a flow.
struct FlowServer {
  std::function<void(const std::string& key, const std::string& body)> put;  // document n/key
  std::function<void(const std::string& key)> remove;
  std::function<Json(const std::string& key)> document;  // null when absent
  std::function<std::vector<std::string>()> change_keys;  // the change feed's keys, in order
};

// A client of the server: its store and engine (syncing collection "n").
struct FlowClient {
  std::unique_ptr<OfflineStore> store;
  std::unique_ptr<SyncEngine> engine;
};
// Makes a client named `name`; `tweak` adjusts its options.
using FlowClientFactory =
    std::function<FlowClient(const std::string& name, const std::function<void(SyncOptions&)>&)>;

// Seed 003's priority records: with batches of one, the urgent document arrives first.
void PriorityDocumentsArePushedFirst(const FlowServer& server, const FlowClientFactory& make);
// Seed 002's progress notifications (pages with total / processed / cumulative counts, "ok",
// then "*" complete) and object notifications of the watched documents only.
void NotificationsCountPagesAndNameWatchedDocuments(const FlowServer& server,
                                                    const FlowClientFactory& make);
// Background sync on a manual clock: when the period has passed, none while offline, one as
// soon as the network returns; statistics count both.
void BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns(const FlowServer& server,
                                                          const FlowClientFactory& make);

}  // namespace syncline::testing
