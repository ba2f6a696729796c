// notes: a to-do list that works offline and syncs with a Syncline server when asked.
//
//   notes FILE add TEXT            a new note (offline)
//   notes FILE done ID             mark a note done (offline)
//   notes FILE list                every note, and whether it waits to be sent
//   notes FILE sync URL DB TOKEN   push local changes, pull everyone else's
#include <syncline/http_adapter.h>
#include <syncline/offline_store.h>
#include <syncline/sync_engine.h>

#include <chrono>
#include <iostream>
#include <string>

namespace {

int Fail(const syncline::Status& s) {
  std::cerr << "notes: " << s.ToString() << "\n";
  return 1;
}

std::string NewId() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return "note-" + std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

int Sync(syncline::OfflineStore& store, const std::string& url, const std::string& db,
         const std::string& token) {
  syncline::HttpAdapterOptions http;
  http.server = url;
  http.db = db;
  http.token = token;
  syncline::SyncOptions options;
  options.collections = {"notes"};
  // Two people ticking the same note: the later "updated_at" wins, on every device alike.
  options.resolver = syncline::Resolver::Timestamp("updated_at");
  auto engine = syncline::SyncEngine::Create(
      store, std::make_unique<syncline::HttpAdapter>(http), options);
  if (!engine.ok()) return Fail(engine.status());
  (*engine)->SetNotification("notes", [](const syncline::SyncNotification& n) {
    if (n.status == "in_progress") std::cout << "  pulled " << n.cumulative_count << "\n";
  });
  auto result = (*engine)->Sync();
  if (!result.ok()) return Fail(result.status());
  std::cout << "synced: " << result->uploaded << " up, " << result->downloaded << " down\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: notes FILE add TEXT | done ID | list | sync URL DB TOKEN\n";
    return 2;
  }
  auto store = syncline::OfflineStore::Open(argv[1]);
  if (!store.ok()) return Fail(store.status());
  std::string verb = argv[2];
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  if (verb == "add" && argc == 4) {
    std::string id = NewId();
    nlohmann::json note = {{"text", argv[3]}, {"done", false}, {"updated_at", now}};
    if (auto s = (*store)->Put("notes", id, note); !s.ok()) return Fail(s);
    std::cout << id << "\n";
    return 0;
  }
  if (verb == "done" && argc == 4) {
    auto note = (*store)->Get("notes", argv[3]);
    if (!note.ok()) return Fail(note.status());
    (*note)["done"] = true;
    (*note)["updated_at"] = now;
    if (auto s = (*store)->Put("notes", argv[3], *note); !s.ok()) return Fail(s);
    return 0;
  }
  if (verb == "list") {
    auto notes = (*store)->Find("notes");
    if (!notes.ok()) return Fail(notes.status());
    for (const auto& [id, note] : *notes) {
      auto pending = (*store)->IsPending("notes", id);
      std::cout << (note.value("done", false) ? "[x] " : "[ ] ") << note.value("text", "")
                << "  (" << id << (pending.ok() && *pending ? ", not synced" : "") << ")\n";
    }
    return 0;
  }
  if (verb == "sync" && argc == 6) return Sync(**store, argv[3], argv[4], argv[5]);
  std::cerr << "usage: notes FILE add TEXT | done ID | list | sync URL DB TOKEN\n";
  return 2;
}
