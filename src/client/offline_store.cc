#include "syncline/offline_store.h"

#include "client/client_db.h"

namespace syncline {

OfflineStore::OfflineStore(std::unique_ptr<ClientDb> db) : db_(std::move(db)) {}
OfflineStore::~OfflineStore() = default;

Result<std::unique_ptr<OfflineStore>> OfflineStore::Open(const std::string& path) {
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<ClientDb> db, ClientDb::Open(path, Env::Default()));
  return std::unique_ptr<OfflineStore>(new OfflineStore(std::move(db)));
}

Status OfflineStore::Put(const std::string& collection, const std::string& key,
                         const nlohmann::json& doc) {
  return db_->Put(collection, key, doc);
}

Result<nlohmann::json> OfflineStore::Get(const std::string& collection,
                                         const std::string& key) const {
  return db_->Get(collection, key);
}

Status OfflineStore::Remove(const std::string& collection, const std::string& key) {
  return db_->Remove(collection, key);
}

Result<std::vector<std::pair<std::string, nlohmann::json>>> OfflineStore::Find(
    const std::string& collection, const nlohmann::json& filter, size_t limit,
    const std::string& after_key) const {
  return db_->Find(collection, filter, limit, after_key);
}

Result<int64_t> OfflineStore::Count(const std::string& collection) const {
  return db_->Count(collection);
}

Result<std::vector<std::string>> OfflineStore::Collections() const { return db_->Collections(); }

Result<bool> OfflineStore::IsPending(const std::string& collection, const std::string& key) const {
  return db_->IsPending(collection, key);
}

Result<std::vector<PendingOperation>> OfflineStore::Pending(const std::string& collection) const {
  return db_->Pending(collection);
}

}  // namespace syncline
